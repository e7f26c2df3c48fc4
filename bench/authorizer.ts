/**
 * `npm run bench:authorizer`: the authorizer's cost, measured side by side in one run.
 *
 * 1. Warm cost per call: the authorizer bundle (remote JWKS already cached, audit line written)
 *    against bare `jose.jwtVerify` with a local key set, bundled the same way, on the same
 *    tokens, paired and interleaved call by call. Target: handler <= 1.15x bare jose.
 * 2. Minified bundle size, built by the synth-time esbuild step with the dev environment's
 *    settings from the example config. Target: <= 40 KB.
 * 3. Cold initialisation: `require` of the bundle in a fresh `node` process, against bare jose.
 *
 * A benchmark, not a test: it prints figures and exits 0 whatever they are.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import type { createLocalJWKSet, jwtVerify, JWTVerifyOptions } from 'jose';
import { loadConfig } from '../gateway-config/load';
import { buildAuthorizerSettings } from '../gateway-config/tenant-table';
import type { TokenAuthorizerHandler } from '../functions/authorizer/handler';
import type { EmbeddedAuthorizerSettings } from '../functions/authorizer/settings';
import { TenantTable } from '../functions/authorizer/tenant-table';
import { bundleFunction, LAMBDA_BUNDLE_OPTIONS } from '../stacks/constructs/nodejs-function';
import { JwksServer } from '../__tests__/helpers/jwks-server';
import { generateSigningKey, jwks, mint } from '../__tests__/functions/authorizer/support/jwt';

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'functions/authorizer/index.ts');
const TOKENS = 200;
const ROUNDS = 20;
const COLD_RUNS = 15;
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** jose exports bundled exactly as `bundleFunction` bundles the authorizer (the Lambda bundle options). */
function joseBundle(exports: readonly string[]): string {
  const result = buildSync({
    ...LAMBDA_BUNDLE_OPTIONS,
    stdin: { contents: `export { ${exports.join(', ')} } from 'jose';`, resolveDir: ROOT, loader: 'ts' },
  });
  return result.outputFiles[0].text;
}

interface BareJose {
  readonly jwtVerify: typeof jwtVerify;
  readonly createLocalJWKSet: typeof createLocalJWKSet;
}

