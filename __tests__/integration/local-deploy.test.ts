/**
 * Integration: the `local` environment deployed to its own moto_server (127.0.0.1, free port)
 * with the real Terraform and AWS provider, exactly as `npm start` does it. Proves that the
 * deploy creates what the config says (WAF web ACL included), that it is idempotent, that a
 * one-tenant config change plans exactly one update, that concurrent applies are refused by the
 * S3 state lock without losing state, and that destroy leaves nothing behind.
 *
 * On the same emulator, in the background while the local deploy runs, an environment with a
 * custom domain (defined here, in a temporary config directory) goes through apply, inspection,
 * plan and destroy; its tests at the end check what was recorded at each step. Route 53 changes
 * take about 15 s each on the emulator (the provider waits for them), so running it alongside
 * keeps the file's wall time close to the local deploy's own.
 *
 * The tests run in order and share one deployment. Missing tools fail the suite (never skip).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { emulatorS3Client, waitForVersionedBucket } from '../../scripts/lib/state-bucket-ready';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { DEFAULT_CONFIG_DIR } from '../../gateway-config/load';
import { effectiveLimits, stageNameOf, tenantNeedsOwnPlan, tierOf } from '../../gateway-config/derive';
import { loadConfig } from '../../gateway-config/load';
import type { ModelInput, TenantInput, TierInput } from '../../gateway-config/schema';
import { stateKey } from '../../stacks/constructs/provider-and-backend';
import {
  destroyClients,
  domainLeftovers,
  emulatorClients,
  inspectDeployment,
  leftovers,
  type DeploymentInfo,
  type DomainLeftovers,
  type EmulatorClients,
  type Leftovers,
} from '../../scripts/lib/inspect-deployment';
import {
  TF_FLAGS,
  apply,
  init,
  localTarget,
  outputs,
  stackDir,
  synthesize,
  synthesizedLogGroupNames,
  synthesizedResources,
  terraform,
  type LocalTarget,
} from '../../scripts/lib/local-deploy';
import { MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { resourceNamePrefix, restApiName } from '../../gateway-config/derive';
import type { EnvironmentInput } from '../../gateway-config/schema';
import { LAMBDA_RUNTIME } from '../../stacks/constructs/nodejs-function';
import { wafLogGroupName, webAclName } from '../../stacks/constructs/web-acl';
import { TERRAFORM_HINT, requireTool, runTerraform, type TerraformResult } from '../../scripts/lib/terraform';

// Terraform against the emulator takes tens of seconds per step; the whole file a few minutes.
jest.setTimeout(10 * 60 * 1000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The tenant whose quota the config-change test edits (it has a usage plan of its own). */
const CHANGED_TENANT = 'umbrella';
const CHANGED_QUOTA_LIMIT = 650_000;

let moto: MotoServer | undefined;
let workDir: string;
let outdir: string;
let stateDir: string;
let gatewayDir: string;
let target: LocalTarget;
let clients: EmulatorClients;
let s3: S3Client;
let info: DeploymentInfo;
let restApiId: string;
const config = loadConfig(DEFAULT_CONFIG_DIR).config;
const timings: Record<string, number> = {};

/** The environment with a custom domain (no WAF: the local one has it), deployed alongside. */
const DOMAIN_ENVIRONMENT = 'corp';
const CUSTOM_DOMAIN = 'ai.example.com';
const HOSTED_ZONE = 'example.com';
let domainDir: string;
let domainRun: Promise<DomainRun>;

/** What the custom-domain environment's lifecycle recorded, step by step. */
interface DomainRun {
  readonly applyOutput: string;
  readonly outputs: Record<string, unknown>;
  readonly info: DeploymentInfo;
  readonly plan: TerraformResult;
  readonly leftovers: Leftovers & DomainLeftovers;
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await work();
  } finally {
    timings[label] = Date.now() - t0;
  }
}

