/**
 * docs/deploying-to-aws.md is tested as a user would follow it: every `npm run`, `npm`, `npx`
 * and `terraform` command in its code blocks exists (package.json script, installed binary,
 * file, Terraform subcommand); the light ones run here against a fresh emulator; the heavy ones
 * name the emulator test that runs them; the few that cannot run without AWS or Terraform Cloud
 * are listed with the reason, and that list is kept small. The SDK sample in the guide is
 * byte-identical to docs/examples/call-the-gateway.ts and sends a real SDK request.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CreateBucketCommand, PutBucketEncryptionCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { gatewayClient } from '../../docs/examples/call-the-gateway';
import { EMULATOR_SDK_CREDENTIALS, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { REPO_ROOT } from '../helpers/config';

jest.setTimeout(5 * 60 * 1000);

interface HttpRequest {
  hostname: string;
  path: string;
  headers: Record<string, string>;
}

const GUIDE = readFileSync(path.join(REPO_ROOT, 'docs', 'deploying-to-aws.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Commands in the guide's code blocks (sh), one per `&&` part, without env assignments, redirects and comments. */
export function guideCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1]);
  const commands = blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .flatMap((line) => line.split('&&').map((part) => part.trim()))
    .map((part) => part.replace(/^([A-Z_]+=\S+\s+)+/, '').replace(/\s*[<>]\s*\S+$/, '').trim())
    .filter((part) => /^(npm|npx|terraform)\b/.test(part));
  return [...new Set(commands)];
}

/** Runs here, against the emulator environment `local` on a fresh moto_server; each must exit 0. */
const RUNS_HERE: Record<string, string[]> = {
  'npm run preflight -- --env dev': ['run', 'preflight', '--', '--env', 'local'],
  'npm run deployer-policy -- --env dev --account 111122223333 --no-bootstrap': ['run', 'deployer-policy', '--', '--env', 'local', '--account', '111122223333', '--no-bootstrap'],
};

/** Run on the emulator by another test of the suite: [test file, the call in it]. */
const COVERED_BY: Record<string, [string, string]> = {
  'npm run synth': ['__tests__/helpers/synth-app.ts', 'synthesize('],
  'npm run plan -- dev': ['__tests__/review/plan-summary.test.ts', "runPlan(['local', '--out', out]"],
  'terraform init': ['__tests__/integration/local-deploy.test.ts', 'await init(stateDir'],
  'terraform plan': ['__tests__/review/plan-summary.test.ts', "'plan', '-input=false'"],
  'npm run cdktf -- deploy state-example-corp-bedrock-gateway-tfstate': ['__tests__/integration/local-deploy.test.ts', 'target.stateStackId'],
  'npm run cdktf -- deploy gateway-dev': ['__tests__/integration/cdktf-deploy.test.ts', "npmCdktf(['deploy'"],
  'npm run cdktf -- output gateway-dev': ['__tests__/scripts/cdktf.test.ts', "'output'"],
  'terraform output -raw invoke_url': ['__tests__/integration/local-deploy.test.ts', 'await outputs(gatewayDir)'],
  'npm run cdktf -- destroy gateway-dev': ['__tests__/integration/cdktf-deploy.test.ts', "['destroy', '-auto-approve'"],
  'npm run explain-token -- --env dev': ['__tests__/scripts/idp-tools.test.ts', "runScript('explain-token.ts'"],
  'npm run deployer-policy -- --env dev --account 111122223333': ['__tests__/deploy-tools/deployer-policy.test.ts', "run('--env', 'local', '--account', ACCOUNT)"],
  'npm run deployer-policy -- --env dev --account 111122223333 --no-bootstrap --plan-only': ['__tests__/deploy-tools/deployer-policy.test.ts', 'includeBootstrap: false, planOnly: true'],
};

/** Cannot run in CI: each needs something outside this machine. Keep this list short. */
const CANNOT_RUN_HERE: Record<string, string> = {
  'npm run check-idp -- --env dev': "fetches the real identity providers' discovery documents over the internet (the same command runs against providers on 127.0.0.1 in __tests__/scripts/idp-tools.test.ts)",
  'npx tsx docs/examples/call-the-gateway.ts': 'needs a deployed gateway that executes requests: the emulator stores API Gateway resources but never runs them (the client it builds is exercised below)',
  'terraform login': 'needs a Terraform Cloud account',
};