async function warmCost(devSettings: EmbeddedAuthorizerSettings, scratch: string) {
  const key = generateSigningKey('RS256', 'bench-key-1');
  const server = await JwksServer.start(jwks(key));
  const devNull = openSync('/dev/null', 'w');
  const realWrite = process.stdout.write;
  try {
    const cognito = devSettings.identityProviders.find((idp) => idp.kind === 'cognito' && idp.tokenUse === 'access');
    if (!cognito) throw new Error('the example config has no Cognito access-token provider');
    // The dev settings as bundled for deployment, except that the Cognito JWKS is served locally.
    const settings: EmbeddedAuthorizerSettings = {
      ...devSettings,
      identityProviders: devSettings.identityProviders.map((idp) => (idp.id === cognito.id ? { ...idp, jwksUri: server.jwksUri } : idp)),
    };
    const tenantId = [...new TenantTable(settings.tenants).entries()].find(([, t]) => t.enabled && t.identityProviders.includes(cognito.id))?.[0];
    if (!tenantId) throw new Error('no enabled tenant accepts the Cognito provider');

    const authorizer = bundleFunction({ entry: ENTRY, jsonModules: { 'gateway:authorizer-settings': settings } });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(path.join(authorizer.dir, 'index.js')) as { handler: TokenAuthorizerHandler };
    const bareFile = path.join(scratch, 'bare-jose-warm.js');
    writeFileSync(bareFile, joseBundle(['jwtVerify', 'createLocalJWKSet']));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bare = require(bareFile) as BareJose;

    const now = Math.floor(Date.now() / 1000);
    const tokens = Array.from({ length: TOKENS }, () =>
      mint(key, {
        sub: randomUUID(),
        iss: cognito.issuer,
        client_id: cognito.audiences[0],
        token_use: 'access',
        scope: 'openid',
        auth_time: now,
        iat: now,
        exp: now + 3600,
        jti: randomUUID(),
        username: 'bench',
        [cognito.claims.tenant]: tenantId,
        [cognito.claims.role]: ['developers'],
      }),
    );
    const events = tokens.map((t) => ({ type: 'TOKEN' as const, authorizationToken: `Bearer ${t}`, methodArn: METHOD_ARN }));
    const localJwks = bare.createLocalJWKSet(jwks(key) as Parameters<typeof createLocalJWKSet>[0]);
    // Bare jose with the pinned options the handler uses for this provider.
    const bareOptions: JWTVerifyOptions = {
      algorithms: [...cognito.algorithms],
      issuer: cognito.issuer,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: cognito.clockToleranceSeconds,
    };
    const callBare = async (i: number) => {
      await bare.jwtVerify(tokens[i], localJwks, bareOptions);
    };
    const callHandler = async (i: number) => {
      const response = await handler(events[i]);
      if (response.policyDocument.Statement[0].Effect !== 'Allow') throw new Error('expected Allow');
    };

    // The audit line goes to stdout as in Lambda; here each line is one write(2) to /dev/null.
    process.stdout.write = ((chunk: string | Uint8Array) => {
      if (typeof chunk === 'string') writeSync(devNull, chunk);
      else writeSync(devNull, chunk);
      return true;
    }) as typeof process.stdout.write;

    // Warm-up: JIT, key import caches, the one JWKS fetch.
    for (let i = 0; i < TOKENS * 3; i += 1) {
      await callBare(i % TOKENS);
      await callHandler(i % TOKENS);
    }
    const fetchesBefore = server.requests;
    const bareNs: number[] = [];
    const handlerNs: number[] = [];
    const roundRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      let roundBare = 0;
      let roundHandler = 0;
      for (let i = 0; i < TOKENS; i += 1) {
        // Paired calls on the same token, alternating which goes first.
        const order = (round + i) % 2 === 0 ? [callBare, callHandler] : [callHandler, callBare];
        for (const call of order) {
          const started = process.hrtime.bigint();
          await call(i);
          const ns = Number(process.hrtime.bigint() - started);
          if (call === callBare) {
            bareNs.push(ns);
            roundBare += ns;
          } else {
            handlerNs.push(ns);
            roundHandler += ns;
          }
        }
      }
      roundRatios.push(roundHandler / roundBare);
    }
    return {
      bareMedianUs: median(bareNs) / 1e3,
      handlerMedianUs: median(handlerNs) / 1e3,
      bareMeanUs: sum(bareNs) / bareNs.length / 1e3,
      handlerMeanUs: sum(handlerNs) / handlerNs.length / 1e3,
      medianRatio: median(handlerNs) / median(bareNs),
      meanRatio: sum(handlerNs) / sum(bareNs),
      roundRatios: [Math.min(...roundRatios), Math.max(...roundRatios)] as const,
      fetchesDuringMeasurement: server.requests - fetchesBefore,
    };
  } finally {
    process.stdout.write = realWrite;
    closeSync(devNull);
    await server.close();
  }
}

/** Median time of `require(file)` in a fresh node process, measured inside that process. */
function coldRequireMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples: number[] = [];
  for (let i = 0; i < COLD_RUNS; i += 1) samples.push(Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })));
  return median(samples);
}