beforeAll(async () => {
  // Fail, never skip, when a tool is missing: CI must not pass without this proof.
  requireTool('terraform', TERRAFORM_HINT);
  requireTool('moto_server', MOTO_HINT);
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-integration-'));
  moto = await startMoto({ logFile: path.join(workDir, 'moto.log') });
  target = localTarget();
  outdir = path.join(workDir, 'cdktf.out');
  const domainOut = path.join(workDir, 'cdktf.out-domain');
  await timed('synth', () => Promise.all([synthesize({ endpoint: moto!.endpoint, outdir }), synthesize({ outdir: domainOut, configDir: domainConfigDir(moto!.endpoint) })]));
  stateDir = stackDir(outdir, target.stateStackId);
  gatewayDir = stackDir(outdir, target.gatewayStackId);
  domainDir = stackDir(domainOut, `gateway-${DOMAIN_ENVIRONMENT}`);
  clients = emulatorClients({ endpoint: moto.endpoint, region: target.environment.region });
  s3 = emulatorS3Client(moto.endpoint, target.stateTarget.region);
  // The hosted zone exists before the stack, as a company's zone does; the stack only adds records.
  await clients.route53.send(new CreateHostedZoneCommand({ Name: HOSTED_ZONE, CallerReference: `bag-integration-${Date.now()}` }));
  domainRun = runDomainLifecycle();
  domainRun.catch(() => undefined);
});

afterAll(async () => {
  // Runs even when a test failed: the emulator never outlives the suite (nor the background deploy).
  await domainRun?.catch(() => undefined);
  if (clients) destroyClients(clients);
  s3?.destroy();
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  // Figures for docs/local-deploy.md.
  process.stdout.write(`integration timings (s): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v / 1000])))}\n`);
});

