/**
 * `npm run export:hcl -- <stack> [--out <dir>]`: what it writes, that a second export is
 * byte-identical, that local state paths still reach the state file, that it refuses what it
 * should, and that Terraform accepts the directory. (That the export plans no changes against
 * a deployed stack is proven on the emulator in __tests__/integration/hcl-exit.test.ts.)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CDKTF_STACKS_DIR, EXPORT_MARKER, exportStack, hclQuoted, localStatePath, repointLocalState, type ExportResult } from '../../hcl-export/export';
import { parseExportArgs } from '../../scripts/export-hcl';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { BOOTSTRAP_STATE_DIR } from '../../stacks/state-stack';
import { REPO_ROOT } from '../helpers/config';
import { synthApp, type SynthesizedApp } from '../helpers/synth-app';

jest.setTimeout(10 * 60 * 1000);

const STACK = 'gateway-dev';
const STATE_STACK = 'state-bedrock-gateway-local-tfstate';

let workDir: string;
let app: SynthesizedApp;
let first: ExportResult;
let state: ExportResult;

/** sha256 of every file under `dir` except Terraform's own working files. */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    readdirSync(path.join(dir, prefix), { withFileTypes: true })
      .filter((e) => e.name !== '.terraform' && e.name !== '.terraform.lock.hcl')
      .flatMap((e) => {
        const relative = prefix ? `${prefix}/${e.name}` : e.name;
        return e.isDirectory() ? Object.entries(snapshot(dir, relative)) : [[relative, createHash('sha256').update(readFileSync(path.join(dir, relative))).digest('hex')]];
      }),
  );
}

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-export-test-'));
  [app, first, state] = await Promise.all([
    synthApp(),
    exportStack({ stack: STACK, outDir: path.join(workDir, 'first') }),
    exportStack({ stack: STATE_STACK, outDir: path.join(workDir, 'state') }),
  ]);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (app) rmSync(path.dirname(app.outdir), { recursive: true, force: true });
});

