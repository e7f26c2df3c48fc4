/**
 * `npm run bench:shards-emulator -- [tenants] [shards]` (default 20 tenants, 2 shards): a sharded environment on the emulator
 * (moto_server on 127.0.0.1): deploys the state bucket, the core stack and every shard, plans every
 * stack after apply, adds one tenant and plans every stack again (which stacks change, and how),
 * then destroys the shards and the core. Prints timings. An experiment, not a test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { init, apply, stackDir, synthesize, terraform, TF_FLAGS } from '../scripts/lib/local-deploy';
import { planDetailed, writeConfigDir } from '../scripts/lib/sharded-emulator';
import { startMoto } from '../scripts/lib/moto';
import { emulatorS3Client, waitForVersionedBucket } from '../scripts/lib/state-bucket-ready';
import { generatedConfigInput } from '../__tests__/helpers/generated-config';

const TENANTS = Number(process.argv[2] ?? 20);
const SHARDS = Number(process.argv[3] ?? 2);

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t = Date.now();
  const result = await work();
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
    for (const id of ['gateway-local', ...shardIds]) console.log(`plan after apply, ${id}: ${await timed(`  plan ${id}`, () => plan(stackDir(outdir, id)))}`);

    // One tenant added: which stacks plan changes?
    const added = structuredClone(input);
    added.tenants.push({ id: 'newcomer', tier: 'silver', identityProviders: ['okta'] });
    const outdirB = path.join(work, 'b', 'cdktf.out');
    await synthesize({ outdir: outdirB, configDir: writeConfigDir(path.join(work, 'b', 'config'), added) });
    for (const id of ['gateway-local', ...shardIds]) {
      const dir = stackDir(outdirB, id);
      await init(dir);
      console.log(`plan with one tenant added, ${id}: ${await timed(`  plan ${id}`, () => plan(dir))}`);
    }
    await timed('destroy shards and core', async () => {
      await Promise.all(shardIds.map((id) => terraform(stackDir(outdir, id), ['destroy', '-auto-approve', ...TF_FLAGS])));
      await terraform(core, ['destroy', '-auto-approve', ...TF_FLAGS]);
    });
  } finally {
    await moto.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
