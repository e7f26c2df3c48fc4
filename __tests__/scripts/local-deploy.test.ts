/**
 * `npm start` and environments it cannot deploy: a sharded environment is refused with a message
 * naming the limitation, by the script itself (run as `npm start` runs it) before any tool or
 * emulator starts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SECTION_FILES } from '../../gateway-config/load';
import type { GatewayConfigInput } from '../../gateway-config/schema';
import { localDeployRefusal } from '../../scripts/lib/local-deploy';
import { REPO_ROOT, exampleConfig, exampleConfigWith, exampleInput } from '../helpers/config';

/** The example config with its `local` environment split into two tenant shards (budgets off: they cannot be combined). */
function shardLocal(input: GatewayConfigInput): void {
  const local = input.environments.find((e) => e.name === 'local')!;
  local.tenantShards = 2;
  delete local.tokenBudgets;
}

const REFUSAL =
  'environment local has tenantShards: 2, and npm start deploys and serves one stack (gateway-local): ' +
  "the tenants' API keys and usage plan links of a sharded environment live in 2 shard stacks (gateway-local-tenants-0 to -1) that it does not deploy. " +
  'Remove tenantShards from environment local, or deploy a sharded environment on the emulator with npm run bench:shards-emulator (docs/scaling.md).';

test('the example\'s local environment is deployable; a sharded one is refused, naming the limitation', () => {
  expect(localDeployRefusal(exampleConfig().environments.find((e) => e.name === 'local')!)).toBeUndefined();
  expect(localDeployRefusal(exampleConfigWith(shardLocal).environments.find((e) => e.name === 'local')!)).toBe(REFUSAL);
});

test('npm start with a sharded local environment exits 1 with that message, before starting the emulator', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bag-start-sharded-'));
  try {
    const input = exampleInput();
    shardLocal(input);
    for (const [section, base] of Object.entries(SECTION_FILES)) writeFileSync(path.join(dir, `${base}.json`), JSON.stringify(input[section as keyof GatewayConfigInput]));
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/local-deploy.ts', '--no-serve'], { cwd: REPO_ROOT, env: { ...process.env, GATEWAY_CONFIG_DIR: dir } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run).toEqual({ code: 1, stdout: '', stderr: `Cannot deploy locally: ${REFUSAL}\n` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
