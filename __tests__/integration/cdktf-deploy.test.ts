/**
 * The documented `npm run cdktf -- deploy <stack>` path, end to end on its own emulator:
 * cdktf-cli synthesizes, initialises Terraform from the provider mirror (no registry), plans and
 * applies a gateway stack, and prints its outputs. Fails, never skips, without the tools.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { APIGatewayClient, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { EMULATOR_SDK_CREDENTIALS, MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { requireTool, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { EXAMPLE_CONFIG_DIR, REPO_ROOT, exampleSuppressions } from '../helpers/config';

jest.setTimeout(5 * 60 * 1000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let moto: MotoServer | undefined;
let workDir: string;

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  requireTool('moto_server', MOTO_HINT);
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-cdktf-deploy-'));
  moto = await startMoto({ logFile: path.join(workDir, 'moto.log') });
});

afterAll(async () => {
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Runs `npm run cdktf -- <args>` in the repository with extra environment; resolves with exit code and output. */
function npmCdktf(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'cdktf', '--', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env, CI: 'true' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

test('npm run cdktf -- deploy applies a gateway stack with the provider from the mirror', async () => {
  // The example config, with one environment on this emulator and a local state file.
  const configDir = path.join(workDir, 'config');
  cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true, filter: (src) => !src.endsWith('environments.ts') });
  writeFileSync(
    path.join(configDir, 'environments.ts'),
    `export default [${JSON.stringify({
      name: 'cli',
      region: 'us-east-1',
      state: { backend: 'local', path: path.join(workDir, 'cli.tfstate') },
      emulator: { endpoint: moto!.endpoint },
      logRetentionDays: 1,
      policy: { suppressions: exampleSuppressions() },
    })}];\n`,
  );
  const run = await npmCdktf(['deploy', 'gateway-cli', '--auto-approve', '--output', path.join(workDir, 'cdktf.out')], { GATEWAY_CONFIG_DIR: configDir });
  expect([run.code, run.code === 0 ? '' : run.output]).toEqual([0, '']);
  expect(run.output).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
  expect(run.output).not.toContain('registry.terraform.io');
  expect(run.output).toMatch(/stage_name = cli/);

  const apigateway = new APIGatewayClient({ endpoint: moto!.endpoint, region: 'us-east-1', credentials: { ...EMULATOR_SDK_CREDENTIALS } });
  try {
    const apis = (await apigateway.send(new GetRestApisCommand({}))).items ?? [];
    expect(apis.map((a) => a.name)).toEqual(['bedrock-ai-gateway-cli']);
  } finally {
    apigateway.destroy();
  }
});
