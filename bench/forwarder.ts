/**
 * `npm run bench:forwarder`: what the Lambda forwarder (integration mode `forwarder`) costs,
 * measured side by side in one run against a Bedrock stand-in on 127.0.0.1.
 *
 * 1. Cold initialisation, in fresh `node` processes, of the forwarder built two ways:
 *    - `bundled`: the deployed artefact, the AWS SDK bundled and minified into one file;
 *    - `runtime SDK`: `@aws-sdk/*` and `@smithy/*` left external and loaded from node_modules, as
 *      they would be from the Lambda runtime's own copy of SDK v3.
 *    Each: `require` (module init + createHandler) and the first request (lazy SDK loading,
 *    credentials, connection), median of several processes, interleaved.
 * 2. Added latency per warm call: the forwarder handler (bundle, in process) against the AWS SDK
 *    calling the same stand-in directly (what the handler itself does inside), paired and
 *    interleaved call by call. The stand-in answers at once, so the difference is the forwarder's
 *    own work; on AWS add the Lambda invoke hop (not measurable here).
 *
 * A benchmark, not a test: it prints figures and exits 0 whatever they are.
 */
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadConfig } from '../gateway-config/load';
import { buildForwarderSettings } from '../gateway-config/tenant-table';
import type { ForwarderHandler } from '../functions/forwarder/handler';
import { FORWARDER_ENTRY, FORWARDER_MAIN_FIELDS, FORWARDER_SETTINGS_MODULE } from '../stacks/constructs/lambda-forwarder';
import { bundleFunction, LAMBDA_BUNDLE_OPTIONS } from '../stacks/constructs/nodejs-function';
import { BedrockStandIn } from '../__tests__/helpers/bedrock-stand-in';

const ROOT = path.resolve(__dirname, '..');
const COLD_RUNS = 12;
const WARM_CALLS = 400;
const ROUNDS = 8;
const run = promisify(execFile);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** The forwarder built another way: same entry, settings and Lambda options, plus `extra`. */
function variantBundle(settings: unknown, scratch: string, extra: { external?: string[]; mainFields?: string[] }): string {
  const settingsFile = path.join(scratch, 'settings.json');
  writeFileSync(settingsFile, JSON.stringify(settings));
  const result = buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [FORWARDER_ENTRY], alias: { [FORWARDER_SETTINGS_MODULE]: settingsFile }, ...extra });
  return result.outputFiles[0].text;
}

const VARIANTS = {
  deployed: 'SDK bundled from its ES modules, tree-shaken (deployed)',
  cjs: 'SDK bundled from its CommonJS builds',
  runtime: 'SDK from node_modules (as from the Lambda runtime)',
} as const;
type Variant = keyof typeof VARIANTS;

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

function proxyEvent(tenantId: string, model: string) {
  return {
    resource: '/model/{modelId}/converse',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    pathParameters: { modelId: encodeURIComponent(model) },
    requestContext: { requestId: 'bench', authorizer: { tenantId, sub: 'bench-user', role: 'developer', tier: 'bench', idp: 'cognito', env: 'bench' } },
    body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Say hello in five words.' }] }], inferenceConfig: { maxTokens: 64 } }),
    isBase64Encoded: false,
  };
}

interface ColdSample {
  readonly initMs: number;
  readonly firstCallMs: number;
  readonly status: number;
}

