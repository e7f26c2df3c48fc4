/**
 * A sharded environment on the emulator (moto_server on 127.0.0.1), end to end and lean: 6 tenants
 * in 2 shards, no WAF, no domain, no token budgets, no alarms or dashboard. The state bucket is created by SDK; the core
 * stack and both shard stacks are applied (the shards read the core's outputs from its state and
 * publish their tenant tables into the core's bucket); every stack plans no changes after apply.
 * One tenant is added: `terraform plan -detailed-exitcode` shows changes in its shard only (its key,
 * its plan link, its shard's table) and none in the core or the other shard. Through the local
 * gateway, whose authorizer (the synthesized bundle) reads the tables from the emulator's S3, the
 * new tenant is refused before its shard is applied and served after. Destroying the shards, then
 * the core, leaves nothing: no API, plan, key, function, alarm or dashboard, and no tenant table bucket.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { effectiveModels, resourceNamePrefix, restApiName } from '../../gateway-config/derive';
import { loadConfig } from '../../gateway-config/load';
import { tenantShard } from '../../gateway-config/tenant-shards';
import { mintDevToken } from '../../local-gateway/dev-idp';
import { serveLocalGateway } from '../../local-gateway/serve';
import { destroyClients, emulatorClients, leftovers } from '../../scripts/lib/inspect-deployment';
import { apply, init, outputs, stackDir, synthesize, terraform, TF_FLAGS } from '../../scripts/lib/local-deploy';
import { freeLoopbackPort, MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { createEmulatorStateBucket, planDetailed, writeConfigDir } from '../../scripts/lib/sharded-emulator';
import { emulatorS3Client } from '../../scripts/lib/state-bucket-ready';
import { requireTool, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { generatedConfigInput } from '../helpers/generated-config';

jest.setTimeout(10 * 60 * 1000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SHARDS = 2;
const NEWCOMER = 'newcomer';
const CORE = 'gateway-local';
const SHARD_IDS = [0, 1].map((k) => `gateway-local-tenants-${k}`);
const HOME = `gateway-local-tenants-${tenantShard(NEWCOMER, SHARDS)}`;
const OTHER = SHARD_IDS.find((id) => id !== HOME)!;

let moto: MotoServer | undefined;
let work: string;
/** Before and after the tenant is added: config directory and synthesized stacks. */
const before = { configDir: '', outdir: '' };
const after = { configDir: '', outdir: '' };
const timings: Record<string, number> = {};
const started = Date.now();

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await step();
  } finally {
    timings[label] = Math.round((Date.now() - t0) / 100) / 10;
  }
}

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  requireTool('moto_server', MOTO_HINT);
  work = mkdtempSync(path.join(tmpdir(), 'bag-shards-emulator-'));
  moto = await startMoto({ logFile: path.join(work, 'moto.log') });
  const input = generatedConfigInput({ tenants: 6, environment: 'local' });
  const environment = input.environments[0];
  environment.emulator = { endpoint: moto.endpoint, developmentIdp: { url: `http://127.0.0.1:${await freeLoopbackPort()}` } };
  environment.tenantShards = SHARDS;
  delete environment.edge;
  // Lean: no alarms, dashboard or account-wide API Gateway logging role (not what this test is about).
  environment.observability = { production: false, accessLogs: { retentionDays: 1 }, alarms: { enabled: false }, dashboard: false };
  const added = structuredClone(input);
  added.tenants.push({ id: NEWCOMER, tier: 'silver', identityProviders: ['okta'] });
  Object.assign(before, { configDir: writeConfigDir(path.join(work, 'before', 'config'), input), outdir: path.join(work, 'before', 'cdktf.out') });
  Object.assign(after, { configDir: writeConfigDir(path.join(work, 'after', 'config'), added), outdir: path.join(work, 'after', 'cdktf.out') });
  const state = environment.state as { bucket: string };
  await timed('synth (both configs, in parallel)', () =>
    Promise.all([synthesize({ outdir: before.outdir, configDir: before.configDir }), synthesize({ outdir: after.outdir, configDir: after.configDir }), createEmulatorStateBucket(moto!.endpoint, environment.region, state.bucket)]),
  );
});

afterAll(async () => {
  await moto?.stop();
  console.log(`tenant-shards-emulator timings (s): ${JSON.stringify({ ...timings, total: Math.round((Date.now() - started) / 100) / 10 })}`);
});

