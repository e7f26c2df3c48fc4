/**
 * `npm run bench:scale`: what 10, 1,000 and 10,000 tenants cost, measured side by side in one run,
 * with ratios to the 10-tenant figures.
 *
 * Configs are generated (`__tests__/helpers/generated-config.ts`): the example's identity providers,
 * models and 3 tiers, the `dev` environment, every 10th tenant with its own models, every 50th with
 * its own usage plan, every 37th disabled. For each size:
 *   - synth: `main.ts` in a fresh node process (as `cdktf synth` runs it): wall time and peak RSS;
 *   - the gateway stack's Terraform JSON size; `terraform init` and `terraform validate` times;
 *   - the authorizer bundle: size, and cold initialisation in fresh node processes (median of
 *     COLD_RUNS): `require` (module scope, incl. `createHandler` and the tenant table), then the
 *     first call (a valid token: JWKS fetched from a loopback server, tenant looked up, policy
 *     built). Three bundles: the one synth builds (normalized table, `JSON.parse`), the same table
 *     as an object literal, and today's (the authorizer and table at BASELINE_REF, object literal);
 *   - warm decision time: median per call of the synthesized bundle's handler, tokens of many tenants;
 *   - sharded (SHARDS shards): the core's authorizer bundle (no tenants), its cold `require`, and its
 *     first call, which reads the tenant's shard table with a signed GET from an S3 endpoint on
 *     loopback (`__tests__/helpers/s3-object-server.ts`) before deciding.
 *
 * Options: `--sizes 10,1000` (default 10,1000,10000), `--baseline <git ref>` (default BASELINE_REF),
 * `--cold-runs N` (default 11). A benchmark, not a test: it prints figures and exits 0 whatever they are.
 *
 * `--emulator` adds the emulator half afterwards (`bench/shards-emulator.ts`, also `npm run
 * bench:shards-emulator`): deploy, plan after apply and a one-tenant change plan on moto_server,
 * sharded and unsharded in the same run, with ratios; `--emulator-tenants N` (default 1000) and
 * `--emulator-shards N` (default 4). It adds several minutes of CPU.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import type { TokenAuthorizerHandler } from '../functions/authorizer/handler';
import type { AuthorizerSettings, TenantEntry } from '../functions/authorizer/settings';
import { TenantTable } from '../functions/authorizer/tenant-table';
import { apiKeyValue, effectiveModels } from '../gateway-config/derive';
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { SECTION_FILES } from '../gateway-config/load';
import { buildAuthorizerSettings, buildShardTenantTable } from '../gateway-config/tenant-table';
import { tenantTableKey } from '../gateway-config/tenant-shards';
import { S3ObjectServer } from '../__tests__/helpers/s3-object-server';
import { validateConfig } from '../gateway-config/validate';
import { runTerraform, terraformEnv } from '../scripts/lib/terraform';
import { bundleFunction, LAMBDA_BUNDLE_OPTIONS } from '../stacks/constructs/nodejs-function';
import { generatedConfigInput } from '../__tests__/helpers/generated-config';
import { JwksServer } from '../__tests__/helpers/jwks-server';
import { generateSigningKey, jwks, mint, type SigningKey } from '../__tests__/functions/authorizer/support/jwt';

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'functions/authorizer/index.ts');
const SHARDED_ENTRY = path.join(ROOT, 'functions/authorizer/sharded-index.ts');
/** The sharded variant: the same tenants in this many shards, each shard's table served by an S3 endpoint on loopback. */
const SHARDS = 8;
const S3_CREDENTIALS = { accessKeyId: 'AKIDBENCHSCALE', secretAccessKey: 'bench-scale-secret' };
/** The last commit before the tenant table was normalized (today's table, for the comparison). */
const BASELINE_REF = '4bfd651';
const SETTINGS_MODULE = 'gateway:authorizer-settings';
const WARM_TOKENS = 300;
const WARM_CALLS = 3_000;
const METHOD_PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/POST/model';
const execFileAsync = promisify(execFile);

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}
const SIZES = (option('sizes') ?? '10,1000,10000').split(',').map(Number);
const BASELINE = option('baseline') ?? BASELINE_REF;
const COLD_RUNS = Number(option('cold-runs') ?? 11);
const EMULATOR = process.argv.includes('--emulator');
const EMULATOR_TENANTS = option('emulator-tenants') ?? '1000';
const EMULATOR_SHARDS = option('emulator-shards') ?? '4';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 100 * 1024 ? 1 : 0)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n.toFixed(0)} ms`;

/** Today's table (before normalization), for the baseline bundle: tenant id -> full entry. */
function legacyTenants(config: GatewayConfig, environment: Environment): Record<string, TenantEntry> {
  return Object.fromEntries(
    [...config.tenants]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((t) => [
        t.id,
        { apiKey: apiKeyValue(environment, t.id), tier: t.tier, enabled: t.enabled, models: effectiveModels(config, t), identityProviders: [...t.identityProviders] },
      ]),
  );
}

/** The authorizer sources at `ref`, bundled as synth bundled them then (settings as an object literal). */
function baselineBundler(ref: string, scratch: string): (settings: unknown) => string {
  const dir = path.join(scratch, 'baseline');
  mkdirSync(dir);
  // BENCH_REPO: the git repository to take `ref` from when this tree is an exported copy.
  const repo = process.env.BENCH_REPO ?? ROOT;
  execFileSync('sh', ['-c', `git -C ${JSON.stringify(repo)} archive ${ref} functions | tar -x -C ${JSON.stringify(dir)}`]);
  let n = 0;
  return (settings) => {
    const json = path.join(dir, `settings-${n++}.json`);
    writeFileSync(json, JSON.stringify(settings));
    const result = buildSync({
      ...LAMBDA_BUNDLE_OPTIONS,
      entryPoints: [path.join(dir, 'functions/authorizer/index.ts')],
      alias: { [SETTINGS_MODULE]: json },
      nodePaths: [path.join(ROOT, 'node_modules')],
    });
    const file = path.join(dir, `bundle-${n}.js`);
    writeFileSync(file, result.outputFiles[0].text);
    return file;
  };
}

interface Cold {
  readonly requireMs: number;
  readonly firstCallMs: number;
}

/**
 * Fresh node processes, interleaved across `files` so that every variant meets the same machine
 * load: `require(bundle)`, then (for handler bundles) one call with a valid token. Medians of COLD_RUNS.
 */
async function coldInit(files: readonly { file: string; call: boolean; env?: NodeJS.ProcessEnv }[], token: string, methodArn: string): Promise<Cold[]> {
  const script = (file: string, call: boolean) => `
