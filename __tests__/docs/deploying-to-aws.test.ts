/**
 * docs/deploying-to-aws.md is tested as a user would follow it: every `npm run`, `npm`, `npx`
 * and `terraform` command in its code blocks exists (package.json script, installed binary,
 * file, Terraform subcommand); the light ones run here (against a fresh emulator, or offline);
 * the heavy ones name the emulator test that runs them, as written or in an equivalent form whose
 * difference is stated, and each such mapping is checked to be a real invocation (the call is in
 * the test, goes through a function that starts that program, with the command's arguments); the
 * few that cannot run without AWS or Terraform Cloud are listed with the reason. The SDK sample in
 * the guide is byte-identical to docs/examples/call-the-gateway.ts, and the request its client
 * builds is captured before it is sent (nothing is sent anywhere).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * Runs here, against the emulator environment `local` on a fresh moto_server (or offline); each must
 * exit 0. `<tmp>` is a fresh directory: `npm run synth` writes there instead of cdktf.out.
 */
const RUNS_HERE: Record<string, string[]> = {
  'npm run synth': ['run', 'synth', '--', '--output', '<tmp>'],
  'npm run preflight -- --env dev': ['run', 'preflight', '--', '--env', 'local'],
  'npm run deployer-policy -- --env dev --account 111122223333': ['run', 'deployer-policy', '--', '--env', 'local', '--account', '111122223333'],
  'npm run deployer-policy -- --env dev --account 111122223333 --no-bootstrap': ['run', 'deployer-policy', '--', '--env', 'local', '--account', '111122223333', '--no-bootstrap'],
  'npm run deployer-policy -- --env dev --account 111122223333 --no-bootstrap --plan-only': ['run', 'deployer-policy', '--', '--env', 'local', '--account', '111122223333', '--no-bootstrap', '--plan-only'],
};

/**
 * How another test runs a command: `call` is in `file` and goes through `fn`, a function defined in
 * `fnFile` whose body contains `spawn` (the process it starts). `runs` is what the call runs, written
 * as a command line; its program must be the one `spawn` starts, and every quoted argument of the
 * call must be one of its words.
 */
interface Invocation {
  readonly file: string;
  readonly call: string;
  readonly fn: string;
  readonly fnFile: string;
  readonly spawn: string;
  readonly runs: string;
}

const NPM_CDKTF = { fn: 'npmCdktf', fnFile: '__tests__/integration/cdktf-deploy.test.ts', spawn: "spawn('npm', ['run', '--silent', 'cdktf', '--', ...args]" };
const LIB_TERRAFORM = { fn: 'terraform', fnFile: 'scripts/lib/local-deploy.ts', spawn: 'await runTerraform(cwd, [...args]' };

/** Run on the emulator by another test of the suite exactly as the guide writes them, on the `local` environment instead of `dev`. */
const RUN_BY: Record<string, Invocation> = {
  'npm run plan -- dev': { file: '__tests__/review/plan-summary.test.ts', call: "runPlan(['local', '--out', out]", fn: 'runPlan', fnFile: '__tests__/review/plan-summary.test.ts', spawn: "['scripts/plan.ts', ...args]", runs: 'npm run plan -- local --out' },
  'terraform init': { file: '__tests__/integration/local-deploy.test.ts', call: 'init(stateDir', fn: 'init', fnFile: 'scripts/lib/local-deploy.ts', spawn: "return terraform(cwd, ['init'", runs: 'terraform init' },
  'terraform plan': { file: '__tests__/review/plan-summary.test.ts', call: "tf(dir, 'plan', '-input=false'", fn: 'tf', fnFile: '__tests__/review/plan-summary.test.ts', spawn: 'await runTerraform(dir, [...args', runs: 'terraform plan -input=false' },
  'npm run cdktf -- deploy gateway-dev': { file: '__tests__/integration/cdktf-deploy.test.ts', call: "npmCdktf(['deploy', `gateway-${ENVIRONMENT}`, '--auto-approve'", ...NPM_CDKTF, runs: 'npm run cdktf -- deploy gateway-<environment> --auto-approve' },
  'npm run explain-token -- --env dev': { file: '__tests__/scripts/idp-tools.test.ts', call: "runScript('explain-token.ts', ['--env', 'dev'", fn: 'runScript', fnFile: '__tests__/helpers/run-script.ts', spawn: "[path.join(REPO_ROOT, 'scripts', script), ...args]", runs: 'npm run explain-token -- --env dev' },
};

