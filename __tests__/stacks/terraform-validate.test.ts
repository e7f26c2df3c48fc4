/**
 * Every synthesized stack must pass `terraform init` + `terraform validate` with the real
 * AWS provider schema (from the local mirror; no network). Fails, never skips, without Terraform.
 *
 * Besides the example config, a config of edge variants is synthesized so every shape of the
 * loosely typed WAF statements (nested not/or IP set references, size constraint and
 * Content-Length regex, count modes, association config) and of the custom domain (zone id,
 * base path, execute-api endpoint kept) meets the provider schema.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EnvironmentInput } from '../../gateway-config/schema';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { EXAMPLE_CONFIG_DIR, REPO_ROOT } from '../helpers/config';
import { synthApp, type SynthesizedApp } from '../helpers/synth-app';

/** Every WAF and domain option the example config leaves out. */
const EDGE_VARIANTS: EnvironmentInput[] = [
  {
    name: 'waf-all',
    region: 'eu-west-1',
    state: { backend: 'local' },
    edge: {
      waf: {
        ipRateLimit: { limit: 100_000, windowSeconds: 60, action: 'count' },
        tokenRateLimit: { limit: 50_000, windowSeconds: 600 },
        allowList: ['10.0.0.0/8', '2001:db8::/32'],
        denyList: ['10.66.0.0/16'],
        blockedCountries: ['KP', 'IR'],
        managedRuleGroups: {
          AWSManagedRulesAnonymousIpList: { enabled: true, action: 'count' },
          AWSManagedRulesKnownBadInputsRuleSet: { action: 'count' },
          AWSManagedRulesCommonRuleSet: { ruleActionOverrides: { NoUserAgent_HEADER: 'count', SizeRestrictions_BODY: 'block' } },
        },
        bodyInspectionLimitKb: 64,
        bodySizeLimit: { maxBytes: 65_536 },
        logging: { keep: 'all' },
      },
    },
  },
  {
    name: 'edge-min',
    region: 'eu-central-1',
    state: { backend: 'local' },
    edge: {
      waf: { allowList: ['2001:db8:1::/48'], tokenRateLimit: { enabled: false }, bodySizeLimit: { action: 'count' }, logging: { enabled: false } },
      domain: { name: 'gw.example.org', hostedZone: { name: 'example.org', id: 'Z0123456789ABCDEFGHIJ' }, basePath: 'bedrock', keepExecuteApiEndpoint: true },
    },
  },
];

let app: SynthesizedApp;
let variants: SynthesizedApp;
let variantConfigDir: string;

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  variantConfigDir = mkdtempSync(path.join(tmpdir(), 'bag-edge-variants-'));
  cpSync(EXAMPLE_CONFIG_DIR, variantConfigDir, { recursive: true, filter: (src) => !src.endsWith('environments.ts') });
  writeFileSync(path.join(variantConfigDir, 'environments.json'), JSON.stringify(EDGE_VARIANTS));
  [app, variants] = await Promise.all([synthApp(), synthApp(variantConfigDir)]);
}, 120_000);

afterAll(() => {
  for (const synthesized of [app, variants]) if (synthesized) rmSync(path.dirname(synthesized.outdir), { recursive: true, force: true });
  if (variantConfigDir) rmSync(variantConfigDir, { recursive: true, force: true });
});

test('main.ts synthesizes one gateway stack per configured environment', () => {
  expect(Object.keys(app.stacks)).toEqual(expect.arrayContaining(['gateway-dev', 'gateway-prod', 'gateway-local']));
  expect(Object.keys(variants.stacks).sort()).toEqual(['gateway-edge-min', 'gateway-waf-all']);
});

test('main.ts prints the keepExecuteApiEndpoint warning to stderr, and nothing for the example config', () => {
  expect(variants.output).toContain(
    'Warning: gateway-edge-min/rest-api/api: environment edge-min: edge.domain.keepExecuteApiEndpoint is true, so the default execute-api endpoint stays reachable next to gw.example.org: clients can bypass the custom domain.',
  );
  expect(app.output).not.toContain('Warning:');
});

test('terraform init + validate accept every synthesized stack, with WAF and custom domain in every variant', async () => {
  const env = terraformEnv();
  const stacks = { ...app.stacks, ...variants.stacks };
  // The stacks that carry the edge: make sure they are among those validated.
  const withType = (type: string) => Object.keys(stacks).filter((name) => readFileSync(path.join(stacks[name], 'cdk.tf.json'), 'utf8').includes(`"${type}"`)).sort();
  expect(withType('aws_wafv2_web_acl')).toEqual(['gateway-edge-min', 'gateway-local', 'gateway-prod', 'gateway-waf-all']);
  expect(withType('aws_api_gateway_domain_name')).toEqual(['gateway-edge-min', 'gateway-prod']);
  const results = await Promise.all(
    Object.entries(stacks).map(async ([name, dir]) => {
      const init = await runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
      if (init.code !== 0) return { name, ok: false, detail: init.stdout + init.stderr };
      const validate = await runTerraform(dir, ['validate', '-json', '-no-color'], { env });
      const report = JSON.parse(validate.stdout) as { valid: boolean; error_count: number; diagnostics: Array<{ summary: string; detail?: string }> };
      return { name, ok: validate.code === 0 && report.valid && report.error_count === 0, detail: JSON.stringify(report.diagnostics) };
    }),
  );
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.length).toBe(Object.keys(stacks).length);
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
