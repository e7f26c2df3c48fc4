/**
 * Plan summaries from real Terraform plans: every action on built-in `terraform_data`
 * resources (local state, no provider, about a second), and `npm run plan -- local` against
 * its own moto_server with the state bucket made through the AWS SDK. Fails, never skips,
 * without Terraform or moto_server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { formatPlanSummary, summarizePlan } from '../../review/plan-summary';
import { localTarget } from '../../scripts/lib/local-deploy';
import { MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { emulatorS3Client } from '../../scripts/lib/state-bucket-ready';
import { requireTool, runTerraform, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { parsePlanArgs } from '../../scripts/plan';
import { REPO_ROOT } from '../helpers/config';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let workDir: string;

beforeAll(() => {
  requireTool('terraform', TERRAFORM_HINT);
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-plan-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Writes a configuration of `terraform_data` resources into `dir`. */
function writeConfig(dir: string, resources: Record<string, Record<string, unknown>>): void {
  writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ resource: { terraform_data: resources } }));
}

async function tf(dir: string, ...args: string[]): Promise<string> {
  const result = await runTerraform(dir, [...args, '-no-color']);
  if (result.code !== 0) throw new Error(`terraform ${args[0]}: ${result.stderr}`);
  return result.stdout;
}

test('destroyed and replaced resources are named first, with the attributes that force or change them', async () => {
  const dir = mkdtempSync(path.join(workDir, 'data-'));
  writeConfig(dir, { keep: { input: 'a' }, changed: { input: 'a' }, replaced: { triggers_replace: 'a' }, gone: { input: 'a' } });
  await tf(dir, 'init', '-input=false');
  await tf(dir, 'apply', '-auto-approve', '-input=false');
  writeConfig(dir, { keep: { input: 'a' }, changed: { input: 'b' }, replaced: { triggers_replace: 'b' }, added: { input: 'c' }, added_too: { input: 'd' } });
  await tf(dir, 'plan', '-input=false', '-out=plan.tfplan');
  const plan = JSON.parse(await tf(dir, 'show', '-json', 'plan.tfplan'));

  expect(formatPlanSummary(summarizePlan('data', plan)).split('\n')).toEqual([
    '### Plan for data: 2 to create, 1 to update, 1 to replace, 1 to destroy',
    '',
    '**Destroyed (1)**',
    '',
    '- `terraform_data.gone`',
    '',
    '**Replaced (1)**',
    '',
    '- `terraform_data.replaced` (forced by triggers_replace)',
    '',
    '**Updated (1)**',
    '',
    '- `terraform_data.changed` (changing input, output)',
    '',
    '**Created (2)**',
    '',
    '| type | count |',
    '|---|---|',
    '| terraform_data | 2 |',
    '',
  ]);
  await tf(dir, 'apply', '-auto-approve', '-input=false', 'plan.tfplan');
  await tf(dir, 'plan', '-input=false', '-out=plan.tfplan');
  expect(formatPlanSummary(summarizePlan('data', JSON.parse(await tf(dir, 'show', '-json', 'plan.tfplan'))))).toBe('### Plan for data: no changes\n');
}, 180_000);

test('arguments', () => {
  expect(parsePlanArgs(['prod', '--json'])).toEqual({ environment: 'prod', outDir: path.join(REPO_ROOT, '.local', 'plan', 'prod'), json: true });
  expect(parsePlanArgs([])).toBe('name an environment\nusage: npm run plan -- <environment> [--out <dir>] [--json]');
  expect(parsePlanArgs(['prod', 'dev'])).toBe('unexpected argument dev\nusage: npm run plan -- <environment> [--out <dir>] [--json]');
});

describe('npm run plan -- local, against the emulator', () => {
  let moto: MotoServer | undefined;

  beforeAll(async () => {
    requireTool('moto_server', MOTO_HINT);
    moto = await startMoto({ logFile: path.join(workDir, 'moto.log') });
  });
  afterAll(async () => {
    await moto?.stop();
  });

  test('plans the local gateway stack into its versioned state bucket and summarizes it exactly', async () => {
    const started = Date.now();
    const { stateTarget } = localTarget();
    // The state bucket through the SDK: the bootstrap stack would spend about a minute settling its lifecycle rule.
    const s3 = emulatorS3Client(moto!.endpoint, stateTarget.region);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: stateTarget.bucket }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: stateTarget.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    } finally {
      s3.destroy();
    }
    const out = path.join(workDir, 'plan-local');
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/plan.ts', 'local', '--out', out], {
        cwd: REPO_ROOT,
        env: { ...process.env, GATEWAY_EMULATOR_ENDPOINT: moto!.endpoint },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
    expect([run.code, run.code === 0 ? '' : run.stderr]).toEqual([0, '']);

    // Expected: every resource of the synthesized stack, created; counted by type from cdk.tf.json itself.
    const synthesized = JSON.parse(readFileSync(path.join(out, 'cdktf.out', 'stacks', 'gateway-local', 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
    const byType = Object.entries(synthesized.resource).map(([type, r]) => [type, Object.keys(r).length] as const).sort(([a], [b]) => a.localeCompare(b));
    const total = byType.reduce((n, [, c]) => n + c, 0);
    expect(run.stdout.split('\n')).toEqual([
      `### Plan for gateway-local: ${total} to create, 0 to update, 0 to replace, 0 to destroy`,
      '',
      `**Created (${total})**`,
      '',
      '| type | count |',
      '|---|---|',
      ...byType.map(([type, n]) => `| ${type} | ${n} |`),
      '',
      `Plan JSON: ${path.relative(REPO_ROOT, path.join(out, 'gateway-local.plan.json'))}`,
      '',
    ]);
    expect(total).toBeGreaterThan(50);
    const plan = JSON.parse(readFileSync(path.join(out, 'gateway-local.plan.json'), 'utf8'));
    expect(plan.resource_changes.filter((c: { mode: string }) => c.mode === 'managed')).toHaveLength(total);
    process.stdout.write(`plan test against the emulator: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 360_000);
});
