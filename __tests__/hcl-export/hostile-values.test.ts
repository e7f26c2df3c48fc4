/**
 * Terraform itself reads every hostile value back, from the JSON and from the HCL, and gets
 * the same string: the fixture app (fixtures/hostile-app.ts) is synthesized both ways, both
 * directories are planned offline with the real AWS provider (nothing to create needs an API
 * call; the provider points at a dead loopback port), and `terraform show -json` of each plan
 * gives the values Terraform will send. Fails, never skips, without Terraform.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hclRoundTripProblems, formatProblem } from '../../hcl-export/round-trip';
import { synthesizeHcl } from '../../hcl-export/synth';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { REPO_ROOT } from '../helpers/config';
import { carriers, FIXTURE_STACK, HOSTILE_VALUES } from './fixtures/hostile-app';

jest.setTimeout(10 * 60 * 1000);

const FIXTURE_APP = path.join('__tests__', 'hcl-export', 'fixtures', 'hostile-app.ts');

interface Plan {
  readonly resources: Map<string, Record<string, unknown>>;
  readonly outputs: Record<string, unknown>;
}

let workDir: string;
let jsonDir: string;
let hclDir: string;
let fromJson: Plan;
let fromHcl: Plan;

function synthesizeJson(outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [FIXTURE_APP], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fixture synth failed (exit ${code}): ${stderr}`))));
  });
}

async function terraformOk(dir: string, args: string[]): Promise<string> {
  const result = await runTerraform(dir, args, { env: terraformEnv() });
  if (result.code !== 0) throw new Error(`terraform ${args.join(' ')} failed in ${dir}:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

/** init + plan + show -json: the values Terraform would send for every resource and output. */
async function plan(dir: string): Promise<Plan> {
  await terraformOk(dir, ['init', '-input=false', '-no-color']);
  await terraformOk(dir, ['plan', '-input=false', '-no-color', '-out=fixture.tfplan']);
  const shown = JSON.parse(await terraformOk(dir, ['show', '-json', 'fixture.tfplan'])) as {
    resource_changes: Array<{ address: string; change: { actions: string[]; after: Record<string, unknown> } }>;
    planned_values: { outputs: Record<string, { value: unknown }> };
  };
  return {
    resources: new Map(shown.resource_changes.map((c) => [c.address, c.change.after])),
    outputs: Object.fromEntries(Object.entries(shown.planned_values.outputs).map(([k, v]) => [k, v.value])),
  };
}

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-hostile-'));
  await Promise.all([
    synthesizeJson(path.join(workDir, 'json')),
    synthesizeHcl({ outdir: path.join(workDir, 'hcl'), app: `npx tsx ${FIXTURE_APP}` }),
  ]);
  jsonDir = path.join(workDir, 'json', 'stacks', FIXTURE_STACK);
  hclDir = path.join(workDir, 'hcl', 'stacks', FIXTURE_STACK);
  [fromJson, fromHcl] = await Promise.all([plan(jsonDir), plan(hclDir)]);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the fixture HCL passes terraform validate with no error and no warning', async () => {
  const validate = await runTerraform(hclDir, ['validate', '-json', '-no-color'], { env: terraformEnv() });
  const report = JSON.parse(validate.stdout) as { valid: boolean; error_count: number; warning_count: number; diagnostics: unknown[] };
  expect({ code: validate.code, valid: report.valid, errors: report.error_count, warnings: report.warning_count, diagnostics: report.diagnostics }).toEqual({
    code: 0,
    valid: true,
    errors: 0,
    warnings: 0,
    diagnostics: [],
  });
});

test('the round-trip guard finds nothing to report in the fixture', async () => {
  const problems = await hclRoundTripProblems(readFileSync(path.join(hclDir, 'cdk.tf'), 'utf8'), JSON.parse(readFileSync(path.join(jsonDir, 'cdk.tf.json'), 'utf8')));
  expect(problems.map(formatProblem)).toEqual([]);
});

describe.each(HOSTILE_VALUES.map((v, i) => [v.name, v, i] as const))('%s', (_name, { expected }, index) => {
  test('Terraform reads the expected string from the JSON, in every carrier', () => {
    const read = [fromJson.outputs[`value-${index}`], ...carriers(index).map((c) => c.read(fromJson.resources.get(c.address) ?? {}))];
    expect(read).toEqual(new Array(read.length).fill(expected));
  });

  test('Terraform reads the same string from the HCL, in every carrier', () => {
    const read = [fromHcl.outputs[`value-${index}`], ...carriers(index).map((c) => c.read(fromHcl.resources.get(c.address) ?? {}))];
    expect(read).toEqual(new Array(read.length).fill(expected));
  });
});

test('every resource and output plans identically from the JSON and from the HCL (WAF statements, domains, dashboards, ...)', () => {
  expect([...fromHcl.resources.keys()].sort()).toEqual([...fromJson.resources.keys()].sort());
  // The anchor, one object per value, the REST API holding every value as a list, and 11
  // resources of the features' shapes (web ACL, regex set, gateway response, integration,
  // domain, mapping, alias record, metric filter, alarm, query definition, dashboard).
  expect(fromJson.resources.size).toBe(1 + HOSTILE_VALUES.length + 1 + 11);
  for (const [address, after] of fromJson.resources) expect({ address, after: fromHcl.resources.get(address) }).toEqual({ address, after });
  expect(fromHcl.outputs).toEqual(fromJson.outputs);
});

test('the nested WAF statement reaches Terraform as blocks, three levels deep', () => {
  const rules = fromHcl.resources.get('aws_wafv2_web_acl.acl')!.rule as Array<Record<string, any>>;
  const rate = rules.find((r) => r.name === 'rate-per-token')!;
  const and = rate.statement[0].rate_based_statement[0].scope_down_statement[0].and_statement[0];
  expect(and.statement.map((s: Record<string, unknown[]>) => Object.entries(s).filter(([, v]) => Array.isArray(v) && v.length > 0).map(([k]) => k))).toEqual([
    ['regex_pattern_set_reference_statement'],
    ['not_statement'],
  ]);
});