/**
 * Run on the emulator by another test in an equivalent form, not as the guide writes them: what
 * differs is said. (`npm run cdktf -- output/destroy` and the bootstrap's `cdktf deploy` run
 * Terraform in the synthesized stack directory; the tests run that Terraform command directly.)
 */
const RUN_IN_EQUIVALENT_FORM: Record<string, Invocation & { readonly difference: string }> = {
  'npm run cdktf -- deploy state-example-corp-bedrock-gateway-tfstate': {
    file: '__tests__/integration/local-deploy.test.ts', call: 'apply(stateDir)', fn: 'apply', fnFile: 'scripts/lib/local-deploy.ts', spawn: "terraform(cwd, ['apply'", runs: 'terraform apply',
    difference: "terraform init and apply in the bootstrap stack's synthesized directory (what cdktf deploy runs), not through cdktf",
  },
  'npm run cdktf -- output gateway-dev': {
    file: '__tests__/integration/local-deploy.test.ts', call: 'outputs(gatewayDir)', fn: 'outputs', fnFile: 'scripts/lib/local-deploy.ts', spawn: "await terraform(cwd, ['output', '-json'", runs: 'terraform output -json',
    difference: "terraform output -json in the gateway stack's directory; cdktf output itself is only checked for its arguments (__tests__/scripts/cdktf.test.ts)",
  },
  'terraform output -raw invoke_url': {
    file: '__tests__/integration/local-deploy.test.ts', call: 'outputs(gatewayDir)', fn: 'outputs', fnFile: 'scripts/lib/local-deploy.ts', spawn: "await terraform(cwd, ['output', '-json'", runs: 'terraform output -json',
    difference: 'every output as JSON (-json), invoke_url read from it, instead of one output with -raw',
  },
  'npm run cdktf -- destroy gateway-dev': {
    file: '__tests__/integration/cdktf-deploy.test.ts', call: "terraform(stackDirectory, ['destroy', '-auto-approve'", ...LIB_TERRAFORM, runs: 'terraform destroy -auto-approve',
    difference: 'terraform destroy in the stack directory cdktf deployed, not cdktf destroy',
  },
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
    const classified = [...Object.keys(RUNS_HERE), ...Object.keys(RUN_BY), ...Object.keys(RUN_IN_EQUIVALENT_FORM), ...Object.keys(CANNOT_RUN_HERE)];
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

  /** Problems with one invocation: each names what does not hold (empty when it runs `runs`). */
  function invocationProblems(inv: Invocation): string[] {
    const problems: string[] = [];
    const source = (file: string) => (existsSync(path.join(REPO_ROOT, file)) ? readFileSync(path.join(REPO_ROOT, file), 'utf8') : '');
    if (!/\.test\.ts$/.test(inv.file)) problems.push(`${inv.file} is not a test file`);
    if (!source(inv.file).includes(inv.call)) problems.push(`${inv.file} has no call ${inv.call}`);
    if (!inv.call.startsWith(`${inv.fn}(`)) problems.push(`${inv.call} does not call ${inv.fn}`);
    const fnSource = source(inv.fnFile);
    const at = fnSource.search(new RegExp(`function ${inv.fn}\\(`));
    const next = at < 0 ? -1 : fnSource.slice(at + 1).search(/\n(export )?(async )?function /);
    const body = at < 0 ? '' : fnSource.slice(at, next < 0 ? undefined : at + 1 + next);
    if (!body) problems.push(`${inv.fnFile} defines no function ${inv.fn}`);
    else if (!body.includes(inv.spawn)) problems.push(`${inv.fn} in ${inv.fnFile} does not contain ${inv.spawn}`);
    // The program `runs` names is the one the function starts: an npm script (by name or by its file) or terraform.
    const words = inv.runs.split(/\s+/);
    const file = words[0] === 'npm' ? /^tsx (scripts\/[\w-]+\.ts)/.exec(PACKAGE.scripts[words[2]] ?? '')?.[1] : undefined;
    if (words[0] === 'npm') {
      const script = words[2];
      const startsScript = inv.spawn.includes(`'${script}'`) || (file !== undefined && (inv.spawn.includes(`'${file}'`) || (inv.spawn.includes("'scripts', script") && inv.call.includes(`'${path.basename(file)}'`))));
      if (!startsScript) problems.push(`${inv.spawn} does not start npm run ${script} (${PACKAGE.scripts[script]})`);
    } else if (words[0] === 'terraform') {
      if (!/runTerraform\(|terraform\(cwd/.test(inv.spawn)) problems.push(`${inv.spawn} does not start terraform`);
      if (!inv.spawn.includes(`'${words[1]}'`) && !inv.call.includes(`'${words[1]}'`)) problems.push(`neither ${inv.call} nor ${inv.spawn} passes ${words[1]}`);
    } else problems.push(`unexpected program in ${inv.runs}`);
    for (const literal of [...inv.call.matchAll(/'([^']+)'/g)].map((m) => m[1])) {
      // The npm script's own file, named to a helper that runs scripts by file, is the program itself.
      if (!words.includes(literal) && literal !== (file && path.basename(file))) problems.push(`${inv.call} passes ${literal}, which ${inv.runs} does not`);
    }
    return problems;
  }

  test.each(Object.entries(RUN_BY))('%s runs, as written, in another test (on the emulator, or offline)', (command, inv) => {
    expect(invocationProblems(inv)).toEqual([]);
    // The same command on another environment, maybe with more arguments: only environment names differ.
    const normalized = (c: string) => c.replace(/<environment>/g, '<env>').replace(/\b(dev|local)\b/g, '<env>');
    expect(normalized(inv.runs).startsWith(normalized(command))).toBe(true);
  });

  test.each(Object.entries(RUN_IN_EQUIVALENT_FORM))('%s runs on the emulator in an equivalent form', (_command, inv) => {
    expect(invocationProblems(inv)).toEqual([]);
    expect(inv.difference.length).toBeGreaterThan(20);
  });

  test('a mapping that names a test without an invocation of the command is refused', () => {
    expect(invocationProblems({ ...RUN_BY['npm run cdktf -- deploy gateway-dev'], file: '__tests__/scripts/cdktf.test.ts' })).toEqual([
      "__tests__/scripts/cdktf.test.ts has no call npmCdktf(['deploy', `gateway-${ENVIRONMENT}`, '--auto-approve'",
    ]);
    expect(invocationProblems({ ...RUN_BY['npm run explain-token -- --env dev'], runs: 'npm run check-idp -- --env dev' })).toEqual([
      "[path.join(REPO_ROOT, 'scripts', script), ...args] does not start npm run check-idp (tsx scripts/check-idp.ts)",
      "runScript('explain-token.ts', ['--env', 'dev' passes explain-token.ts, which npm run check-idp -- --env dev does not",
    ]);
    expect(invocationProblems({ ...RUN_IN_EQUIVALENT_FORM['npm run cdktf -- destroy gateway-dev'], call: "terraform(stackDirectory, ['apply'" })).toEqual([
      "__tests__/integration/cdktf-deploy.test.ts has no call terraform(stackDirectory, ['apply'",
      "neither terraform(stackDirectory, ['apply' nor await runTerraform(cwd, [...args] passes destroy",
      "terraform(stackDirectory, ['apply' passes apply, which terraform destroy -auto-approve does not",
    ]);
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

    test.each(Object.entries(RUNS_HERE))('%s', async (_command, template) => {
      const tmp = mkdtempSync(path.join(tmpdir(), 'bag-guide-'));
      const args = template.map((a) => (a === '<tmp>' ? tmp : a));
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
      if (args[1] === 'synth') {
        expect(readdirSync(path.join(tmp, 'stacks')).sort()).toEqual(['gateway-dev', 'gateway-local', 'gateway-local-forwarder', 'gateway-prod', 'state-bedrock-gateway-local-tfstate', 'state-example-corp-bedrock-gateway-tfstate']);
      }
      rmSync(tmp, { recursive: true, force: true });
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
