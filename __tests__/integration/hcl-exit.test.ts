/**
 * Leaving CDKTF, end to end on the emulator: the `local` gateway stack is deployed from its
 * Terraform JSON (state in S3 on its own moto_server, as `npm start` does it), then
 * `npm run export:hcl` writes the stack as plain Terraform, and Terraform run in that directory,
 * against the same state, plans no change and sees the same resource addresses. The reverse
 * holds too: applying from the HCL changes nothing, and the JSON still plans no change after it.
 *
 * The state bucket is created with the AWS SDK (versioned, as the gateway's backend needs)
 * instead of by applying the bootstrap stack, which spends about 70 s settling a lifecycle rule
 * that has nothing to do with this proof. Missing tools fail the suite (never skip).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { apply, init, localTarget, REPO_ROOT, stackDir, synthesize, terraform, TF_FLAGS, type LocalTarget } from '../../scripts/lib/local-deploy';
import { MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { emulatorS3Client } from '../../scripts/lib/state-bucket-ready';
import { requireTool, runTerraform, TERRAFORM_HINT } from '../../scripts/lib/terraform';

jest.setTimeout(10 * 60 * 1000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let moto: MotoServer | undefined;
let s3: S3Client | undefined;
let workDir: string;
let target: LocalTarget;
let jsonDir: string;
let hclDir: string;
let addressesFromJson: string[];
const timings: Record<string, number> = {};

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await work();
  } finally {
    timings[label] = (Date.now() - t0) / 1000;
  }
}

/** `npm run export:hcl -- <args>` in the repository, as a user runs it. */
function npmExport(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'export:hcl', '--', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function stateList(dir: string): Promise<string[]> {
  return (await terraform(dir, ['state', 'list'])).stdout.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  requireTool('moto_server', MOTO_HINT);
  const t0 = Date.now();
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-hcl-exit-'));
  moto = await startMoto({ logFile: path.join(workDir, 'moto.log') });
  target = localTarget();
  const outdir = path.join(workDir, 'cdktf.out');
  s3 = emulatorS3Client(moto.endpoint, target.stateTarget.region);
  const bucket = target.stateTarget.bucket;
  await Promise.all([
    timed('synth', () => synthesize({ endpoint: moto!.endpoint, outdir })),
    timed('state bucket (SDK)', async () => {
      await s3!.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3!.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }),
  ]);
  jsonDir = stackDir(outdir, target.gatewayStackId);
  hclDir = path.join(workDir, 'exported', target.gatewayStackId);
  await init(jsonDir);
  await timed('apply from JSON', () => apply(jsonDir));
  addressesFromJson = await stateList(jsonDir);
  timings['setup total'] = (Date.now() - t0) / 1000;
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`hcl-exit timings (s): ${JSON.stringify(timings)}\n`);
});

test('the emulator is on the loopback interface and the JSON deploy recorded the stack in S3 state', () => {
  expect(new URL(moto!.endpoint).hostname).toBe('127.0.0.1');
  expect(addressesFromJson).toEqual(expect.arrayContaining(['aws_api_gateway_rest_api.rest-api_1547DDCA', 'aws_lambda_function.authorizer_function_0D88CC7F']));
  expect(addressesFromJson.length).toBeGreaterThan(50);
});

test('npm run export:hcl writes the stack as plain Terraform', async () => {
  const run = await timed('export:hcl', () => npmExport([target.gatewayStackId, '--out', hclDir], { GATEWAY_EMULATOR_ENDPOINT: moto!.endpoint }));
  expect([run.code, run.code === 0 ? '' : run.output]).toEqual([0, '']);
  expect(run.output).toContain(`Exported ${target.gatewayStackId} to `);
  expect(run.output).toContain(`State: S3 bucket \`${target.stateTarget.bucket}\``);
});

test('from the exported directory, against the same S3 state, terraform plan -detailed-exitcode finds no change', async () => {
  await timed('init exported', () => init(hclDir));
  const plan = await timed('plan from HCL', () => runTerraform(hclDir, ['plan', '-detailed-exitcode', ...TF_FLAGS]));
  expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
  expect(plan.stdout).toContain('No changes. Your infrastructure matches the configuration.');
});

test('the exported directory sees exactly the resource addresses the JSON deploy wrote', async () => {
  expect(await stateList(hclDir)).toEqual(addressesFromJson);
});

// The apply still writes a state version: its refresh is the first read after create, which
// fills attributes left null at create (tags = {}, layers = [], the roles' inline policies).
test('the reverse: applying from the HCL changes nothing, and the JSON still plans no change afterwards', async () => {
  const applied = await timed('apply from HCL', () => apply(hclDir));
  expect(applied.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
  expect(await stateList(hclDir)).toEqual(addressesFromJson);
  const plan = await timed('plan from JSON after', () => runTerraform(jsonDir, ['plan', '-detailed-exitcode', ...TF_FLAGS]));
  expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
  expect(await stateList(jsonDir)).toEqual(addressesFromJson);
});
