/**
 * Every synthesized stack must pass `terraform init` + `terraform validate` with the real
 * AWS provider schema (from the local mirror; no network). Fails, never skips, without Terraform.
 */
import { rmSync } from 'node:fs';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { synthApp, type SynthesizedApp } from '../helpers/synth-app';

let app: SynthesizedApp;

beforeAll(() => {
  requireTool('terraform', TERRAFORM_HINT);
  app = synthApp();
}, 120_000);

afterAll(() => {
  if (app) rmSync(app.outdir, { recursive: true, force: true });
});

test('main.ts synthesizes one gateway stack per configured environment', () => {
  expect(Object.keys(app.stacks)).toEqual(expect.arrayContaining(['gateway-dev', 'gateway-prod']));
});

test('terraform init + validate accept every synthesized stack', async () => {
  const env = terraformEnv();
  const results = await Promise.all(
    Object.entries(app.stacks).map(async ([name, dir]) => {
      const init = await runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
      if (init.code !== 0) return { name, ok: false, detail: init.stdout + init.stderr };
      const validate = await runTerraform(dir, ['validate', '-json', '-no-color'], { env });
      const report = JSON.parse(validate.stdout) as { valid: boolean; error_count: number; diagnostics: Array<{ summary: string; detail?: string }> };
      return { name, ok: validate.code === 0 && report.valid && report.error_count === 0, detail: JSON.stringify(report.diagnostics) };
    }),
  );
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(2);
}, 300_000);
