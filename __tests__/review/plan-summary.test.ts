/**
 * Plan summaries from real Terraform plans: every action on built-in `terraform_data`
 * resources (local state, no provider, about a second), and `npm run plan -- local` against
 * its own moto_server with the state bucket made through the AWS SDK. Fails, never skips,
 * without Terraform or moto_server.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { SECTION_FILES } from '../../gateway-config/load';
import { formatEnvironmentPlan, formatPlanSummary, summarizePlan, type PlanSummary } from '../../review/plan-summary';
import { localTarget } from '../../scripts/lib/local-deploy';
import { MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { emulatorS3Client } from '../../scripts/lib/state-bucket-ready';
import { requireTool, runTerraform, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { parsePlanArgs } from '../../scripts/plan';
import { REPO_ROOT } from '../helpers/config';
import { generatedConfigInput } from '../helpers/generated-config';

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

const USAGE = 'usage: npm run plan -- <environment> [--only core|shards] [--parallel <n>] [--out <dir>] [--json]';

test('arguments', () => {
  expect(parsePlanArgs(['prod', '--json'])).toEqual({ environment: 'prod', outDir: path.join(REPO_ROOT, '.local', 'plan', 'prod'), json: true, parallel: 4 });
  expect(parsePlanArgs(['prod', '--only', 'shards', '--parallel', '2', '--out', 'w'])).toEqual({ environment: 'prod', outDir: path.resolve('w'), json: false, only: 'shards', parallel: 2 });
  expect(parsePlanArgs([])).toBe(`name an environment\n${USAGE}`);
  expect(parsePlanArgs(['prod', 'dev'])).toBe(`unexpected argument dev\n${USAGE}`);
  expect(parsePlanArgs(['prod', '--only', 'tenants'])).toBe(`--only must be core or shards, got tenants\n${USAGE}`);
  expect(parsePlanArgs(['prod', '--parallel', '0'])).toBe(`--parallel must be a whole number from 1 to 16, got 0\n${USAGE}`);
});

describe('an environment of several stacks', () => {
  const summary = (stack: string, create: number, update: number): PlanSummary => ({
    stack,
    counts: { create, update, replace: 0, destroy: 0 },
    changes: [
      ...Array.from({ length: create }, (_, i) => ({ address: `aws_api_gateway_api_key.k${i}`, type: 'aws_api_gateway_api_key', action: 'create' as const, attributes: [] })),
      ...Array.from({ length: update }, () => ({ address: 'aws_lambda_function.authorizer', type: 'aws_lambda_function', action: 'update' as const, attributes: ['source_code_hash'] })),
    ],
  });
  const planned = (stack: string, role: 'core' | 'shard', create: number, update: number) =>
    ({ stack, role, status: 'planned', summary: summary(stack, create, update), planFile: `/w/${stack}.tfplan`, planJsonPath: `/w/${stack}.plan.json` }) as const;

  test('a total line first, then one summary per stack in apply order; a failed shard is shown with its error', () => {
    const text = formatEnvironmentPlan({
      environment: 'prod',
      stacks: [planned('gateway-prod', 'core', 0, 1), planned('gateway-prod-tenants-0', 'shard', 2, 0), { stack: 'gateway-prod-tenants-1', role: 'shard', status: 'failed', error: 'Error: throttled\n' }],
    });
    expect(text.split('\n')).toEqual([
      '**Total for prod, 2 of 3 stacks planned: 2 to create, 1 to update, 0 to replace, 0 to destroy; 1 stack failed to plan**',
      '',
      '### Plan for gateway-prod: 0 to create, 1 to update, 0 to replace, 0 to destroy',
      '',
      '**Updated (1)**',
      '',
      '- `aws_lambda_function.authorizer` (changing source_code_hash)',
      '',
      '### Plan for gateway-prod-tenants-0: 2 to create, 0 to update, 0 to replace, 0 to destroy',
      '',
      '**Created (2)**',
      '',
      '| type | count |',
      '|---|---|',
      '| aws_api_gateway_api_key | 2 |',
      '',
      '### Plan for gateway-prod-tenants-1: failed',
      '',
      '```',
      'Error: throttled',
      '```',
      '',
      'Plan JSON: /w/gateway-prod.plan.json, /w/gateway-prod-tenants-0.plan.json',
      '',
    ]);
  });

  test('a single stack prints as it always did; nothing to plan says so', () => {
    expect(formatEnvironmentPlan({ environment: 'dev', stacks: [planned('gateway-dev', 'core', 0, 1)] }, (f) => f.replace('/w/', ''))).toBe(
      `${formatPlanSummary(summary('gateway-dev', 0, 1))}\nPlan JSON: gateway-dev.plan.json\n`,
    );
    expect(formatEnvironmentPlan({ environment: 'dev', stacks: [], note: 'environment dev has no tenant shards: nothing to plan' })).toBe('environment dev has no tenant shards: nothing to plan\n');
  });
});

/** `tsx scripts/plan.ts <args>` from the repository, as `npm run plan` runs it. */
function runPlan(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/plan.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Resource counts by type of a synthesized stack, sorted, and their total. */
function synthesizedCounts(outdir: string, stack: string): { byType: Array<readonly [string, number]>; total: number } {
  const synthesized = JSON.parse(readFileSync(path.join(outdir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
  const byType = Object.entries(synthesized.resource).map(([type, r]) => [type, Object.keys(r).length] as const).sort(([a], [b]) => a.localeCompare(b));
  return { byType, total: byType.reduce((n, [, c]) => n + c, 0) };
}

/** The summary lines of a stack whose plan creates every synthesized resource. */
function createsEverything(stack: string, { byType, total }: ReturnType<typeof synthesizedCounts>): string[] {
  return [`### Plan for ${stack}: ${total} to create, 0 to update, 0 to replace, 0 to destroy`, '', `**Created (${total})**`, '', '| type | count |', '|---|---|', ...byType.map(([type, n]) => `| ${type} | ${n} |`)];
}

describe('npm run plan -- local, against the emulator', () => {
  let moto: MotoServer | undefined;

  beforeAll(async () => {
    requireTool('moto_server', MOTO_HINT);
    moto = await startMoto({ logFile: path.join(workDir, 'moto.log') });
    // The state bucket through the SDK: the bootstrap stack would spend about a minute settling its lifecycle rule.
    const { stateTarget } = localTarget();
    const s3 = emulatorS3Client(moto.endpoint, stateTarget.region);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: stateTarget.bucket }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: stateTarget.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    } finally {
      s3.destroy();
    }
  });
  afterAll(async () => {
    await moto?.stop();
  });

  test('plans the local gateway stack into its versioned state bucket and summarizes it exactly', async () => {
    const started = Date.now();
    const out = path.join(workDir, 'plan-local');
    const run = await runPlan(['local', '--out', out], { GATEWAY_EMULATOR_ENDPOINT: moto!.endpoint });
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

  test('tenant shards: the core first; the shards are not planned until the core is applied, then planned (--only shards) one summary each under a total line', async () => {
    const started = Date.now();
    // 3 tenants in 2 shards (t00002 and t00003 hash to tenants-0, t00001 to tenants-1), no WAF.
    const input = generatedConfigInput({ tenants: 3, environment: 'local' });
    const env = input.environments[0];
    env.tenantShards = 2;
    delete env.edge;
    env.emulator = { ...env.emulator, endpoint: moto!.endpoint };
    // State keys of its own in the bucket the test above plans into.
    env.state = { ...env.state, keyPrefix: 'plan-shards-test' } as typeof env.state;
    const configDir = path.join(workDir, 'sharded-config');
    mkdirSync(configDir);
    for (const [section, base] of Object.entries(SECTION_FILES)) writeFileSync(path.join(configDir, `${base}.json`), JSON.stringify(input[section as keyof typeof input]));
    const env_ = { GATEWAY_CONFIG_DIR: configDir };
    const rel = (dir: string, stack: string) => path.relative(REPO_ROOT, path.join(dir, `${stack}.plan.json`));

    // Every stack, before the core is applied: the core planned, the shards not planned, with the reason once.
    const first = path.join(workDir, 'shards-first');
    const before = await runPlan(['local', '--out', first], env_);
    expect([before.code, before.stderr]).toEqual([0, '']);
    const core = synthesizedCounts(first, 'gateway-local');
    // The core outputs the synthesized shards read from its state (at least the tier plans' ids).
    const read = [
      ...new Set(
        ['gateway-local-tenants-0', 'gateway-local-tenants-1'].flatMap((stack) => [...readFileSync(path.join(first, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8').matchAll(/terraform_remote_state\.core\.outputs\.(\w+)/g)].map((m) => m[1])),
      ),
    ].sort();
    expect(read).toContain('tier_usage_plan_ids');
    const reason =
      `the tenant shards read the core stack's outputs (${read.join(', ')}) from its state, and gateway-local has not been applied with tenant shards yet: ` +
      'its state has no outputs yet. Apply gateway-local first, then plan the shards: npm run plan -- local --only shards';
    expect(before.stdout.split('\n')).toEqual([
      `**Total for local, 1 of 3 stacks planned: ${core.total} to create, 0 to update, 0 to replace, 0 to destroy; 2 stacks not planned**`,
      '',
      `Not planned (\`gateway-local-tenants-0\`, \`gateway-local-tenants-1\`): ${reason}`,
      '',
      ...createsEverything('gateway-local', core),
      '',
      '### Plan for gateway-local-tenants-0: not planned',
      '',
      '### Plan for gateway-local-tenants-1: not planned',
      '',
      `Plan JSON: ${rel(first, 'gateway-local')}`,
      '',
    ]);

    // As the deploy workflow does: apply exactly the core's saved plan, then plan the shards only.
    const applied = await runTerraform(path.join(first, 'cdktf.out', 'stacks', 'gateway-local'), ['apply', '-input=false', '-no-color', path.join(first, 'gateway-local.tfplan')]);
    expect([applied.code, applied.code === 0 ? '' : applied.stderr]).toEqual([0, '']);
    const second = path.join(workDir, 'shards-second');
    const after = await runPlan(['local', '--only', 'shards', '--out', second], env_);
    expect([after.code, after.stderr]).toEqual([0, '']);
    const shard0 = synthesizedCounts(second, 'gateway-local-tenants-0');
    const shard1 = synthesizedCounts(second, 'gateway-local-tenants-1');
    // Each tenant's API key and plan link in its shard: t00002 and t00003 in tenants-0, t00001 in tenants-1.
    const count = (c: typeof shard0, type: string) => c.byType.find(([t]) => t === type)?.[1];
    expect([shard0, shard1].map((c) => [count(c, 'aws_api_gateway_api_key'), count(c, 'aws_api_gateway_usage_plan_key')])).toEqual([[2, 2], [1, 1]]);
    expect(after.stdout.split('\n')).toEqual([
      `**Total for local, 2 stacks: ${shard0.total + shard1.total} to create, 0 to update, 0 to replace, 0 to destroy**`,
      '',
      ...createsEverything('gateway-local-tenants-0', shard0),
      '',
      ...createsEverything('gateway-local-tenants-1', shard1),
      '',
      `Plan JSON: ${['gateway-local-tenants-0', 'gateway-local-tenants-1'].map((s) => rel(second, s)).join(', ')}`,
      '',
    ]);
    process.stdout.write(`sharded plan test against the emulator: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 300_000);
});