const commands = guideCommands(GUIDE);

describe('the commands of docs/deploying-to-aws.md', () => {
  test('every command is classified exactly once, and every classified command is in the guide', () => {
    const classified = [...Object.keys(RUNS_HERE), ...Object.keys(COVERED_BY), ...Object.keys(CANNOT_RUN_HERE)];
    expect(commands.filter((c) => !classified.includes(c))).toEqual([]);
    expect(classified.filter((c) => !commands.includes(c))).toEqual([]);
    expect(new Set(classified).size).toBe(classified.length);
  });

  test('the commands that cannot run here are few, and each says why', () => {
    expect(Object.keys(CANNOT_RUN_HERE).length).toBeLessThanOrEqual(3);
    for (const reason of Object.values(CANNOT_RUN_HERE)) expect(reason.length).toBeGreaterThan(20);
  });

  test.each(commands)('%s exists', (command) => {
    const [tool, first, second] = command.split(/\s+/);
    if (tool === 'npm' && first === 'run') expect(Object.keys(PACKAGE.scripts)).toContain(second);
    else if (tool === 'npx') {
      expect(existsSync(path.join(REPO_ROOT, 'node_modules', '.bin', first))).toBe(true);
      if (second && !second.startsWith('-')) expect(existsSync(path.join(REPO_ROOT, second))).toBe(true);
    } else if (tool === 'terraform') expect(['init', 'plan', 'apply', 'output', 'login', 'destroy', 'import', 'workspace']).toContain(first);
    else throw new Error(`unexpected command ${command}`);
  });

  test.each(Object.entries(COVERED_BY))('%s runs on the emulator in %s', (_command, [file, evidence]) => {
    expect(readFileSync(path.join(REPO_ROOT, file), 'utf8')).toContain(evidence);
  });

  describe('run here against a fresh emulator', () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMoto();
      // The bootstrap's result (its apply is covered by the local deploy test): a versioned, encrypted bucket.
      const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: EMULATOR_SDK_CREDENTIALS, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'bedrock-gateway-local-tfstate' }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: 'bedrock-gateway-local-tfstate', VersioningConfiguration: { Status: 'Enabled' } }));
      await s3.send(new PutBucketEncryptionCommand({ Bucket: 'bedrock-gateway-local-tfstate', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    });
    afterAll(async () => {
      await moto?.stop();
    });

    test.each(Object.entries(RUNS_HERE))('%s', async (_command, args) => {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn('npm', args, {
          cwd: REPO_ROOT,
          // Every AWS call of the child goes to the emulator, never to AWS.
          env: { ...process.env, GATEWAY_EMULATOR_ENDPOINT: moto.endpoint, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d));
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect([result.code, result.stderr.includes('Error') ? result.stderr : '']).toEqual([0, '']);
      if (args[1] === 'preflight') expect(result.stdout).toContain(`Preflight for environment local (emulator at ${moto.endpoint})`);
      if (args[1] === 'deployer-policy') expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))).Version).toBe('2012-10-17');
    });
  });
});

describe('the SDK sample', () => {
  test('the guide shows docs/examples/call-the-gateway.ts byte for byte', () => {
    const file = readFileSync(path.join(REPO_ROOT, 'docs', 'examples', 'call-the-gateway.ts'), 'utf8');
    const shown = /```ts\n([\s\S]*?)```/.exec(GUIDE)![1];
    expect(file).toContain(shown);
  });

  test('its client sends Converse to the gateway route with the Bearer token and no SigV4', async () => {
    let captured: HttpRequest | undefined;
    const client = gatewayClient('https://abc123.execute-api.us-east-1.amazonaws.com/dev', async () => 'header.payload.signature', {
      requestHandler: {
        handle: async (request: unknown) => {
          captured = request as HttpRequest;
          throw new Error('captured');
        },
      },
      maxAttempts: 1,
    });
    await expect(client.send(new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }))).rejects.toThrow('captured');
    expect(captured!.hostname).toBe('abc123.execute-api.us-east-1.amazonaws.com');
    expect(captured!.path).toBe('/dev/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(captured!.headers.authorization).toBe('Bearer header.payload.signature');
    expect(Object.keys(captured!.headers).filter((h) => /^x-amz-(date|security-token|content-sha256)$/i.test(h))).toEqual([]);
  });
});
