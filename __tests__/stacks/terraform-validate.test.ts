/**
 * Every synthesized stack must pass `terraform init` + `terraform validate` with the real
 * AWS provider schema (from the local mirror; no network), as Terraform JSON and as the HCL of
 * `cdktf synth --hcl` (the exit from CDKTF), and its HCL must mean exactly what its JSON means,
 * resource by resource (the round-trip guard). Fails, never skips, without Terraform.
 *
 * Besides the example config, a config of edge variants is synthesized so every shape of the
 * loosely typed WAF statements (nested not/or IP set references, size constraint and
 * Content-Length regex, count modes, association config) and of the custom domain (zone id,
 * base path, execute-api endpoint kept) meets the provider schema, in JSON and in HCL, and so do
 * the stacks of a sharded environment (core with its tenant table bucket, a shard publishing its table).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EnvironmentInput } from '../../gateway-config/schema';
import { formatProblem, hclRoundTrip } from '../../hcl-export/round-trip';
import { synthesizeHcl } from '../../hcl-export/synth';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { EXAMPLE_CONFIG_DIR } from '../helpers/config';
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
    // WAF logging off fails rule BAG-WAF2 unless the finding is accepted with a reason.
    policy: { suppressions: [{ rule: 'BAG-WAF2', resource: 'aws_wafv2_web_acl.waf_web-acl_54BA89C4', reason: 'variant without WAF logs, for the schema only' }] },
  },
  {
    // Tenant shards: the core's tenant table bucket, the shard's key resources and its table object
    // (a long JSON string), and the remote state read, in JSON and in HCL.
    name: 'sharded',
    region: 'us-west-2',
    state: { backend: 's3', bucket: 'variants-sharded-tfstate', keyPrefix: 'variants' },
    tenantShards: 1,
  },
  // Terraform Cloud backends with a project (issue 10): stock cdktf dropped `project` from the
  // HCL's workspaces block (patches/cdktf+0.21.0.patch restores it). `init -backend=false` keeps
  // them offline; the round-trip guard checks the cloud block attribute by attribute.
  { name: 'cloud-named', region: 'us-east-2', state: { backend: 'cloud', organization: 'example-corp', workspace: 'gateway-cloud-named', project: 'ai-platform' } },
  {
    name: 'cloud-tagged',
    region: 'us-east-2',
    state: { backend: 'cloud', organization: 'example-corp', workspaceTags: ['bedrock-gateway', 'staging'], project: 'ai-platform', hostname: 'tfe.example.com' },
  },
];

let app: SynthesizedApp;
let variants: SynthesizedApp;
let variantConfigDir: string;
/** HCL output directories: the example's and the variants'. */
let hclOutdirs: { example: string; variants: string };
/** Stack name -> { json dir, hcl dir } over both configs. */
let stacks: Record<string, { json: string; hcl: string }>;

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  variantConfigDir = mkdtempSync(path.join(tmpdir(), 'bag-edge-variants-'));
  cpSync(EXAMPLE_CONFIG_DIR, variantConfigDir, { recursive: true, filter: (src) => !src.endsWith('environments.ts') });
  writeFileSync(path.join(variantConfigDir, 'environments.json'), JSON.stringify(EDGE_VARIANTS));
  hclOutdirs = {
    example: path.join(mkdtempSync(path.join(tmpdir(), 'bag-hcl-')), 'cdktf.out'),
    variants: path.join(mkdtempSync(path.join(tmpdir(), 'bag-hcl-')), 'cdktf.out'),
  };
  [app, variants] = await Promise.all([
    synthApp(),
    synthApp(variantConfigDir),
    synthesizeHcl({ outdir: hclOutdirs.example }),
    synthesizeHcl({ outdir: hclOutdirs.variants, configDir: variantConfigDir }),
  ]);
  const entries = (synthesized: SynthesizedApp, hclOutdir: string) =>
    Object.entries(synthesized.stacks).map(([name, dir]) => [name, { json: dir, hcl: path.join(hclOutdir, 'stacks', name) }] as const);
  stacks = Object.fromEntries([...entries(app, hclOutdirs.example), ...entries(variants, hclOutdirs.variants)]);
}, 600_000);