/** One fresh node process: require the bundle, then serve one request against the stand-in. */
async function coldSample(file: string, endpoint: string, event: unknown): Promise<ColdSample> {
  const script = [
    'const t0=process.hrtime.bigint();',
    `const {handler}=require(${JSON.stringify(file)});`,
    'const t1=process.hrtime.bigint();',
    `handler(${JSON.stringify(event)},{getRemainingTimeInMillis:()=>29000}).then((r)=>{const t2=process.hrtime.bigint();`,
    'process.stderr.write(JSON.stringify({initMs:Number(t1-t0)/1e6,firstCallMs:Number(t2-t1)/1e6,status:r.statusCode}));process.exit(0)});',
  ].join('');
  const { stderr } = await run(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      GATEWAY_BEDROCK_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return JSON.parse(stderr.slice(stderr.lastIndexOf('{'))) as ColdSample;
}

async function warmCost(bundleFile: string, endpoint: string, event: ReturnType<typeof proxyEvent>) {
  process.env.GATEWAY_BEDROCK_ENDPOINT = endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDBENCH';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench-secret';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundleFile) as { handler: ForwarderHandler };
  const direct = new BedrockRuntimeClient({ region: 'us-east-1', endpoint, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
  const body = JSON.parse(event.body);
  const devNull = openSync('/dev/null', 'w');
  const realWrite = process.stdout.write;
  const forwarderUs: number[] = [];
  const directUs: number[] = [];
  try {
    // The forwarder writes one log line per request: to /dev/null, as a real write.
    process.stdout.write = ((chunk: string) => {
      require('node:fs').writeSync(devNull, chunk);
      return true;
    }) as typeof process.stdout.write;
    const context = { getRemainingTimeInMillis: () => 29_000 };
    for (let i = 0; i < 50; i += 1) {
      await handler(event, context);
      await direct.send(new ConverseCommand({ modelId: HAIKU, ...body }));
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < WARM_CALLS / ROUNDS; i += 1) {
        const order = (round + i) % 2 === 0;
        for (const which of order ? ['forwarder', 'direct'] : ['direct', 'forwarder']) {
          const t0 = process.hrtime.bigint();
          if (which === 'forwarder') {
            const r = await handler(event, context);
            if (r.statusCode !== 200) throw new Error(`forwarder answered ${r.statusCode}: ${r.body}`);
            forwarderUs.push(Number(process.hrtime.bigint() - t0) / 1e3);
          } else {
            await direct.send(new ConverseCommand({ modelId: HAIKU, ...body }));
            directUs.push(Number(process.hrtime.bigint() - t0) / 1e3);
          }
        }
      }
    }
  } finally {
    process.stdout.write = realWrite;
    closeSync(devNull);
    direct.destroy();
  }
  return { forwarderUs: median(forwarderUs), directUs: median(directUs) };
}

async function main() {
  const { config } = loadConfig();
  const environment = config.environments.find((e) => e.integration === 'forwarder') ?? config.environments[0];
  const settings = buildForwarderSettings(config, environment);
  const tenantId = Object.keys(settings.tenants).find((t) => settings.tenants[t].enabled && settings.tenants[t].models.includes(HAIKU));
  if (!tenantId) throw new Error(`no enabled tenant may call ${HAIKU} in environment ${environment.name}`);
  const event = proxyEvent(tenantId, HAIKU);

  const scratch = mkdtempSync(path.join(tmpdir(), 'bench-forwarder-'));
  const standIn = await BedrockStandIn.start();
  try {
    const bundled = bundleFunction({ entry: FORWARDER_ENTRY, jsonModules: { [FORWARDER_SETTINGS_MODULE]: settings }, mainFields: FORWARDER_MAIN_FIELDS });
    const bundledFile = path.join(bundled.dir, 'index.js');
    const codes: Record<Variant, string> = {
      deployed: bundled.code,
      cjs: variantBundle(settings, scratch, { mainFields: ['main', 'module'] }),
      runtime: variantBundle(settings, scratch, { external: ['@aws-sdk/*', '@smithy/*'], mainFields: [...FORWARDER_MAIN_FIELDS] }),
    };
    const files: Record<Variant, string> = { deployed: bundledFile, cjs: path.join(scratch, 'cjs.js'), runtime: path.join(scratch, 'runtime.js') };
    writeFileSync(files.cjs, codes.cjs);
    writeFileSync(files.runtime, codes.runtime);

    const variants = Object.keys(VARIANTS) as Variant[];
    const cold: Record<Variant, ColdSample[]> = { deployed: [], cjs: [], runtime: [] };
    for (let i = 0; i < COLD_RUNS; i += 1) {
      // Rotated so that no variant always runs first.
      for (let k = 0; k < variants.length; k += 1) {
        const which = variants[(i + k) % variants.length];
        const sample = await coldSample(files[which], standIn.endpoint, event);
        if (sample.status !== 200) throw new Error(`${which} cold call answered ${sample.status}`);
        cold[which].push(sample);
      }
    }
    const coldOf = (which: Variant) => ({
      init: median(cold[which].map((s) => s.initMs)),
      first: median(cold[which].map((s) => s.firstCallMs)),
      total: median(cold[which].map((s) => s.initMs + s.firstCallMs)),
    });
    const base = coldOf('deployed');
    const warm = await warmCost(bundledFile, standIn.endpoint, event);

    const rows: [string, string, string][] = [];
    for (const which of variants) {
      const c = coldOf(which);
      const note = which === 'deployed' ? '' : ` (${fmt(c.total / base.total, 2)}x the deployed)`;
      rows.push([`bundle, ${VARIANTS[which]}`, `${fmt(Buffer.byteLength(codes[which]) / 1024)} KB`, `gzipped ${fmt(gzipSync(codes[which]).length / 1024)} KB${which === 'runtime' ? ' + the SDK files it loads' : ''}`]);
      rows.push(['  cold: require (init + createHandler)', `${fmt(c.init, 1)} ms`, `median of ${COLD_RUNS} fresh processes`]);
      rows.push(['  cold: first request', `${fmt(c.first, 1)} ms`, 'lazy SDK parts, credentials, connection, one stand-in call']);
      rows.push(['  cold: require + first request', `${fmt(c.total, 1)} ms`, `median${note}`]);
    }
    rows.push(
      ['warm call: SDK Converse straight to the stand-in', `${fmt(warm.directUs)} us`, `median of ${WARM_CALLS} paired interleaved calls`],
      ['warm call: forwarder handler (deployed bundle)', `${fmt(warm.forwarderUs)} us`, `median; ratio ${fmt(warm.forwarderUs / warm.directUs, 2)}x`],
      ['added by the forwarder per warm call', `${fmt((warm.forwarderUs - warm.directUs) / 1000, 3)} ms`, 'excl. the Lambda invoke hop on AWS'],
    );
    const width = Math.max(...rows.map((r) => r[0].length));
    const valueWidth = Math.max(...rows.map((r) => r[1].length));
    console.log(`forwarder benchmark: node ${process.version}, environment ${environment.name}, stand-in on 127.0.0.1`);
    console.log('-'.repeat(width + valueWidth + 60));
    for (const [label, value, note] of rows) console.log(`${label.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`);
  } finally {
    await standIn.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
