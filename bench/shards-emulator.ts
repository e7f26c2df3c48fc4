/**
 * `npm run bench:shards-emulator -- [tenants] [shards] [--sharded-only]` (default 20 tenants, 2 shards): a sharded environment on the emulator
 * (moto_server on 127.0.0.1): deploys the state bucket, the core stack and every shard, plans every
 * stack after apply, adds one tenant and plans every stack again (which stacks change, and how),
 * then destroys the shards and the core. Prints timings. An experiment, not a test.
 *
 * Then, in the same run, the unsharded side at the same tenant count on a fresh moto_server (the
 * same generated config without `tenantShards`): deploy, plan after apply, one tenant added, destroy;
 * and a table of both sides with ratios (sharded / unsharded). `--sharded-only` skips it.
 * `npm run bench:scale -- --emulator` runs this as its emulator half.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { init, apply, stackDir, synthesize, terraform, TF_FLAGS } from '../scripts/lib/local-deploy';
import { planDetailed, writeConfigDir } from '../scripts/lib/sharded-emulator';
import { startMoto } from '../scripts/lib/moto';
import { emulatorS3Client, waitForVersionedBucket } from '../scripts/lib/state-bucket-ready';
import { generatedConfigInput } from '../__tests__/helpers/generated-config';

const TENANTS = Number(process.argv[2] ?? 20);
const SHARDS = Number(process.argv[3] ?? 2);
/** The unsharded side of the comparison runs unless `--sharded-only`. */
const COMPARE = !process.argv.includes('--sharded-only');
/** Seconds of each `timed` step, by label, for the comparison table. */
const TIMINGS = new Map<string, number>();
/** Load averages (1, 5, 15 min) when each side starts: the machine may be shared. */
const LOAD_AT_START: Record<'sharded' | 'unsharded', number[]> = { sharded: loadavg(), unsharded: [] };
/** The sharded side's plan results with one tenant added, by stack id. */
const ADDED_PLANS = new Map<string, string>();

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t = Date.now();
  const result = await work();
  TIMINGS.set(label.trim(), (Date.now() - t) / 1000);
  console.log(`${label}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return result;
}

/** The plan's summary line, or "no changes". */
async function plan(dir: string): Promise<string> {
  return (await planDetailed(dir)).summary;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'bag-shards-emulator-'));
  const moto = await startMoto({ logFile: path.join(work, 'moto.log') });
  try {
    const input = generatedConfigInput({ tenants: TENANTS, environment: 'local' });
    const env = input.environments[0];
    env.emulator = { endpoint: moto.endpoint };
    env.tenantShards = SHARDS;
    delete env.edge;
    const shardIds = Array.from({ length: SHARDS }, (_, k) => `gateway-local-tenants-${k}`);
    const outdir = path.join(work, 'a', 'cdktf.out');
    shardedOutdir = outdir;
    await timed('synth', () => synthesize({ outdir, configDir: writeConfigDir(path.join(work, 'a', 'config'), input) }));
    const stateStack = 'state-bedrock-gateway-local-tfstate';
    const stateDir = stackDir(outdir, stateStack);
    await init(stateDir, { statePath: path.join(work, 'state.tfstate') });
    const stateApply = apply(stateDir);
    stateApply.catch(() => undefined);
    const s3 = emulatorS3Client(moto.endpoint, env.region);
    await waitForVersionedBucket(s3, 'bedrock-gateway-local-tfstate', stateApply);
    s3.destroy();
    const core = stackDir(outdir, 'gateway-local');
    await timed('apply core', async () => {
      await init(core);
      await apply(core);
    });
    await timed(`apply ${SHARDS} shards`, () => Promise.all(shardIds.map(async (id) => (await init(stackDir(outdir, id)), apply(stackDir(outdir, id))))));
    await stateApply;
    for (const id of ['gateway-local', ...shardIds]) console.log(`plan after apply, ${id}: ${await timed(`  plan after apply ${id}`, () => plan(stackDir(outdir, id)))}`);

    // One tenant added: which stacks plan changes?
    const added = structuredClone(input);
    added.tenants.push({ id: 'newcomer', tier: 'silver', identityProviders: ['okta'] });
    const outdirB = path.join(work, 'b', 'cdktf.out');
    await synthesize({ outdir: outdirB, configDir: writeConfigDir(path.join(work, 'b', 'config'), added) });
    for (const id of ['gateway-local', ...shardIds]) {
      const dir = stackDir(outdirB, id);
      await init(dir);
      const result = await timed(`  plan one tenant added ${id}`, () => plan(dir));
      ADDED_PLANS.set(id, result);
      console.log(`plan with one tenant added, ${id}: ${result}`);
    }
    await timed('destroy shards and core', async () => {
      await Promise.all(shardIds.map((id) => terraform(stackDir(outdir, id), ['destroy', '-auto-approve', ...TF_FLAGS])));
      await terraform(core, ['destroy', '-auto-approve', ...TF_FLAGS]);
    });
  } finally {
    await moto.stop();
  }
  if (COMPARE) console.log(`\n${comparisonTable(await unshardedSide(work))}`);
}

interface UnshardedFigures {
  readonly resources: number;
  readonly applyS: number;
  readonly planAfterApplyS: number;
  readonly planAfterApply: string;
  readonly planOneTenantAddedS: number;
  readonly planOneTenantAdded: string;
  readonly destroyS: number;
}

/** Resources in a synthesized stack's cdk.tf.json. */
function resourceCount(dir: string): number {
  const json = JSON.parse(readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
  return Object.values(json.resource ?? {}).reduce((n, r) => n + Object.keys(r).length, 0);
}

/**
 * The same tenants without shards, on a fresh moto_server (so neither side meets the other's
 * leftovers): one stack `gateway-local` deployed, planned after apply, planned with one tenant
 * added (the same tenant as the sharded side), destroyed. The state bucket is made through the
 * SDK: its time is in neither side's figures.
 */
async function unshardedSide(work: string): Promise<UnshardedFigures> {
  console.log(`\nunsharded: ${TENANTS} tenants in one stack, fresh moto_server`);
  LOAD_AT_START.unsharded = loadavg();
  const moto = await startMoto({ logFile: path.join(work, 'moto-unsharded.log') });
  try {
    const input = generatedConfigInput({ tenants: TENANTS, environment: 'local' });
    const env = input.environments[0];
    env.emulator = { endpoint: moto.endpoint };
    delete env.edge;
    const outdir = path.join(work, 'u', 'cdktf.out');
    await timed('unsharded synth', () => synthesize({ outdir, configDir: writeConfigDir(path.join(work, 'u', 'config'), input) }));
    const s3 = emulatorS3Client(moto.endpoint, env.region);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'bedrock-gateway-local-tfstate' }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: 'bedrock-gateway-local-tfstate', VersioningConfiguration: { Status: 'Enabled' } }));
    } finally {
      s3.destroy();
    }
    const dir = stackDir(outdir, 'gateway-local');
    const applyS = await seconds('unsharded apply', async () => (await init(dir), apply(dir)));
    const [planAfterApplyS, planAfterApply] = await secondsWith('unsharded plan after apply', () => plan(dir));
    const added = structuredClone(input);
    added.tenants.push({ id: 'newcomer', tier: 'silver', identityProviders: ['okta'] });
    const outdirB = path.join(work, 'ub', 'cdktf.out');
    await synthesize({ outdir: outdirB, configDir: writeConfigDir(path.join(work, 'ub', 'config'), added) });
    const dirB = stackDir(outdirB, 'gateway-local');
    await init(dirB);
    const [planOneTenantAddedS, planOneTenantAdded] = await secondsWith('unsharded plan one tenant added', () => plan(dirB));
    const destroyS = await seconds('unsharded destroy', () => terraform(dir, ['destroy', '-auto-approve', ...TF_FLAGS]));
    return { resources: resourceCount(dir), applyS, planAfterApplyS, planAfterApply, planOneTenantAddedS, planOneTenantAdded, destroyS };
  } finally {
    await moto.stop();
  }
}

async function seconds(label: string, work: () => Promise<unknown>): Promise<number> {
  await timed(label, work);
  return TIMINGS.get(label)!;
}

async function secondsWith<T>(label: string, work: () => Promise<T>): Promise<[number, T]> {
  const result = await timed(label, work);
  console.log(`  ${label}: ${String(result)}`);
  return [TIMINGS.get(label)!, result];
}

/** Both sides, side by side, from the sharded side's TIMINGS and ADDED_PLANS and the unsharded figures. */
function comparisonTable(u: UnshardedFigures): string {
  const shardIds = Array.from({ length: SHARDS }, (_, k) => `gateway-local-tenants-${k}`);
  const all = ['gateway-local', ...shardIds];
  const t = (label: string) => TIMINGS.get(label) ?? NaN;
  const sum = (labels: readonly string[]) => labels.reduce((n, l) => n + t(l), 0);
  const changed = all.filter((id) => ADDED_PLANS.has(id) && ADDED_PLANS.get(id) !== 'no changes');
  const shardedResources = resourceCountsOfLastSynth();
  const rows: Array<[string, string, number, string, number]> = [
    ['resources', `${u.resources}`, u.resources, `${shardedResources.total} (core ${shardedResources.core}, shards ${shardedResources.shards.join(' / ')})`, shardedResources.total],
    ['deploy: apply (incl. init)', `${u.applyS.toFixed(1)} s`, u.applyS, `${(t('apply core') + t(`apply ${SHARDS} shards`)).toFixed(1)} s (core ${t('apply core').toFixed(1)} s, then ${SHARDS} shards in parallel ${t(`apply ${SHARDS} shards`).toFixed(1)} s)`, t('apply core') + t(`apply ${SHARDS} shards`)],
    ['plan after apply: every stack, one after another', `${u.planAfterApplyS.toFixed(1)} s`, u.planAfterApplyS, `${sum(all.map((id) => `plan after apply ${id}`)).toFixed(1)} s (${all.length} stacks)`, sum(all.map((id) => `plan after apply ${id}`))],
    ['plan after apply: the slowest single stack', `${u.planAfterApplyS.toFixed(1)} s`, u.planAfterApplyS, `${Math.max(...all.map((id) => t(`plan after apply ${id}`))).toFixed(1)} s`, Math.max(...all.map((id) => t(`plan after apply ${id}`)))],
    ['one tenant added: plan of the stacks that change', `${u.planOneTenantAddedS.toFixed(1)} s`, u.planOneTenantAddedS, `${sum(changed.map((id) => `plan one tenant added ${id}`)).toFixed(1)} s (${changed.join(' + ') || 'none'})`, sum(changed.map((id) => `plan one tenant added ${id}`))],
    ['destroy', `${u.destroyS.toFixed(1)} s`, u.destroyS, `${t('destroy shards and core').toFixed(1)} s`, t('destroy shards and core')],
  ];
  const header = ['', 'unsharded (1 stack)', `sharded (core + ${SHARDS} shards)`, 'sharded / unsharded'];
  const lines = rows.map(([label, a, av, b, bv]) => [label, a, b, `${(bv / av).toFixed(2)}x`]);
  const widths = header.map((_, c) => Math.max(...[header, ...lines].map((r) => r[c].length)));
  const render = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [
    `shards on the emulator: ${TENANTS.toLocaleString('en-US')} tenants, unsharded vs ${SHARDS} shards, one run (node ${process.version}; ` +
      `load average 1/5/15 min at the start of the sharded side ${load(LOAD_AT_START.sharded)}, of the unsharded side ${load(LOAD_AT_START.unsharded)}, at the end ${load(loadavg())})`,
    render(header),
    '-'.repeat(widths.reduce((a, b) => a + b + 2, 0)),
    ...lines.map(render),
    `plan results with one tenant added: unsharded ${u.planOneTenantAdded}; sharded ${all.map((id) => `${id}: ${ADDED_PLANS.get(id) ?? 'not planned'}`).join('; ')}`,
    `plan results after apply: unsharded ${u.planAfterApply}`,
  ].join('\n');
}

const load = (values: readonly number[]) => values.map((l) => l.toFixed(1)).join('/');

/** Resource counts of the sharded side's first synth (the work directory's `a`). */
let shardedOutdir = '';
function resourceCountsOfLastSynth(): { core: number; shards: number[]; total: number } {
  const core = resourceCount(stackDir(shardedOutdir, 'gateway-local'));
  const shards = Array.from({ length: SHARDS }, (_, k) => resourceCount(stackDir(shardedOutdir, `gateway-local-tenants-${k}`)));
  return { core, shards, total: core + shards.reduce((a, b) => a + b, 0) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
