/**
 * Every synthesized stack must pass `terraform init` + `terraform validate` with the real
 * AWS provider schema (from the local mirror; no network). Fails, never skips, without Terraform.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { REPO_ROOT } from '../helpers/config';
import { synthApp, type SynthesizedApp } from '../helpers/synth-app';

let app: SynthesizedApp;

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  app = await synthApp();
}, 120_000);

afterAll(() => {
  if (app) rmSync(path.dirname(app.outdir), { recursive: true, force: true });
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

test('cdktf synth --hcl (the exit path from CDKTF) writes HCL for every stack', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bag-hcl-'));
  try {
    const run = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdktf'), ['synth', '--hcl', '--output', outdir], {
      cwd: REPO_ROOT,
      env: terraformEnv({ ...process.env, CI: 'true' }),
      encoding: 'utf8',
    });
    expect([run.status, run.stderr.includes('ERROR') ? run.stderr : '']).toEqual([0, '']);
    for (const stack of Object.keys(app.stacks)) {
      expect(readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf'), 'utf8')).toMatch(/^(resource|terraform) "?/m);
    }
    expect(readFileSync(path.join(outdir, 'stacks', 'gateway-dev', 'cdk.tf'), 'utf8')).toContain('resource "aws_api_gateway_rest_api"');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}, 120_000);