describe('local deploy on the emulator', () => {
  test('every server is bound to the loopback interface', () => {
    expect(new URL(moto!.endpoint).hostname).toBe('127.0.0.1');
  });

  test('deploys the state stack, then the gateway stack with its state in the versioned bucket', async () => {
    await init(stateDir, { statePath: path.join(workDir, 'bootstrap.tfstate') });
    // The bucket exists within seconds; provider 5.100 then waits about a minute for the
    // lifecycle rule to settle. The gateway only needs a versioned bucket, so it starts then.
    const stateApply = timed('state stack apply', () => apply(stateDir));
    stateApply.catch(() => undefined);
    await waitForVersionedBucket(s3, target.stateTarget.bucket, stateApply);
    await init(gatewayDir);
    const result = await timed('gateway apply', () => apply(gatewayDir));
    expect(result.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
    await stateApply;

    const out = await outputs(gatewayDir);
    restApiId = String(out.rest_api_id);
    info = await inspectDeployment(clients, {
      restApiId,
      stageName: stageNameOf(target.environment),
      region: target.environment.region,
      namePrefix: resourceNamePrefix(target.environment),
      logGroupNames: synthesizedLogGroupNames(gatewayDir),
    });
  });

  test('the REST API is regional and takes API keys from the authorizer', () => {
    expect(info.restApi).toMatchObject({ name: `bedrock-ai-gateway-${target.environment.name}`, apiKeySource: 'AUTHORIZER', endpointTypes: ['REGIONAL'] });
  });

  test('both routes exist, each behind the authorizer and requiring an API key', () => {
    const authorizer = info.authorizers.find((a) => a.name === `${resourceNamePrefix(target.environment)}-jwt`);
    expect(authorizer).toBeDefined();
    expect(info.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /model/{modelId}/converse', 'POST /model/{modelId}/invoke']);
    for (const route of info.routes) {
      expect(route).toMatchObject({ authorizationType: 'CUSTOM', authorizerId: authorizer!.id, apiKeyRequired: true });
    }
  });

  test('the authorizer is a TOKEN authorizer with the configured cache TTL, invoking the deployed function', async () => {
    const functionName = `${resourceNamePrefix(target.environment)}-authorizer`;
    expect(info.authorizers).toEqual([
      expect.objectContaining({ type: 'TOKEN', ttl: target.environment.authorizer.cacheTtlSeconds, authorizerUri: expect.stringContaining(`:function:${functionName}/invocations`) }),
    ]);
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
    expect(fn.Configuration).toMatchObject({ Runtime: LAMBDA_RUNTIME, Handler: 'index.handler', MemorySize: target.environment.authorizer.memorySizeMb });
  });

  test('one usage plan per tier and one per tenant with limit overrides, with the configured throttle and quota, on the stage', () => {
    const prefix = resourceNamePrefix(target.environment);
    const expected = [
      ...config.tiers.map((tier) => ({ name: `${prefix}-tier-${tier.name}`, rateLimit: tier.rateLimit, burstLimit: tier.burstLimit, quotaLimit: tier.quota.limit, quotaPeriod: tier.quota.period })),
      ...config.tenants.filter(tenantNeedsOwnPlan).map((tenant) => {
        const limits = effectiveLimits(config, tenant);
        return { name: `${prefix}-tenant-${tenant.id}`, rateLimit: limits.rateLimit, burstLimit: limits.burstLimit, quotaLimit: limits.quota.limit, quotaPeriod: limits.quota.period };
      }),
    ].sort((a, b) => a.name.localeCompare(b.name));
    expect(info.usagePlans.map(({ name, rateLimit, burstLimit, quotaLimit, quotaPeriod }) => ({ name, rateLimit, burstLimit, quotaLimit, quotaPeriod }))).toEqual(expected);
    for (const plan of info.usagePlans) expect(plan.stages).toEqual([`${restApiId}/${stageNameOf(target.environment)}`]);
  });

  test('one API key per tenant, enabled as configured, in exactly the plan that governs it', () => {
    const prefix = resourceNamePrefix(target.environment);
    expect(info.tenantKeys.map((k) => k.tenant).sort()).toEqual(config.tenants.map((t) => t.id).sort());
    for (const tenant of config.tenants) {
      const key = info.tenantKeys.find((k) => k.tenant === tenant.id)!;
      const plan = tenantNeedsOwnPlan(tenant) ? `${prefix}-tenant-${tenant.id}` : `${prefix}-tier-${tierOf(config, tenant).name}`;
      expect({ tenant: tenant.id, tier: key.tier, enabled: key.enabled, plan: key.plan?.name, planCount: key.planCount }).toEqual({
        tenant: tenant.id,
        tier: tenant.tier,
        enabled: tenant.enabled,
        plan,
        planCount: 1,
      });
    }
  });

  test('the log groups exist with the configured retention', () => {
    const names = synthesizedLogGroupNames(gatewayDir);
    expect(names.length).toBeGreaterThan(0);
    expect(info.logGroups).toEqual(names.map((name) => ({ name, retentionInDays: target.environment.logRetentionDays })));
  });

  test('the WAF web ACL is associated with the stage, in WAF and in API Gateway', () => {
    expect(info.waf).toMatchObject({ name: webAclName(resourceNamePrefix(target.environment)), defaultAction: 'allow' });
    expect(info.webAclArn).toBe(info.waf!.arn);
    expect(info.stageWebAclArn).toBe(info.waf!.arn);
  });

  test('the web ACL holds the synthesized rules: rate limits per IP and per token, managed groups, body size', () => {
    const synthesized = Object.values(synthesizedResources(gatewayDir, 'aws_wafv2_web_acl'))[0].rule as Array<{ name: string; priority: number }>;
    expect(info.waf!.rules.map((r) => [r.priority, r.name])).toEqual(synthesized.map((r) => [r.priority, r.name]).sort((a, b) => Number(a[0]) - Number(b[0])));
    expect(info.waf!.rules.map(({ name, action, match }) => ({ name, action, match }))).toEqual([
      { name: 'AWSManagedRulesAmazonIpReputationList', action: "rules' own actions", match: 'AWS managed rules' },
      { name: 'IpRateLimit', action: 'block (429)', match: 'over 20000 requests per 300 s per client IP' },
      { name: 'TokenRateLimit', action: 'block (429)', match: 'over 20000 requests per 300 s per header authorization' },
      { name: 'AWSManagedRulesKnownBadInputsRuleSet', action: "rules' own actions", match: 'AWS managed rules' },
      { name: 'AWSManagedRulesCommonRuleSet', action: "rules' own actions", match: 'AWS managed rules (SizeRestrictions_BODY counted)' },
      { name: 'BodySizeLimit', action: 'block (413)', match: expect.stringMatching(/^declared Content-Length matching \^0\*\(/) },
    ]);
  });

  test('WAF logs go to the aws-waf-logs- log group, authorization header redacted, blocked and counted requests only', () => {
    expect(info.waf!.logging).toEqual({
      destinations: [expect.stringMatching(new RegExp(`:log-group:${wafLogGroupName(resourceNamePrefix(target.environment))}$`))],
      redactedHeaders: ['authorization'],
      keptActions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'],
    });
    expect(info.logGroups.map((g) => g.name)).toContain(wafLogGroupName(resourceNamePrefix(target.environment)));
  });

  test('a second plan finds nothing to change (-detailed-exitcode 0)', async () => {
    const plan = await timed('plan after apply', () => runTerraform(gatewayDir, ['plan', '-detailed-exitcode', ...TF_FLAGS]));
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toContain('No changes.');
  });

  test("changing one tenant's quota plans exactly one update, of exactly that tenant's usage plan", async () => {
    await deployConfigChange('quota', 'tenants', (tenants: TenantInput[]) => {
      const tenant = tenants.find((t) => t.id === CHANGED_TENANT)!;
      expect(tenant.overrides?.quota).toBeDefined();
      tenant.overrides!.quota!.limit = CHANGED_QUOTA_LIMIT;
    });
    await terraform(gatewayDir, ['plan', ...TF_FLAGS, '-out=quota.tfplan']);
    const show = await terraform(gatewayDir, ['show', '-json', '-no-color', 'quota.tfplan']);
    const changes = (JSON.parse(show.stdout).resource_changes as Array<{ address: string; type: string; change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> } }>).filter(
      (c) => !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'),
    );
    expect(changes.map((c) => ({ type: c.type, actions: c.change.actions, name: c.change.after.name }))).toEqual([
      { type: 'aws_api_gateway_usage_plan', actions: ['update'], name: `${resourceNamePrefix(target.environment)}-tenant-${CHANGED_TENANT}` },
    ]);
    expect(changes[0].change.after.quota_settings).toEqual([expect.objectContaining({ limit: CHANGED_QUOTA_LIMIT })]);
  });

  test('two applies at once: one is refused by the state lock, the other completes, and no state version is lost', async () => {
    // Real work for both: a tier description. (moto 5.2 stores a quota limit updated in place as a
    // string, which the provider then cannot read back: the quota change above is planned, never applied.)
    await deployConfigChange('description', 'tiers', (tiers: TierInput[]) => {
      tiers[0].description = `${tiers[0].description ?? ''} (edited)`;
    });
    const args = ['apply', '-auto-approve', '-lock-timeout=0s', ...TF_FLAGS];
    const [a, b] = await timed('concurrent applies', () => Promise.all([runTerraform(gatewayDir, args), runTerraform(gatewayDir, args)]));
    const results = [a, b].sort((x, y) => x.code - y.code);
    expect(results.map((r) => r.code === 0)).toEqual([true, false]);
    expect(results[0].stdout).toMatch(/Apply complete! Resources: 0 added, 1 changed, 0 destroyed/);
    expect(results[1].stderr + results[1].stdout).toContain('Error acquiring the state lock');

    // Every state write is a version; each parses, belongs to one lineage, and serials only grow.
    const key = stateKey(stateKeyPrefix(), target.environment.name);
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: target.stateTarget.bucket, Prefix: key }));
    const versions = (listed.Versions ?? []).filter((v) => v.Key === key);
    expect(versions.length).toBeGreaterThanOrEqual(2);
    expect((listed.DeleteMarkers ?? []).filter((m) => m.Key === key)).toEqual([]);
    const states = await Promise.all(
      versions.map(async (v) => {
        const object = await s3.send(new GetObjectCommand({ Bucket: target.stateTarget.bucket, Key: key, VersionId: v.VersionId }));
        const state = JSON.parse(await object.Body!.transformToString()) as { serial: number; lineage: string };
        return { serial: state.serial, lineage: state.lineage, time: v.LastModified!.getTime(), isLatest: v.IsLatest === true };
      }),
    );
    // LastModified has one-second resolution: order by it, then by serial within a second.
    states.sort((x, y) => x.time - y.time || x.serial - y.serial);
    expect(new Set(states.map((s) => s.lineage)).size).toBe(1);
    const serials = states.map((s) => s.serial);
    expect(new Set(serials).size).toBe(serials.length);
    expect([...serials].sort((x, y) => x - y)).toEqual(serials);
    const latest = states.filter((s) => s.isLatest);
    expect(latest.map((s) => s.serial)).toEqual([Math.max(...serials)]);
    const pulled = JSON.parse((await terraform(gatewayDir, ['state', 'pull'])).stdout) as { serial: number; lineage: string };
    expect({ serial: pulled.serial, lineage: pulled.lineage }).toEqual({ serial: Math.max(...serials), lineage: states[0].lineage });
    // The lock object is gone once the winner finished.
    const lock = await s3.send(new ListObjectVersionsCommand({ Bucket: target.stateTarget.bucket, Prefix: `${key}.tflock` }));
    expect((lock.Versions ?? []).filter((v) => v.IsLatest)).toEqual([]);
  });

  test('destroy leaves no API, usage plan, API key, function, log group, web ACL or WAF logging of the stack', async () => {
    await timed('destroy', () => terraform(gatewayDir, ['destroy', '-auto-approve', ...TF_FLAGS]));
    const left = await leftovers(clients, resourceNamePrefix(target.environment), restApiName(target.environment));
    expect(left).toEqual({ restApis: [], usagePlans: [], apiKeys: [], functions: [], webAcls: [], ipSets: [], wafLogging: [] });
    for (const name of synthesizedLogGroupNames(gatewayDir)) {
      const groups = (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? [];
      expect(groups.map((g) => g.logGroupName)).not.toContain(name);
    }
  });
});

