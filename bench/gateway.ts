/**
 * `npm run bench:gateway`: the local gateway's cost, measured side by side in one run with
 * autocannon: requests per second and p50/p99 latency of Converse calls
 *   1. straight to the Bedrock stand-in (the baseline),
 *   2. through the local gateway, authorizer cache warm (one token: the policy comes from the cache),
 *   3. through the local gateway, authorizer cache cold (a fresh token per request: the real
 *      authorizer bundle verifies every JWT).
 * The `local` stack is synthesized into a temporary directory and served without an emulator (API
 * key states from the stack). Usage plan limits are lifted for the measurement (the example tiers
 * would throttle it at 2-50 requests/s); everything else runs as served.
 *
 * BENCH_DURATION_S (default 5) and BENCH_CONNECTIONS (default 10) change the load.
 *
 * A benchmark, not a test: it prints figures and exits 0 whatever they are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freeLoopbackPort } from '../scripts/lib/moto';
import { synthesize } from '../scripts/lib/local-deploy';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const BODY = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Benchmark prompt of a handful of words' }] }] });

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface Options {
  url: string;
  method: 'POST';
  body: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
  requests?: Array<{ setupRequest: (req: { headers: Record<string, string> }) => { headers: Record<string, string> } }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Options) => Promise<Result>;

async function main() {
  const scratch = mkdtempSync(path.join(tmpdir(), 'bench-gateway-'));
  const realWrite = process.stdout.write.bind(process.stdout);
  // The authorizer writes one audit line per decision to stdout (CloudWatch in Lambda): dropped here.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('{"audit"') ? true : (realWrite as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  try {
    process.env.GATEWAY_DEV_IDP_URL = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const outdir = path.join(scratch, 'cdktf.out');
    await synthesize({ outdir });
    // Loaded after GATEWAY_DEV_IDP_URL is set: the config reads it.
    const { loadConfig } = await import('../gateway-config/load');
    const { BedrockStandIn } = await import('../local-gateway/bedrock-stand-in');
    const { DevIdpServer, devSigningKey, mintDevToken } = await import('../local-gateway/dev-idp');
    const { LocalGateway } = await import('../local-gateway/server');
    const { loadStackModel } = await import('../local-gateway/stack-model');
    const { config } = loadConfig();
    const environment = config.environments.find((e) => e.name === 'local')!;
    const model = loadStackModel(path.join(outdir, 'stacks', 'gateway-local'));
    const unlimited = { ...model, usagePlans: model.usagePlans.map(({ throttle: _t, quota: _q, ...plan }) => plan) };
    const idp = await new DevIdpServer(config.identityProviders.map((p) => p.id)).start(Number(new URL(environment.emulator!.developmentIdp!.url).port));
    const standIn = await new BedrockStandIn().start();
    const gateway = await new LocalGateway(unlimited, { bedrockEndpoint: standIn.endpoint }).start();
    try {
      const key = devSigningKey();
      const warmToken = mintDevToken(config, environment, { tenant: 'acme' }, key);
      const coldTokens = Array.from({ length: 6_000 }, (_, i) => mintDevToken(config, environment, { tenant: 'acme', subject: `bench-${i}` }, key));
      let next = 0;
      const run = (url: string, headers: Record<string, string>, rotate = false) => {
        standIn.clear();
        return autocannon({
          url,
          method: 'POST',
          body: BODY,
          headers: { 'content-type': 'application/json', ...headers },
          connections: CONNECTIONS,
          duration: DURATION_S,
          ...(rotate ? { requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${coldTokens[next++ % coldTokens.length]}` } }) }] } : {}),
        });
      };
      const path_ = `/model/${encodeURIComponent(MODEL)}/converse`;
      // Warm up (JWKS fetched, bundle loaded, V8 optimised the hot paths) before measuring: without
      // it the first case measured pays the JIT warm-up, whichever it is.
      await autocannon({ url: `${gateway.endpoint}${path_}`, method: 'POST', body: BODY, headers: { 'content-type': 'application/json', authorization: `Bearer ${warmToken}` }, connections: CONNECTIONS, duration: 3 });
      const runner = [...gateway.authorizers.values()][0];
      const before = runner.invocations;
      const cases = {
        direct: () => run(`${standIn.endpoint}${path_}`, {}),
        warm: () => run(`${gateway.endpoint}${path_}`, { authorization: `Bearer ${warmToken}` }),
        cold: () => run(`${gateway.endpoint}${path_}`, {}, true),
      };
      // Each case twice, in mirrored order (A B C C B A): a case measured right after another pays
      // for that one's garbage, so no case always goes first or last. Figures are the means.
      const results: Record<keyof typeof cases, Result[]> = { direct: [], warm: [], cold: [] };
      for (const name of ['direct', 'warm', 'cold', 'cold', 'warm', 'direct'] as const) results[name].push(await cases[name]());
      const coldCalls = runner.invocations - before;
      const mean = (list: Result[]): Result => ({
        requests: { average: list.reduce((a, r) => a + r.requests.average, 0) / list.length },
        latency: { p50: list.reduce((a, r) => a + r.latency.p50, 0) / list.length, p99: list.reduce((a, r) => a + r.latency.p99, 0) / list.length },
        non2xx: list.reduce((a, r) => a + r.non2xx, 0),
        errors: list.reduce((a, r) => a + r.errors, 0),
        timeouts: list.reduce((a, r) => a + r.timeouts, 0),
      });
      const direct = mean(results.direct);
      const warm = mean(results.warm);
      const cold = mean(results.cold);

      const rows: Array<[string, Result]> = [
        ['Bedrock stand-in, direct', direct],
        ['local gateway, authorizer cache warm', warm],
        ['local gateway, authorizer cache cold', cold],
      ];
      console.log(`gateway benchmark: node ${process.version}, autocannon, ${CONNECTIONS} connections, 2 x ${DURATION_S} s per case (mirrored order, means), Converse (${Buffer.byteLength(BODY)} B body)`);
      console.log(`${'case'.padEnd(40)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}  vs direct (req/s ratio; p50, p99 added)`);
      for (const [label, r] of rows) {
        // autocannon's latencies have millisecond resolution: the stand-in's p50 rounds to 0, so
        // latency is compared as milliseconds added rather than as a ratio.
        const ratio = `${(r.requests.average / direct.requests.average).toFixed(2)}x; +${(r.latency.p50 - direct.latency.p50).toFixed(1)} ms, +${(r.latency.p99 - direct.latency.p99).toFixed(1)} ms`;
        console.log(`${label.padEnd(40)}${r.requests.average.toFixed(0).padStart(10)}${r.latency.p50.toFixed(1).padStart(9)}${r.latency.p99.toFixed(1).padStart(9)}${String(r.non2xx + r.errors + r.timeouts).padStart(9)}  ${label.startsWith('Bedrock') ? 'baseline' : ratio}`);
      }
      console.log(`authorizer runs during the cold runs: ${coldCalls} (a cache miss each, out of ${coldTokens.length} distinct tokens; the warm runs: none)`);
    } finally {
      await gateway.stop();
      await standIn.stop();
      await idp.stop();
    }
  } finally {
    process.stdout.write = realWrite;
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