const h=()=>Number(process.hrtime.bigint())/1e6;
process.stdout.write=()=>true;
const t0=h();const m=require(${JSON.stringify(file)});const t1=h();
if(!${call})process.stderr.write(JSON.stringify({requireMs:t1-t0,firstCallMs:0}));
else m.handler({type:'TOKEN',authorizationToken:process.env.BENCH_TOKEN,methodArn:${JSON.stringify(methodArn)}}).then((r)=>{
  const t2=h();
  if(r.policyDocument.Statement[0].Effect!=='Allow'||!r.usageIdentifierKey)throw new Error('expected an Allow with a key');
  process.stderr.write(JSON.stringify({requireMs:t1-t0,firstCallMs:t2-t1}));
});`;
  const samples: Cold[][] = files.map(() => []);
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const [k, { file, call, env }] of files.entries()) {
      const { stderr } = await execFileAsync(process.execPath, ['-e', script(file, call)], { env: { ...process.env, ...env, BENCH_TOKEN: token }, encoding: 'utf8' });
      samples[k].push(JSON.parse(stderr) as Cold);
    }
  }
  return samples.map((s) => ({ requireMs: median(s.map((x) => x.requireMs)), firstCallMs: median(s.map((x) => x.firstCallMs)) }));
}

/**
 * The tenant table alone, as the authorizer loads it at module scope: the settings module and
 * the lookup structure (`TenantTable` now; today's `new Map(Object.entries(tenants))`).
 */
function tableOnlyBundle(scratch: string, settings: unknown, kind: 'normalized' | 'today', jsonEmbedding: 'json-parse' | 'object-literal'): string {
  const entry = path.join(scratch, `table-${kind}.ts`);
  writeFileSync(
    entry,
    kind === 'normalized'
      ? `import settings from '${SETTINGS_MODULE}';\nimport { TenantTable } from ${JSON.stringify(path.join(ROOT, 'functions/authorizer/tenant-table'))};\nexport const table = new TenantTable(settings.tenants);\n`
      : `import settings from '${SETTINGS_MODULE}';\nexport const table = new Map(Object.entries((settings as any).tenants));\n`,
  );
  return path.join(bundleFunction({ entry, jsonModules: { [SETTINGS_MODULE]: settings }, jsonEmbedding }).dir, 'index.js');
}

/** Median warm cost of one decision (allow), tokens of many tenants, after WARM_CALLS untimed calls. */
async function warmDecisionUs(file: string, events: readonly { type: 'TOKEN'; authorizationToken: string; methodArn: string }[]): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(file) as { handler: TokenAuthorizerHandler };
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    for (let i = 0; i < WARM_CALLS; i++) await handler(events[i % events.length]);
    const samples: number[] = [];
    for (let i = 0; i < WARM_CALLS; i++) {
      const t = process.hrtime.bigint();
      await handler(events[i % events.length]);
      samples.push(Number(process.hrtime.bigint() - t) / 1e3);
    }
    return median(samples);
  } finally {
    process.stdout.write = write;
  }
}

interface Figures {
  readonly tenants: number;
  readonly usagePlans: number;
  readonly synthMs: number;
  readonly synthPeakRss: number;
  readonly stackJsonBytes: number;
  readonly resources: number;
  readonly initMs: number;
  readonly validateMs: number;
  readonly valid: boolean;
  readonly tableBytes: number;
  readonly bundleBytes: number;
  readonly literalBundleBytes: number;
  readonly baselineBundleBytes: number;
  readonly cold: Cold;
  readonly coldLiteral: Cold;
  readonly coldBaseline: Cold;
  readonly tableCold: Cold;
  readonly tableColdLiteral: Cold;
  readonly tableColdBaseline: Cold;
  readonly warmUs: number;
  readonly shardedBundleBytes: number;
  /** Sharded core: require, and a first call that reads the tenant's shard table from S3. */
  readonly coldSharded: Cold;
}

async function measure(tenants: number, scratch: string, key: SigningKey, jwksUri: string, baseline: (settings: unknown) => string, s3: S3ObjectServer): Promise<Figures> {
  const dir = path.join(scratch, `t${tenants}`);
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const input = generatedConfigInput({ tenants });
  for (const [section, base] of Object.entries(SECTION_FILES)) {
    writeFileSync(path.join(configDir, `${base}.json`), JSON.stringify(input[section as keyof typeof input], null, 2));
  }
  const config = validateConfig(input);
  const environment = config.environments[0];

  // Synth, as `cdktf synth` runs main.ts: a fresh process; /usr/bin/time reports its peak RSS.
  const outdir = path.join(dir, 'cdktf.out');
  const timeFile = path.join(dir, 'time.txt');
  const started = process.hrtime.bigint();
  await execFileAsync('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, '--import', 'tsx', path.join(ROOT, 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, GATEWAY_CONFIG_DIR: configDir, CDKTF_OUTDIR: outdir },
    maxBuffer: 64 * 1024 * 1024,
  });
  const synthMs = Number(process.hrtime.bigint() - started) / 1e6;
  const synthPeakRss = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) * 1024;
  const stackDir = path.join(outdir, 'stacks', `gateway-${environment.name}`);
  const stackJson = readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8');
  const resources = Object.values((JSON.parse(stackJson) as { resource: Record<string, object> }).resource).reduce((n, byId) => n + Object.keys(byId).length, 0);

  const env = terraformEnv();
  let t = process.hrtime.bigint();
  const init = await runTerraform(stackDir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
  const initMs = Number(process.hrtime.bigint() - t) / 1e6;
  if (init.code !== 0) throw new Error(`terraform init failed for ${tenants} tenants:\n${init.stdout}${init.stderr}`);
  t = process.hrtime.bigint();
  const validate = await runTerraform(stackDir, ['validate', '-no-color'], { env });
  const validateMs = Number(process.hrtime.bigint() - t) / 1e6;

  // The authorizer, with the cognito provider's JWKS served on loopback.
  const built = buildAuthorizerSettings(config, environment, { embedTenants: true });
  const cognito = built.identityProviders.find((p) => p.id === 'cognito');
  if (!cognito) throw new Error('the example config has no cognito provider');
  const withLocalJwks = <T extends { identityProviders: AuthorizerSettings['identityProviders'] }>(s: T): T => ({
    ...s,
    identityProviders: s.identityProviders.map((p) => (p.id === cognito.id ? { ...p, jwksUri } : p)),
  });
  const settings = withLocalJwks(built);
  const bundle = bundleFunction({ entry: ENTRY, jsonModules: { [SETTINGS_MODULE]: settings } });
  const literal = bundleFunction({ entry: ENTRY, jsonModules: { [SETTINGS_MODULE]: settings }, jsonEmbedding: 'object-literal' });
  const baselineFile = baseline(withLocalJwks({ ...built, tenants: legacyTenants(config, environment) }));

  const table = new TenantTable(settings.tenants);
  const callers = [...table.entries()].filter(([, e]) => e.enabled && e.identityProviders.includes(cognito.id) && e.models.length > 0);
  const now = Math.floor(Date.now() / 1000);
  const tokenOf = (tenantId: string) =>
    mint(key, {
      sub: randomUUID(),
      iss: cognito.issuer,
      client_id: cognito.audiences[0],
      token_use: 'access',
      iat: now,
      auth_time: now,
      exp: now + 3600,
      [cognito.claims.tenant]: tenantId,
      [cognito.claims.role]: ['developers'],
    });
  const arnFor = (entry: TenantEntry) => `${METHOD_PREFIX}/${entry.models[0].replaceAll(':', '%3A')}/converse`;
  // The last tenant: a lookup near the end of the table.
  const [lastId, lastEntry] = callers[callers.length - 1];
  const coldToken = `Bearer ${tokenOf(lastId)}`;
  const legacySettings = withLocalJwks({ ...built, tenants: legacyTenants(config, environment) });
  // The same tenants in SHARDS shards: the core's bundle without tenants, each shard's table an S3 object.
  const shardedEnvironment: Environment = { ...environment, tenantShards: SHARDS };
  const bucket = `bench-scale-${tenants}`;
  for (let shard = 0; shard < SHARDS; shard++) s3.put(bucket, tenantTableKey(shard), JSON.stringify(buildShardTenantTable(config, shardedEnvironment, shard)));
  const sharded = bundleFunction({ entry: SHARDED_ENTRY, mainFields: ['module', 'main'], jsonModules: { [SETTINGS_MODULE]: withLocalJwks(buildAuthorizerSettings(config, shardedEnvironment)) } });
  const shardedEnv = {
    GATEWAY_TENANT_TABLE_BUCKET: bucket,
    AWS_REGION: 'us-east-1',
    GATEWAY_S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: '',
  };
  const [cold, coldLiteral, coldBaseline, tableCold, tableColdLiteral, tableColdBaseline, coldSharded] = await coldInit(
    [
      { file: path.join(bundle.dir, 'index.js'), call: true },
      { file: path.join(literal.dir, 'index.js'), call: true },
      { file: baselineFile, call: true },
      { file: tableOnlyBundle(dir, settings, 'normalized', 'json-parse'), call: false },
      { file: tableOnlyBundle(dir, settings, 'normalized', 'object-literal'), call: false },
      { file: tableOnlyBundle(dir, legacySettings, 'today', 'object-literal'), call: false },
      { file: path.join(sharded.dir, 'index.js'), call: true, env: shardedEnv },
    ],
    coldToken,
    arnFor(lastEntry),
  );

  const step = Math.max(1, Math.floor(callers.length / WARM_TOKENS));
  const events = callers
    .filter((_, i) => i % step === 0)
    .slice(0, WARM_TOKENS)
    .map(([id, entry]) => ({ type: 'TOKEN' as const, authorizationToken: `Bearer ${tokenOf(id)}`, methodArn: arnFor(entry) }));
  const warmUs = await warmDecisionUs(path.join(bundle.dir, 'index.js'), events);

  return {
    tenants,
    usagePlans: config.tiers.length + config.tenants.filter((x) => x.overrides?.quota || x.overrides?.rateLimit || x.overrides?.burstLimit).length,
    synthMs,
    synthPeakRss,
    stackJsonBytes: Buffer.byteLength(stackJson),
    resources,
    initMs,
    validateMs,
    valid: validate.code === 0,
    tableBytes: Buffer.byteLength(JSON.stringify(settings.tenants)),
    bundleBytes: Buffer.byteLength(bundle.code),
    literalBundleBytes: Buffer.byteLength(literal.code),
    baselineBundleBytes: statSync(baselineFile).size,
    cold,
    coldLiteral,
    coldBaseline,
    tableCold,
    tableColdLiteral,
    tableColdBaseline,
    warmUs,
    shardedBundleBytes: Buffer.byteLength(sharded.code),
    coldSharded,
  };
}

function table(results: readonly Figures[]): string {
  const base = results[0];
  const rows: [string, (f: Figures) => number, (n: number) => string][] = [
    ['usage plans (3 tiers + own plans)', (f) => f.usagePlans, String],
    ['gateway stack resources', (f) => f.resources, String],
    ['synth (fresh process, main.ts)', (f) => f.synthMs, ms],
    ['synth peak RSS', (f) => f.synthPeakRss, mb],
    ['stack JSON (cdk.tf.json)', (f) => f.stackJsonBytes, mb],
    ['terraform init -backend=false', (f) => f.initMs, ms],
    ['terraform validate', (f) => f.validateMs, ms],
    ['tenant table JSON (normalized)', (f) => f.tableBytes, kb],
    ['authorizer bundle (synth: JSON.parse)', (f) => f.bundleBytes, kb],
    ['authorizer bundle, same table as object literal', (f) => f.literalBundleBytes, kb],
    [`authorizer bundle, today's (${BASELINE})`, (f) => f.baselineBundleBytes, kb],
    ['cold: tenant table load + index (JSON.parse)', (f) => f.tableCold.requireMs, ms],
    ['cold: tenant table load + index, object literal', (f) => f.tableColdLiteral.requireMs, ms],
    [`cold: tenant table load + index, today's`, (f) => f.tableColdBaseline.requireMs, ms],
    ['cold: require (incl. createHandler)', (f) => f.cold.requireMs, ms],
    ['cold: first call (JWKS fetch, lookup, policy)', (f) => f.cold.firstCallMs, ms],
    ['cold: require + first call', (f) => f.cold.requireMs + f.cold.firstCallMs, ms],
    ['cold: require, object literal', (f) => f.coldLiteral.requireMs, ms],
    ['cold: require + first call, object literal', (f) => f.coldLiteral.requireMs + f.coldLiteral.firstCallMs, ms],
    [`cold: require, today's`, (f) => f.coldBaseline.requireMs, ms],
    [`cold: require + first call, today's`, (f) => f.coldBaseline.requireMs + f.coldBaseline.firstCallMs, ms],
    ['warm decision (allow, median per call)', (f) => f.warmUs, (n) => `${n.toFixed(0)} us`],
    [`sharded (${SHARDS} shards): core authorizer bundle`, (f) => f.shardedBundleBytes, kb],
    ['sharded: cold require (incl. createHandler)', (f) => f.coldSharded.requireMs, ms],
    ['sharded: cold first call (JWKS, S3 GET + parse of the shard table, policy)', (f) => f.coldSharded.firstCallMs, ms],
    ['sharded: cold require + first call', (f) => f.coldSharded.requireMs + f.coldSharded.firstCallMs, ms],
  ];
  const header = ['', ...results.map((f) => `${f.tenants.toLocaleString('en-US')} tenants`)];
  const lines = rows.map(([label, get, format]) => [
    label,
    ...results.map((f, i) => (i === 0 ? format(get(f)) : `${format(get(f))} (${(get(f) / get(base)).toFixed(2)}x)`)),
  ]);
  const widths = header.map((_, c) => Math.max(...[header, ...lines].map((r) => r[c].length)));
  const render = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [render(header), '-'.repeat(widths.reduce((a, b) => a + b + 2, 0)), ...lines.map(render)].join('\n');
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'bench-scale-'));
  const key = generateSigningKey('RS256', 'bench-scale-1');
  const server = await JwksServer.start(jwks(key));
  // A SigV4-verifying S3 GetObject endpoint on 127.0.0.1 for the sharded variant's tables.
  const s3 = await S3ObjectServer.start({ credentials: [S3_CREDENTIALS], region: 'us-east-1' });
  try {
    const baseline = baselineBundler(BASELINE, scratch);
    const results: Figures[] = [];
    for (const n of SIZES) {
      process.stderr.write(`measuring ${n} tenants...\n`);
      results.push(await measure(n, scratch, key, server.jwksUri, baseline, s3));
    }
    console.log(`scale benchmark: node ${process.version}, cold figures are medians of ${COLD_RUNS} fresh processes; ratios to ${SIZES[0]} tenants`);
    console.log(table(results));
    const invalid = results.filter((f) => !f.valid).map((f) => f.tenants);
    console.log(invalid.length === 0 ? 'terraform validate: every stack valid' : `terraform validate FAILED for ${invalid.join(', ')} tenants`);
    const largest = results[results.length - 1];
    const first = results[0];
    console.log(
      `targets at ${largest.tenants.toLocaleString('en-US')} tenants: tenant table init <= 30 ms ${largest.tableCold.requireMs <= 30 ? 'MET' : 'MISSED'} (${ms(largest.tableCold.requireMs)}; ` +
        `whole require ${ms(largest.cold.requireMs)} vs ${ms(first.cold.requireMs)} at ${first.tenants}); ` +
        `bundle <= 1 MB ${largest.bundleBytes <= 1024 * 1024 ? 'MET' : 'MISSED'} (${kb(largest.bundleBytes)}); ` +
        `at ${first.tenants} tenants vs today: require ${ms(first.cold.requireMs)} vs ${ms(first.coldBaseline.requireMs)}, require + first call ${ms(first.cold.requireMs + first.cold.firstCallMs)} vs ${ms(first.coldBaseline.requireMs + first.coldBaseline.firstCallMs)}`,
    );
  } finally {
    await server.close();
    await s3.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  if (EMULATOR) await emulatorHalf();
}

/** `bench/shards-emulator.ts` in a process of its own (it starts and stops its moto_servers), its output passed through. */
function emulatorHalf(): Promise<void> {
  console.log(`\nemulator half: bench/shards-emulator.ts ${EMULATOR_TENANTS} ${EMULATOR_SHARDS}`);
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'bench', 'shards-emulator.ts'), EMULATOR_TENANTS, EMULATOR_SHARDS], { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bench/shards-emulator.ts exited ${code}`))));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