describe('the exported directory', () => {
  test('holds main.tf, the Lambda bundle, a README, a .gitignore and the export marker', () => {
    expect(first.files).toEqual([
      '.exported-stack',
      '.gitignore',
      'README.md',
      expect.stringMatching(/^assets\/authorizer_function_bundle_[0-9A-F]+\/[0-9A-F]+\/archive\.zip$/),
      // The token budget functions (the example's dev environment meters budgets).
      expect.stringMatching(/^assets\/token-budgets_metering_bundle_[0-9A-F]+\/[0-9A-F]+\/archive\.zip$/),
      expect.stringMatching(/^assets\/token-budgets_reset_bundle_[0-9A-F]+\/[0-9A-F]+\/archive\.zip$/),
      'main.tf',
    ]);
    expect(readFileSync(path.join(first.outDir, EXPORT_MARKER), 'utf8')).toBe(`${STACK}\n`);
  });

  test('main.tf has the backend, the provider and every resource, data source and output of the stack, under the same addresses', () => {
    const mainTf = readFileSync(path.join(first.outDir, 'main.tf'), 'utf8');
    const json = JSON.parse(readFileSync(path.join(app.stacks[STACK], 'cdk.tf.json'), 'utf8')) as {
      resource: Record<string, Record<string, unknown>>;
      data: Record<string, Record<string, unknown>>;
      output: Record<string, unknown>;
      terraform: { backend: { s3: { bucket: string; key: string } } };
    };
    expect(mainTf.startsWith(`# Stack ${STACK} of bedrock-ai-gateway as plain Terraform, written by \`npm run export:hcl -- ${STACK}\`\n`)).toBe(true);
    expect(mainTf).toMatch(new RegExp(`backend "s3" \\{\\n\\s*bucket\\s*= "${json.terraform.backend.s3.bucket}"\\n\\s*key\\s*= "${json.terraform.backend.s3.key.replace(/[.]/g, '\\.')}"`));
    expect(mainTf).toContain('provider "aws" {');
    const headers = (kind: string, byType: Record<string, Record<string, unknown>>) => Object.entries(byType).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${kind} "${t}" "${n}" {`));
    for (const header of [...headers('resource', json.resource), ...headers('data', json.data), ...Object.keys(json.output).map((o) => `output "${o}" {`)]) {
      expect(mainTf).toContain(header);
    }
  });

  test('every bundle the functions name is in the directory, at the path the state records, with the synthesized bytes', () => {
    const mainTf = readFileSync(path.join(first.outDir, 'main.tf'), 'utf8');
    const filenames = [...mainTf.matchAll(/filename\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(filenames).toHaveLength(3);
    for (const filename of filenames) {
      expect(filename).toMatch(/^assets\//);
      expect(readFileSync(path.join(first.outDir, filename))).toEqual(readFileSync(path.join(app.stacks[STACK], filename)));
    }
  });

  test('the README says how to continue with plain Terraform and where the state is', () => {
    const readme = readFileSync(path.join(first.outDir, 'README.md'), 'utf8');
    expect(readme).toContain('terraform init\nterraform plan    # against the deployed stack: "No changes."');
    expect(readme).toContain('State: S3 bucket `example-corp-bedrock-gateway-tfstate`, key `bedrock-ai-gateway/dev/terraform.tfstate` (region us-east-1, native lock file)');
    expect(first.state).toBe('S3 bucket `example-corp-bedrock-gateway-tfstate`, key `bedrock-ai-gateway/dev/terraform.tfstate` (region us-east-1, native lock file): the same state object the CDKTF stack uses; nothing to migrate.');
  });

  test('terraform init + validate accept it with the real provider', async () => {
    const env = terraformEnv();
    const init = await runTerraform(first.outDir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
    expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: '' });
    const validate = await runTerraform(first.outDir, ['validate', '-json', '-no-color'], { env });
    const report = JSON.parse(validate.stdout) as { valid: boolean; error_count: number; diagnostics: Array<{ summary: string; detail: string }> };
    expect({ valid: report.valid, errors: report.error_count }).toEqual({ valid: true, errors: 0 });
    // dev sets the account-wide API Gateway CloudWatch role, whose reset_on_delete the provider deprecates (the JSON warns alike).
    expect(report.diagnostics.map((d) => `${d.summary}: ${d.detail}`)).toEqual(['Attribute Deprecated: The "reset_on_delete" attribute will be removed in a future version of the provider']);
  });
});

describe('determinism', () => {
  test("a second export is byte-identical, written over the first, and keeps Terraform's own files", async () => {
    const before = snapshot(first.outDir);
    writeFileSync(path.join(first.outDir, '.terraform.lock.hcl'), 'kept\n');
    mkdirSync(path.join(first.outDir, '.terraform'), { recursive: true });
    writeFileSync(path.join(first.outDir, '.terraform', 'environment'), 'kept\n');
    writeFileSync(path.join(first.outDir, 'main.tf'), 'edited\n');
    rmSync(path.join(first.outDir, 'assets'), { recursive: true });
    await exportStack({ stack: STACK, outDir: first.outDir });
    expect(snapshot(first.outDir)).toEqual(before);
    expect(readFileSync(path.join(first.outDir, '.terraform.lock.hcl'), 'utf8')).toBe('kept\n');
    expect(readFileSync(path.join(first.outDir, '.terraform', 'environment'), 'utf8')).toBe('kept\n');
  });
});

describe('local state', () => {
  test("a bootstrap stack's local backend still points at its state file from the export directory", () => {
    const mainTf = readFileSync(path.join(state.outDir, 'main.tf'), 'utf8');
    const statePath = /backend "local" \{\n\s*path\s*=\s*"([^"]+)"/.exec(mainTf)![1];
    expect(path.resolve(state.outDir, statePath)).toBe(path.join(BOOTSTRAP_STATE_DIR, `${STATE_STACK}.tfstate`));
    expect(state.state).toBe(`a local file, \`${statePath}\` from this directory: the file the CDKTF stack wrote. Consider moving it to a remote backend (\`terraform init -migrate-state\`).`);
  });

  test('a relative path inside the synth directory means the state next to the stack cdktf deployed; one outside stays where it points', () => {
    expect(localStatePath('terraform.dev.tfstate', '/tmp/x/stacks/gateway-dev', '/tmp/x', 'gateway-dev')).toBe(path.join(CDKTF_STACKS_DIR, 'gateway-dev', 'terraform.dev.tfstate'));
    expect(localStatePath('../../../../srv/state/a.tfstate', '/tmp/x/stacks/s', '/tmp/x', 's')).toBe('/srv/state/a.tfstate');
    expect(localStatePath('/abs/s.tfstate', '/tmp/x/stacks/s', '/tmp/x', 's')).toBe('/abs/s.tfstate');
  });

  test('repointLocalState rewrites only the local backend path, quoted for HCL', () => {
    const hcl = 'terraform {\n  backend "local" {\n    path = "../old.tfstate"\n  }\n}\nresource "x" "y" {\n  path = "keep"\n}\n';
    expect(repointLocalState(hcl, '../s "1".tfstate')).toBe('terraform {\n  backend "local" {\n    path = "../s \\"1\\".tfstate"\n  }\n}\nresource "x" "y" {\n  path = "keep"\n}\n');
    expect(() => repointLocalState('terraform {\n}\n', 'a')).toThrow('the HCL has a local backend without a path line');
    expect(hclQuoted('C:\\s ${x} %{y}')).toBe('"C:\\\\s $${x} %%{y}"');
  });
});

describe('refusals', () => {
  test('an unknown stack is named, with the stacks the config synthesizes', async () => {
    await expect(exportStack({ stack: 'gateway-nope', outDir: path.join(workDir, 'nope') })).rejects.toThrow(
      `no stack named gateway-nope; the config synthesizes: ${Object.keys(app.stacks).sort().join(', ')}`,
    );
  });

  test('a directory with other files is never overwritten', async () => {
    const dir = path.join(workDir, 'someone-elses');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'main.tf'), 'mine\n');
    await expect(exportStack({ stack: STACK, outDir: dir })).rejects.toThrow(`${dir} is not empty and is not an export (no ${EXPORT_MARKER}); choose an empty directory with --out`);
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe('mine\n');
  });

  test("another stack's export is never overwritten", async () => {
    await expect(exportStack({ stack: 'gateway-prod', outDir: first.outDir })).rejects.toThrow(
      `${first.outDir} holds the export of ${STACK}, not gateway-prod; choose another directory with --out`,
    );
  });
});

describe('command line', () => {
  test('the stack and --out (relative to where npm was run); default exported-hcl/<stack>', () => {
    expect(parseExportArgs(['gateway-prod', '--out', 'tf/prod'], '/home/me/repo')).toEqual({ stack: 'gateway-prod', outDir: '/home/me/repo/tf/prod' });
    expect(parseExportArgs(['--out=/abs', 'gateway-prod'])).toEqual({ stack: 'gateway-prod', outDir: '/abs' });
    expect(parseExportArgs(['gateway-prod'])).toEqual({ stack: 'gateway-prod', outDir: path.join(REPO_ROOT, 'exported-hcl', 'gateway-prod') });
  });

  test.each([
    [[], 'which stack?'],
    [['a', 'b'], 'one stack at a time (got a and b)'],
    [['a', '--out'], '--out needs a directory'],
    [['a', '--force'], 'unknown option --force'],
  ])('%j is refused: %s', (args, message) => {
    expect(() => parseExportArgs(args)).toThrow(`${message}\nusage: npm run export:hcl -- <stack> [--out <dir>]   (e.g. npm run export:hcl -- gateway-prod)`);
  });
});