/** Median wall time of a whole `node` process that requires `file` (or nothing) and exits. */
function coldProcessMs(file: string | null): number {
  const script = file === null ? '' : `require(${JSON.stringify(file)})`;
  const samples: number[] = [];
  for (let i = 0; i < COLD_RUNS; i += 1) {
    const started = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', script]);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
}

async function main() {
  const { config } = loadConfig();
  const environment = config.environments.find((e) => e.name === 'dev') ?? config.environments[0];
  const settings = buildAuthorizerSettings(config, environment, { embedTenants: true });

  const bundle = bundleFunction({ entry: ENTRY, jsonModules: { 'gateway:authorizer-settings': settings } });
  const bundleFile = path.join(bundle.dir, 'index.js');
  const bundleBytes = Buffer.byteLength(bundle.code);
  const settingsBytes = Buffer.byteLength(JSON.stringify(settings));
  const scratch = mkdtempSync(path.join(tmpdir(), 'bench-authorizer-'));
  try {
    const joseCode = joseBundle(['jwtVerify', 'createRemoteJWKSet']);
    const joseFile = path.join(scratch, 'bare-jose.js');
    writeFileSync(joseFile, joseCode);
    // Bare jose plus one createRemoteJWKSet call: that first touches fetch's Headers/URL, which
    // Node loads lazily (undici), a cost the authorizer pays at init instead of on its first request.
    const joseRemoteFile = path.join(scratch, 'bare-jose-remote.js');
    writeFileSync(joseRemoteFile, `${joseCode}\nmodule.exports.createRemoteJWKSet(new URL('https://example.com/jwks.json'));`);

    const warm = await warmCost(settings, scratch);
    const cold = {
      handler: coldRequireMs(bundleFile),
      jose: coldRequireMs(joseFile),
      joseRemote: coldRequireMs(joseRemoteFile),
      handlerProcess: coldProcessMs(bundleFile),
      emptyProcess: coldProcessMs(null),
    };

    const rows: [string, string, string][] = [
      ['warm cost per call, bare jose.jwtVerify (local JWKS)', `${fmt(warm.bareMedianUs)} us`, `median; mean ${fmt(warm.bareMeanUs)} us`],
      ['warm cost per call, handler (cached remote JWKS, audit written)', `${fmt(warm.handlerMedianUs)} us`, `median; mean ${fmt(warm.handlerMeanUs)} us`],
      [
        'handler / bare jose',
        `${fmt(warm.medianRatio, 3)}x`,
        `ratio of medians, target <= 1.15x ${warm.medianRatio <= 1.15 ? 'MET' : 'MISSED'}; ratio of means ${fmt(warm.meanRatio, 3)}x; rounds ${fmt(warm.roundRatios[0], 2)}-${fmt(warm.roundRatios[1], 2)}x`,
      ],
      ['JWKS fetches during measurement', String(warm.fetchesDuringMeasurement), 'expected 0'],
      ['bundle size, minified', `${fmt(bundleBytes / 1024)} KB`, `target <= 40 KB ${bundleBytes <= 40 * 1024 ? 'MET' : 'MISSED'}; ${bundleBytes} bytes`],
      ['bundle size, gzipped', `${fmt(gzipSync(bundle.code).length / 1024)} KB`, ''],
      ['  of which settings JSON (dev, example config)', `${fmt(settingsBytes / 1024)} KB`, `${Object.keys(settings.tenants.rows).length} tenants, ${settings.identityProviders.length} IdPs`],
      ['bare jose bundle (jwtVerify + createRemoteJWKSet), minified', `${fmt(Buffer.byteLength(joseCode) / 1024)} KB`, ''],
      ['cold init: require(authorizer bundle), incl. createHandler', `${fmt(cold.handler, 2)} ms`, `median of ${COLD_RUNS} fresh processes`],
      ['cold init: require(bare jose bundle)', `${fmt(cold.jose, 2)} ms`, ''],
      ['cold init: require(bare jose) + one createRemoteJWKSet', `${fmt(cold.joseRemote, 2)} ms`, 'loads fetch (undici) lazily'],
      ['whole node process + require(authorizer bundle)', `${fmt(cold.handlerProcess)} ms`, `empty node process: ${fmt(cold.emptyProcess)} ms`],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    const valueWidth = Math.max(...rows.map((r) => r[1].length));
    console.log(`authorizer benchmark: node ${process.version}, ${TOKENS} distinct RS256 tokens, ${ROUNDS} rounds of paired interleaved calls`);
    console.log('-'.repeat(width + valueWidth + 60));
    for (const [label, value, note] of rows) console.log(`${label.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
