/**
 * Every synthesized stack must pass `terraform init` + `terraform validate` with the real
 * AWS provider schema (from the local mirror; no network), as Terraform JSON and as the HCL of
 * `cdktf synth --hcl` (the exit from CDKTF), and its HCL must mean exactly what its JSON means,
 * resource by resource (the round-trip guard). Fails, never skips, without Terraform.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatProblem, hclRoundTrip } from '../../hcl-export/round-trip';
import { synthesizeHcl } from '../../hcl-export/synth';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { synthApp, type SynthesizedApp } from '../helpers/synth-app';

let app: SynthesizedApp;
let hclOutdir: string;
const hclStackDir = (stack: string) => path.join(hclOutdir, 'stacks', stack);

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  hclOutdir = path.join(mkdtempSync(path.join(tmpdir(), 'bag-hcl-')), 'cdktf.out');
  [app] = await Promise.all([synthApp(), synthesizeHcl({ outdir: hclOutdir })]);
}, 300_000);

afterAll(() => {
  if (app) rmSync(path.dirname(app.outdir), { recursive: true, force: true });
  if (hclOutdir) rmSync(path.dirname(hclOutdir), { recursive: true, force: true });
});

interface ValidateOutcome {
  readonly stack: string;
  readonly valid: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: string[];
}

/** `terraform init -backend=false` + `terraform validate -json` in `dir`. */
async function validate(stack: string, dir: string): Promise<ValidateOutcome> {
  const env = terraformEnv();
  const init = await runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
  if (init.code !== 0) return { stack, valid: false, errors: -1, warnings: -1, diagnostics: [`init failed: ${init.stdout}${init.stderr}`] };
  const run = await runTerraform(dir, ['validate', '-json', '-no-color'], { env });
  const report = JSON.parse(run.stdout) as { valid: boolean; error_count: number; warning_count: number; diagnostics: Array<{ summary: string; detail?: string }> };
  return {
    stack,
    valid: run.code === 0 && report.valid,
    errors: report.error_count,
    warnings: report.warning_count,
    diagnostics: report.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ''}`),
  };
}

test('main.ts synthesizes one gateway stack per configured environment', () => {
  expect(Object.keys(app.stacks)).toEqual(expect.arrayContaining(['gateway-dev', 'gateway-prod']));
});

test('terraform init + validate accept every synthesized stack (Terraform JSON)', async () => {
  const results = await Promise.all(Object.entries(app.stacks).map(([name, dir]) => validate(name, dir)));
  expect(results.filter((r) => !r.valid || r.errors !== 0)).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(2);
}, 300_000);

test('terraform init + validate accept the HCL of every stack (cdktf synth --hcl), with no error and no warning', async () => {
  const stacks = Object.keys(app.stacks);
  const results = await Promise.all(stacks.map((name) => validate(name, hclStackDir(name))));
  expect(results).toEqual(stacks.map((stack) => ({ stack, valid: true, errors: 0, warnings: 0, diagnostics: [] })));
}, 300_000);

test('round-trip guard: in every stack, every resource, data source, output, provider and backend means the same in HCL as in JSON', async () => {
  for (const [stack, dir] of Object.entries(app.stacks)) {
    const json = JSON.parse(readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
    const { checked, problems } = await hclRoundTrip(readFileSync(path.join(hclStackDir(stack), 'cdk.tf'), 'utf8'), json);
    expect({ stack, problems: problems.map(formatProblem) }).toEqual({ stack, problems: [] });
    // It compared every resource of the stack, not a sample.
    const resources = Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
    expect(checked).toEqual(expect.arrayContaining([...resources, 'terraform', 'provider.aws[0]']));
  }
}, 120_000);