describe('an environment with a custom domain on the emulator (deployed alongside the local one)', () => {
  test('applies: certificate, validation record, domain name, base path mapping, A and AAAA records', async () => {
    const run = await domainRun;
    expect(run.applyOutput).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
    expect(run.outputs.custom_domain_url).toBe(`https://${CUSTOM_DOMAIN}`);
  });

  test('the ACM certificate for the domain is issued, and the domain name uses it: REGIONAL, dualstack, TLS 1.2', async () => {
    const domain = (await domainRun).info.customDomain!;
    expect(domain.certificate).toEqual({ arn: expect.stringMatching(/^arn:aws:acm:us-east-1:\d{12}:certificate\//), domainName: CUSTOM_DOMAIN, status: 'ISSUED' });
    expect(domain).toMatchObject({ domainName: CUSTOM_DOMAIN, endpointTypes: ['REGIONAL'], ipAddressType: 'dualstack', securityPolicy: 'TLS_1_2' });
  });

  test('the zone holds the A and AAAA aliases to the regional domain name and the ACM validation CNAME', async () => {
    const domain = (await domainRun).info.customDomain!;
    expect(domain.records).toEqual([
      { name: expect.stringMatching(new RegExp(`^_[0-9a-f]+\\.${CUSTOM_DOMAIN.replace(/\./g, '\\.')}$`)), type: 'CNAME', values: [expect.stringMatching(/acm-validations\.aws\.?$/)] },
      { name: CUSTOM_DOMAIN, type: 'A', aliasTarget: domain.regionalDomainName, values: [] },
      { name: CUSTOM_DOMAIN, type: 'AAAA', aliasTarget: domain.regionalDomainName, values: [] },
    ]);
  });

  test('the domain root maps to the stage, and the execute-api endpoint is disabled', async () => {
    const { info, outputs: out } = await domainRun;
    expect(info.customDomain!.basePathMappings).toEqual([{ basePath: '(none)', restApiId: out.rest_api_id, stage: DOMAIN_ENVIRONMENT }]);
    expect(info.restApi.disableExecuteApiEndpoint).toBe(true);
  });

  test('a second plan finds nothing to change (-detailed-exitcode 0)', async () => {
    const { plan } = await domainRun;
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
  });

  test('destroy leaves no domain name, certificate or record (the zone keeps only its NS and SOA), and nothing else of the stack', async () => {
    expect((await domainRun).leftovers).toEqual({ restApis: [], usagePlans: [], apiKeys: [], functions: [], webAcls: [], ipSets: [], wafLogging: [], domainNames: [], certificates: [], records: [] });
  });
});

/**
 * A config directory with one environment that has a custom domain, and a small catalogue (one
 * model, tier and tenant of the example) so the stack is no bigger than it needs to be.
 */
function domainConfigDir(endpoint: string): string {
  const dir = path.join(workDir, 'config-domain');
  cpSync(DEFAULT_CONFIG_DIR, dir, { recursive: true, filter: (src) => !/(environments|models|tiers|tenants)\.ts$/.test(src) });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example = (section: string) => structuredClone(require(path.join(DEFAULT_CONFIG_DIR, section)).default);
  const [model] = example('models') as ModelInput[];
  const tier = { ...(example('tiers') as TierInput[])[0], models: [model.id] };
  const tenant = (example('tenants') as TenantInput[]).find((t) => t.tier === tier.name && !t.overrides)!;
  writeFileSync(path.join(dir, 'models.json'), JSON.stringify([model]));
  writeFileSync(path.join(dir, 'tiers.json'), JSON.stringify([tier]));
  writeFileSync(path.join(dir, 'tenants.json'), JSON.stringify([tenant]));
  const environment: EnvironmentInput = {
    name: DOMAIN_ENVIRONMENT,
    region: 'us-east-1',
    state: { backend: 'local', path: path.join(workDir, `${DOMAIN_ENVIRONMENT}.tfstate`) },
    logRetentionDays: 1,
    emulator: { endpoint },
    edge: { domain: { name: CUSTOM_DOMAIN, hostedZone: { name: HOSTED_ZONE } } },
  };
  writeFileSync(path.join(dir, 'environments.json'), JSON.stringify([environment]));
  return dir;
}

/** Apply, inspect, plan and destroy the custom-domain environment, recording each step. */
async function runDomainLifecycle(): Promise<DomainRun> {
  const domainEnv = loadConfig(path.join(workDir, 'config-domain')).config.environments[0];
  const prefix = resourceNamePrefix(domainEnv);
  await init(domainDir);
  const applied = await timed('domain: apply', () => apply(domainDir));
  const out = await outputs(domainDir);
  const inspected = await inspectDeployment(clients, {
    restApiId: String(out.rest_api_id),
    stageName: stageNameOf(domainEnv),
    region: domainEnv.region,
    namePrefix: prefix,
    logGroupNames: synthesizedLogGroupNames(domainDir),
    customDomainName: CUSTOM_DOMAIN,
  });
  const plan = await timed('domain: plan after apply', () => runTerraform(domainDir, ['plan', '-detailed-exitcode', ...TF_FLAGS]));
  await timed('domain: destroy', () => terraform(domainDir, ['destroy', '-auto-approve', ...TF_FLAGS]));
  const left = { ...(await leftovers(clients, prefix, restApiName(domainEnv))), ...(await domainLeftovers(clients, CUSTOM_DOMAIN)) };
  return { applyOutput: applied.stdout, outputs: out, info: inspected, plan, leftovers: left };
}

/**
 * Synthesizes the example config with one section edited (written as JSON into a temp copy of
 * the config directory) and puts the result in the gateway stack's working directory.
 */
async function deployConfigChange<T>(name: string, section: 'tenants' | 'tiers', edit: (items: T[]) => void): Promise<void> {
  const configDir = path.join(workDir, `config-${name}`);
  cpSync(DEFAULT_CONFIG_DIR, configDir, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const items = structuredClone(require(path.join(DEFAULT_CONFIG_DIR, section)).default) as T[];
  edit(items);
  rmSync(path.join(configDir, `${section}.ts`));
  writeFileSync(path.join(configDir, `${section}.json`), JSON.stringify(items, null, 2));
  const changedOut = path.join(workDir, `cdktf.out-${name}`);
  await synthesize({ endpoint: moto!.endpoint, outdir: changedOut, configDir });
  const changedDir = stackDir(changedOut, target.gatewayStackId);
  cpSync(path.join(changedDir, 'cdk.tf.json'), path.join(gatewayDir, 'cdk.tf.json'));
  if (readdirSync(changedDir).includes('assets')) cpSync(path.join(changedDir, 'assets'), path.join(gatewayDir, 'assets'), { recursive: true });
}

function stateKeyPrefix(): string {
  const state = target.environment.state;
  if (state.backend !== 's3') throw new Error('the local environment must use the s3 backend');
  return state.keyPrefix;
}