test('the core, then both shards, apply; then no stack plans a change', async () => {
  const core = stackDir(before.outdir, CORE);
  await timed('apply core', async () => {
    await init(core);
    await apply(core);
  });
  await timed('apply 2 shards (in parallel)', () => Promise.all(SHARD_IDS.map(async (id) => (await init(stackDir(before.outdir, id)), apply(stackDir(before.outdir, id))))));
  const plans = await timed('plan after apply (3 stacks, in parallel)', () => Promise.all([CORE, ...SHARD_IDS].map((id) => planDetailed(stackDir(before.outdir, id)))));
  expect(plans).toEqual([CORE, ...SHARD_IDS].map(() => ({ exitCode: 0, summary: 'no changes' })));

  // Each shard published its table, and only that, into the core's bucket.
  const bucket = String((await outputs(core)).tenant_table_bucket);
  expect(bucket).toMatch(/^bedrock-gw-local-tables-[0-9a-z]+$/);
  const s3 = emulatorS3Client(moto!.endpoint, 'us-east-1');
  const keys = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((o) => o.Key);
  s3.destroy();
  expect(keys).toEqual(['tenant-tables/tenants-0.json', 'tenant-tables/tenants-1.json']);
});

test('one tenant added: changes in its shard only (key, plan link, its table); none in the core or the other shard', async () => {
  await timed('init 3 stacks of the new config', () => Promise.all([CORE, ...SHARD_IDS].map((id) => init(stackDir(after.outdir, id)))));
  const [core, home, other] = await timed('plan with the tenant added (3 stacks, in parallel)', () => Promise.all([CORE, HOME, OTHER].map((id) => planDetailed(stackDir(after.outdir, id)))));
  expect({ core, home, other }).toEqual({
    core: { exitCode: 0, summary: 'no changes' },
    home: { exitCode: 2, summary: 'Plan: 2 to add, 1 to change, 0 to destroy.' },
    other: { exitCode: 0, summary: 'no changes' },
  });
});

test('through the local gateway, whose authorizer reads the tables from S3: the new tenant is refused until its shard is applied, then served', async () => {
  const { config } = loadConfig(after.configDir);
  const environment = config.environments[0];
  const core = stackDir(after.outdir, CORE);
  const out = await outputs(core);
  const model = effectiveModels(config, config.tenants.find((t) => t.id === NEWCOMER)!)[0];
  const call = async () => {
    const served = await serveLocalGateway({
      config,
      environment,
      stackDir: core,
      shards: { stackDirs: SHARD_IDS.map((id) => stackDir(after.outdir, id)), tenantTableBucket: String(out.tenant_table_bucket) },
      emulatorEndpoint: moto!.endpoint,
      restApiId: String(out.rest_api_id),
    });
    try {
      const token = mintDevToken(config, environment, { tenant: NEWCOMER });
      const response = await fetch(`${served.endpoint}/model/${encodeURIComponent(model)}/converse`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }),
      });
      return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> };
    } finally {
      await served.stop();
    }
  };
  // Its shard's table does not list it yet: a Deny policy (403), not a failure.
  expect(await call()).toEqual({ status: 403, errorType: 'AccessDeniedException', body: { message: 'Access denied: this caller may not invoke this model through the gateway', requestId: expect.any(String) } });
  await timed('apply the tenant\'s shard', () => apply(stackDir(after.outdir, HOME)));
  const served = await call();
  expect([served.status, (served.body.output as { message?: { role?: string } } | undefined)?.message?.role]).toEqual([200, 'assistant']);
});

test('destroying the shards, then the core, leaves nothing behind: no API, plan, key, function, alarm or dashboard, no tenant table bucket', async () => {
  await timed('destroy 2 shards (in parallel), then the core', async () => {
    await Promise.all(SHARD_IDS.map((id) => terraform(stackDir(after.outdir, id), ['destroy', '-auto-approve', ...TF_FLAGS])));
    await terraform(stackDir(after.outdir, CORE), ['destroy', '-auto-approve', ...TF_FLAGS]);
  });
  const { config } = loadConfig(after.configDir);
  const environment = config.environments[0];
  const clients = emulatorClients({ endpoint: moto!.endpoint, region: environment.region });
  try {
    expect(await leftovers(clients, resourceNamePrefix(environment), restApiName(environment))).toEqual({ restApis: [], usagePlans: [], apiKeys: [], functions: [], webAcls: [], ipSets: [], wafLogging: [], alarms: [], dashboards: [] });
  } finally {
    destroyClients(clients);
  }
  const s3 = emulatorS3Client(moto!.endpoint, environment.region);
  const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [];
  s3.destroy();
  expect(buckets.filter((name) => name?.startsWith(resourceNamePrefix(environment)))).toEqual([]);
});