afterAll(() => {
  for (const synthesized of [app, variants]) if (synthesized) rmSync(path.dirname(synthesized.outdir), { recursive: true, force: true });
  if (hclOutdirs) for (const dir of Object.values(hclOutdirs)) rmSync(path.dirname(dir), { recursive: true, force: true });
  if (variantConfigDir) rmSync(variantConfigDir, { recursive: true, force: true });
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

/** The JSON of every stack validated once, shared by the tests below. */
let jsonValidation: Promise<ValidateOutcome[]> | undefined;
const validateJson = () => (jsonValidation ??= Promise.all(Object.entries(stacks).map(([name, dirs]) => validate(name, dirs.json))));

test('main.ts synthesizes one gateway stack per configured environment', () => {
  expect(Object.keys(app.stacks)).toEqual(expect.arrayContaining(['gateway-dev', 'gateway-prod', 'gateway-local', 'gateway-local-forwarder']));
  expect(Object.keys(variants.stacks).sort()).toEqual([
    'gateway-cloud-named',
    'gateway-cloud-tagged',
    'gateway-edge-min',
    'gateway-sharded',
    'gateway-sharded-tenants-0',
    'gateway-waf-all',
    'state-variants-sharded-tfstate',
  ]);
});

test('main.ts prints the keepExecuteApiEndpoint warning to stderr, and for the example config only that dev and local own the region invocation logging', () => {
  expect(variants.output).toContain(
    'Warning: gateway-edge-min/rest-api/api: environment edge-min: edge.domain.keepExecuteApiEndpoint is true, so the default execute-api endpoint stays reachable next to gw.example.org: clients can bypass the custom domain.',
  );
  // Token budgets: owning the one-per-region Bedrock invocation logging configuration is announced.
  expect(app.output.split('\n').filter((l) => l.includes('Warning:')).map((l) => l.replace(/:.*?: environment ([\w-]+):.*/, ': $1'))).toEqual(['Warning: dev', 'Warning: local', 'Warning: local-forwarder']);
  // local-forwarder meters nothing (local does, on the same emulator), and says so.
  expect(app.output).toContain('environment local-forwarder: tiers or tenants have token budgets, but the environment sets no tokenBudgets, so they are neither metered nor enforced here');
  expect(app.output).toContain('environment dev: this stack manages the Bedrock model invocation logging configuration of us-east-1 (one per account and region)');
});

test('terraform init + validate accept every synthesized stack (Terraform JSON), with WAF and custom domain in every variant', async () => {
  // The stacks that carry the edge: make sure they are among those validated.
  const withType = (type: string) => Object.keys(stacks).filter((name) => readFileSync(path.join(stacks[name].json, 'cdk.tf.json'), 'utf8').includes(`"${type}"`)).sort();
  expect(withType('aws_wafv2_web_acl')).toEqual(['gateway-edge-min', 'gateway-local', 'gateway-prod', 'gateway-waf-all']);
  expect(withType('aws_api_gateway_domain_name')).toEqual(['gateway-edge-min', 'gateway-prod']);
  // Both integration modes (issue 14): the forwarder's AWS_PROXY routes, the direct mode's integration responses.
  expect(withType('AWS_PROXY')).toEqual(['gateway-local-forwarder']);
  expect(withType('aws_api_gateway_integration_response')).toEqual([
    'gateway-cloud-named',
    'gateway-cloud-tagged',
    'gateway-dev',
    'gateway-edge-min',
    'gateway-local',
    'gateway-prod',
    'gateway-sharded',
    'gateway-waf-all',
  ]);
  // A sharded environment: its core's tenant table bucket, its shard's table object.
  expect([withType('aws_s3_object'), withType('aws_s3_bucket').filter((name) => name.startsWith('gateway-'))]).toEqual([['gateway-sharded-tenants-0'], ['gateway-sharded']]);
  const results = await validateJson();
  expect(results.filter((r) => !r.valid || r.errors !== 0)).toEqual([]);
  expect(results.length).toBe(Object.keys(stacks).length);
}, 600_000);

test('terraform init + validate accept the HCL of every stack (cdktf synth --hcl): no error, and no diagnostic the JSON does not have', async () => {
  const names = Object.keys(stacks);
  const [fromHcl, fromJson] = await Promise.all([Promise.all(names.map((name) => validate(name, stacks[name].hcl))), validateJson()]);
  // The JSON's only diagnostic is the provider's deprecation of aws_api_gateway_account.reset_on_delete
  // (removed in hashicorp/aws 6, where resetting becomes the default).
  expect(fromJson.flatMap((r) => r.diagnostics).filter((d) => !d.startsWith('Attribute Deprecated: The "reset_on_delete" attribute'))).toEqual([]);
  expect(fromHcl).toEqual(fromJson.map((r) => ({ ...r, valid: true, errors: 0 })));
}, 600_000);

test('the HCL of the Terraform Cloud variants keeps the workspace project, as their JSON has it', () => {
  // cdk.tf as hclwrite formatted it, without indentation and alignment.
  const unformatted = (stack: string) =>
    readFileSync(path.join(stacks[stack].hcl, 'cdk.tf'), 'utf8')
      .split('\n')
      .map((line) => line.trim().replace(/\s+=\s+/, ' = '))
      .join('\n');
  expect(unformatted('gateway-cloud-named')).toContain('\ncloud {\norganization = "example-corp"\nworkspaces {\nname = "gateway-cloud-named"\nproject = "ai-platform"\n}\n}\n');
  expect(unformatted('gateway-cloud-tagged')).toContain(
    '\ncloud {\norganization = "example-corp"\nworkspaces {\ntags = [\n"bedrock-gateway",\n"staging"\n]\nproject = "ai-platform"\n}\nhostname = "tfe.example.com"\n}\n',
  );
});

test('round-trip guard: in every stack, every resource, data source, output, provider and backend means the same in HCL as in JSON', async () => {
  for (const [stack, dirs] of Object.entries(stacks)) {
    const json = JSON.parse(readFileSync(path.join(dirs.json, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
    const { checked, problems } = await hclRoundTrip(readFileSync(path.join(dirs.hcl, 'cdk.tf'), 'utf8'), json);
    expect({ stack, problems: problems.map(formatProblem) }).toEqual({ stack, problems: [] });
    // It compared every resource of the stack, not a sample.
    const resources = Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
    expect(checked).toEqual(expect.arrayContaining([...resources, 'terraform', 'provider.aws[0]']));
  }
}, 300_000);
