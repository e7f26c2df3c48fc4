/**
 * Integration: the `local` environment deployed to its own moto_server (127.0.0.1, free port)
 * with the real Terraform and AWS provider, exactly as `npm start` does it. Proves that the
 * deploy creates what the config says (WAF web ACL included), that it is idempotent, that a
 * one-tenant config change plans exactly one update, that concurrent applies are refused by the
 * S3 state lock without losing state, and that destroy leaves nothing behind.
 *
 * The tests run in order and share one deployment. Missing tools fail the suite (never skip).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { emulatorS3Client, waitForVersionedBucket } from '../../scripts/lib/state-bucket-ready';
import { GetFunctionCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { GetIntegrationCommand, GetResourcesCommand } from '@aws-sdk/client-api-gateway';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DEFAULT_CONFIG_DIR } from '../../gateway-config/load';
import { effectiveLimits, stageNameOf, tenantNeedsOwnPlan, tierOf } from '../../gateway-config/derive';
import { loadConfig } from '../../gateway-config/load';
import type { TenantInput, TierInput } from '../../gateway-config/schema';
import { stateKey } from '../../stacks/constructs/provider-and-backend';
import { destroyClients, emulatorClients, inspectDeployment, leftovers, type DeploymentInfo, type EmulatorClients } from '../../scripts/lib/inspect-deployment';
import {
  TF_FLAGS,
  apply,
  init,
  localTarget,
  outputs,
  savedQueriesOf,
  stackDir,
  synthesize,
  synthesizedLogGroupNames,
  synthesizedResources,
  terraform,
  type LocalTarget,
} from '../../scripts/lib/local-deploy';
import { MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { resourceNamePrefix, restApiName } from '../../gateway-config/derive';
import { LAMBDA_RUNTIME } from '../../stacks/constructs/nodejs-function';
import { wafLogGroupName, webAclName } from '../../stacks/constructs/web-acl';
import { TERRAFORM_HINT, requireTool, runTerraform } from '../../scripts/lib/terraform';
import { GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { DescribeSubscriptionFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildMeteringSettings } from '../../gateway-config/budgets';
import { createMeteringHandler } from '../../functions/metering/meter';
import { createResetHandler } from '../../functions/metering/reset';
import { toSubscriptionEvent } from '../../functions/metering/subscription';
import { EMULATOR_SDK_CREDENTIALS } from '../../scripts/lib/moto';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { RESET_SCHEDULE } from '../../stacks/constructs/token-budgets';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): Buffer =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** SHA-256 / HMAC-SHA-256 on node:crypto for the signer. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }
  private create(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.create();
  }
}

/**
 * One EventBridge API call (JSON 1.1 protocol, SigV4-signed by the SDK's signer) on the emulator:
 * @aws-sdk/client-eventbridge is not a dependency of this project.
 */
async function eventBridge(sdk: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }, action: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const url = new URL(sdk.endpoint);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ service: 'events', region: sdk.region, credentials: sdk.credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSEvents.${action}` },
    body,
  });
  const response = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`EventBridge ${action} on the emulator: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

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
  await timed('synth', () => synthesize({ endpoint: moto!.endpoint, outdir }));
  stateDir = stackDir(outdir, target.stateStackId);
  gatewayDir = stackDir(outdir, target.gatewayStackId);
  clients = emulatorClients({ endpoint: moto.endpoint, region: target.environment.region });
  s3 = emulatorS3Client(moto.endpoint, target.stateTarget.region);
});

afterAll(async () => {
  // Runs even when a test failed: the emulator never outlives the suite.
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
      logGroupNames: synthesizedLogGroupNames(gatewayDir, restApiId),
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
    const names = synthesizedLogGroupNames(gatewayDir, restApiId);
    expect(names).toEqual([
      `/aws/apigateway/${restApiName(target.environment)}/${stageNameOf(target.environment)}/access`,
      `/aws/bedrock/${resourcePrefix()}/model-invocations`,
      `/aws/lambda/${resourcePrefix()}-authorizer`,
      `/aws/lambda/${resourcePrefix()}-budget-reset`,
      `/aws/lambda/${resourcePrefix()}-metering`,
      `API-Gateway-Execution-Logs_${restApiId}/${stageNameOf(target.environment)}`,
      wafLogGroupName(resourcePrefix()),
    ]);
    const retention = (name: string) => (name.endsWith('/access') ? target.environment.observability.accessLogs.retentionDays : target.environment.logRetentionDays);
    expect(info.logGroups).toEqual(names.map((name) => ({ name, retentionInDays: retention(name) })));
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
      { name: 'BodySizeLimit', action: 'block (413)', match: 'declared Content-Length over 1048576 bytes' },
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

  test('the stage writes JSON access logs, logs errors, never traces data, has metrics, X-Ray and the stage throttle', () => {
    const stage = Object.values(synthesizedResources(gatewayDir, 'aws_api_gateway_stage'))[0] as { access_log_settings: { format: string } };
    const observability = target.environment.observability;
    expect(info.stage).toEqual({
      tracingEnabled: true,
      accessLogDestination: expect.stringContaining(`:log-group:/aws/apigateway/${restApiName(target.environment)}/${stageNameOf(target.environment)}/access`),
      accessLogFormat: stage.access_log_settings.format,
      methodSettings: {
        loggingLevel: observability.executionLogLevel,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: observability.throttle.rateLimit,
        throttlingBurstLimit: observability.throttle.burstLimit,
      },
    });
    expect(info.cloudwatchRoleArn).toEqual(expect.stringContaining(`:role/${resourcePrefix()}-apigateway-cloudwatch`));
  });

  test('gateway responses carry x-amzn-ErrorType as synthesized', () => {
    const synthesized = Object.values(synthesizedResources(gatewayDir, 'aws_api_gateway_gateway_response'))
      .map((r) => ({
        type: String(r.response_type),
        ...(r.status_code ? { status: String(r.status_code) } : {}),
        errorType: String((r.response_parameters as Record<string, string>)['gatewayresponse.header.x-amzn-ErrorType']).replace(/^'|'$/g, ''),
      }))
      .sort((a, b) => a.type.localeCompare(b.type));
    expect(synthesized.length).toBeGreaterThanOrEqual(9);
    expect(info.gatewayResponses.map((r) => ({ ...r, ...(r.status ? {} : { status: undefined }) })).map(({ type, status, errorType }) => ({ type, ...(status ? { status } : {}), errorType }))).toEqual(synthesized);
  });

  test('the alarms, the Bedrock 429 metric filter and the dashboard exist as synthesized; saved queries are left out on the emulator', () => {
    const alarmNames = Object.values(synthesizedResources(gatewayDir, 'aws_cloudwatch_metric_alarm')).map((a) => String(a.alarm_name)).sort();
    expect(alarmNames.length).toBeGreaterThanOrEqual(6);
    expect(info.alarms.map((a) => a.name)).toEqual(alarmNames);
    expect(info.alarms.find((a) => a.name.endsWith('-bedrock-throttles'))).toMatchObject({ metric: `BedrockAIGateway/${target.environment.name}/BedrockThrottles`, threshold: target.environment.observability.alarms.bedrockThrottles });
    expect(info.metricFilters).toEqual([{ name: `${restApiName(target.environment)}-bedrock-throttles`, pattern: '{ $.integrationStatus = "429" }', metric: `BedrockAIGateway/${target.environment.name}/BedrockThrottles` }]);
    expect(info.dashboards).toEqual([resourcePrefix()]);
    expect(savedQueriesOf(gatewayDir, resourcePrefix())).toEqual({
      created: [],
      skipped: ['requests-by-tenant-and-model', 'denied-by-reason', 'top-callers', 'throttled-by-tenant'].map((q) => `${resourcePrefix()}/${q}`),
      skippedReason: 'the emulator (moto 5.2) has no PutQueryDefinition; created on AWS',
    });
  });

  test('token budgets: ledger, subscription filter, schedule (rule and target) and queue exist; a tenant over budget gets its key disabled by the metering handler, the reset re-enables it next period', async () => {
    const out = await outputs(gatewayDir);
    const table = out.token_ledger_table_name as string;
    const sdk = { endpoint: moto!.endpoint, region: target.environment.region, credentials: { ...EMULATOR_SDK_CREDENTIALS } };
    const dynamodb = new DynamoDBClient(sdk);
    const sqs = new SQSClient(sdk);
    try {
      const described = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
      expect(described.Table).toMatchObject({ TableName: `${resourcePrefix()}-token-ledger`, BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' }, SSEDescription: { Status: 'ENABLED' } });
      expect((await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
      const filters = await clients.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: out.invocation_log_group_name as string }));
      expect(filters.subscriptionFilters?.map((f) => f.filterName)).toEqual([`${resourcePrefix()}-metering`]);
      expect(await sqs.send(new GetQueueAttributesCommand({ QueueUrl: out.metering_failure_queue_url as string, AttributeNames: ['SqsManagedSseEnabled'] }))).toMatchObject({ Attributes: { SqsManagedSseEnabled: 'true' } });
      // The hourly reset schedule and its one target, the reset function (read back from EventBridge).
      const resetFunction = await clients.lambda.send(new GetFunctionCommand({ FunctionName: `${resourcePrefix()}-budget-reset` }));
      const rule = await eventBridge(sdk, 'DescribeRule', { Name: `${resourcePrefix()}-budget-reset` });
      expect(rule).toMatchObject({ Name: `${resourcePrefix()}-budget-reset`, ScheduleExpression: RESET_SCHEDULE, State: 'ENABLED' });
      const targets = await eventBridge(sdk, 'ListTargetsByRule', { Rule: `${resourcePrefix()}-budget-reset` });
      expect((targets.Targets as Array<{ Id: string; Arn: string }>).map(({ Id, Arn }) => ({ Id, Arn }))).toEqual([{ Id: 'budget-reset', Arn: resetFunction.Configuration!.FunctionArn }]);

      // The function cannot run on the emulator: its handler runs here, on the deployed table and keys.
      const settings = buildMeteringSettings(config, target.environment);
      const meter = createMeteringHandler(settings, { dynamodb, apiGateway: clients.apigateway, tableName: table, log: () => undefined, now: () => Date.parse('2026-12-01T12:00:00Z') });
      const hooliKey = info.tenantKeys.find((k) => k.tenant === 'hooli')!.id;
      const enabled = async (id: string) => (await clients.apigateway.send(new GetApiKeyCommand({ apiKey: id }))).enabled;
      expect(await enabled(hooliKey)).toBe(true);
      // hooli (bronze): 2,000,000 tokens a day. Records as Bedrock writes them, stamped by the gateway.
      const record = (input: number, output: number) => ({
        schemaType: 'ModelInvocationLog',
        schemaVersion: '1.0',
        timestamp: '2026-12-01T11:59:00Z',
        requestId: `r-${input}`,
        operation: 'Converse',
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        input: { inputContentType: 'application/json', inputTokenCount: input },
        output: { outputContentType: 'application/json', outputTokenCount: output },
        requestMetadata: { 'gw-tenant': 'hooli', 'gw-env': target.environment.name, 'gw-request-id': `g-${input}` },
      });
      const logGroup = out.invocation_log_group_name as string;
      expect((await meter(toSubscriptionEvent([record(1_200_000, 300_000)], { logGroup }))).disabled).toEqual([]);
      expect((await meter(toSubscriptionEvent([record(400_000, 200_000)], { logGroup }))).disabled).toEqual(['hooli']);
      expect(await enabled(hooliKey)).toBe(false);
      // Other tenants are untouched.
      for (const key of info.tenantKeys.filter((k) => k.tenant !== 'hooli')) expect(await enabled(key.id)).toBe(config.tenants.find((t) => t.id === key.tenant)!.enabled);

      const resetAt = (iso: string) => createResetHandler(settings, { dynamodb, apiGateway: clients.apigateway, tableName: table, log: () => undefined, now: () => Date.parse(iso) })();
      expect(await resetAt('2026-12-01T23:00:00Z')).toMatchObject({ enabled: [], stillSpent: ['hooli'], disabledInConfig: ['initech'] });
      expect(await resetAt('2026-12-02T00:00:00Z')).toMatchObject({ enabled: ['hooli'], disabledInConfig: ['initech'] });
      expect(await enabled(hooliKey)).toBe(true);
      // Spent again, so the next plan sees a disabled key: Terraform must ignore it.
      const nextDay = createMeteringHandler(settings, { dynamodb, apiGateway: clients.apigateway, tableName: table, log: () => undefined, now: () => Date.parse('2026-12-02T12:00:00Z') });
      expect((await nextDay(toSubscriptionEvent([{ ...record(2_100_000, 0), timestamp: '2026-12-02T11:00:00Z' }], { logGroup }))).disabled).toEqual(['hooli']);
      expect(await enabled(hooliKey)).toBe(false);
    } finally {
      dynamodb.destroy();
      sqs.destroy();
    }
  });

  test('a second plan finds nothing to change (-detailed-exitcode 0), a key disabled by its budget included', async () => {
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

  test('destroy leaves no API, usage plan, API key, function, log group, web ACL, WAF logging, alarm or dashboard of the stack', async () => {
    await timed('destroy', () => terraform(gatewayDir, ['destroy', '-auto-approve', ...TF_FLAGS]));
    const left = await leftovers(clients, resourceNamePrefix(target.environment), restApiName(target.environment));
    expect(left).toEqual({ restApis: [], usagePlans: [], apiKeys: [], functions: [], webAcls: [], ipSets: [], wafLogging: [], alarms: [], dashboards: [] });
    for (const name of synthesizedLogGroupNames(gatewayDir, restApiId)) {
      const groups = (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? [];
      expect(groups.map((g) => g.logGroupName)).not.toContain(name);
    }
  });
});

/**
 * Integration mode `forwarder` (issue 14): the example's second emulator environment, deployed
 * after the `local` stack is gone (its resource names share the `local` prefix), into the same
 * emulator and state bucket. Not destroyed: the emulator stops with the suite.
 */
describe('integration mode forwarder on the same emulator', () => {
  test('local-forwarder deploys: both routes AWS_PROXY to the forwarder function, invokable by exactly those routes, with its settings', async () => {
    const forwarderTarget = localTarget(DEFAULT_CONFIG_DIR, 'local-forwarder');
    expect(forwarderTarget.environment.integration).toBe('forwarder');
    const dir = stackDir(outdir, forwarderTarget.gatewayStackId);
    await init(dir);
    const result = await timed('forwarder stack apply', () => apply(dir));
    expect(result.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
    const apiId = String((await outputs(dir)).rest_api_id);
    const functionName = `${resourceNamePrefix(forwarderTarget.environment)}-forwarder`;

    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
    expect(fn.Configuration).toMatchObject({ Runtime: LAMBDA_RUNTIME, Handler: 'index.handler', MemorySize: 512, Timeout: 29, Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    expect(fn.Concurrency?.ReservedConcurrentExecutions).toBe(10);

    const policy = JSON.parse((await clients.lambda.send(new GetPolicyCommand({ FunctionName: functionName }))).Policy ?? '{}') as {
      Statement: Array<{ Sid: string; Principal: unknown; Action: string; Condition: { ArnLike: Record<string, string> } }>;
    };
    // moto 5.2 leaves the account out of the API's execution ARN (`arn:aws:execute-api:us-east-1::<id>`).
    const sourceArn = (route: string) => new RegExp(`^arn:aws:execute-api:us-east-1:(\\d{12})?:${apiId}/local-forwarder/POST/model/\\*/${route}$`);
    expect(policy.Statement.map((s) => [s.Sid, s.Action, s.Condition.ArnLike['AWS:SourceArn']]).sort()).toEqual([
      ['AllowGatewayRoute-converse', 'lambda:InvokeFunction', expect.stringMatching(sourceArn('converse'))],
      ['AllowGatewayRoute-invoke', 'lambda:InvokeFunction', expect.stringMatching(sourceArn('invoke'))],
    ]);

    const resources = (await clients.apigateway.send(new GetResourcesCommand({ restApiId: apiId, limit: 500 }))).items ?? [];
    const routes = resources.filter((r) => /^\/model\/\{modelId\}\/(converse|invoke)$/.test(r.path ?? ''));
    expect(routes.map((r) => r.path).sort()).toEqual(['/model/{modelId}/converse', '/model/{modelId}/invoke']);
    for (const route of routes) {
      const integration = await clients.apigateway.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: route.id!, httpMethod: 'POST' }));
      expect([route.path, integration.type, integration.httpMethod, integration.uri]).toEqual([
        route.path,
        'AWS_PROXY',
        'POST',
        expect.stringContaining(`:function:${functionName}/invocations`),
      ]);
    }
  });
});

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

const resourcePrefix = () => resourceNamePrefix(target.environment);

function stateKeyPrefix(): string {
  const state = target.environment.state;
  if (state.backend !== 's3') throw new Error('the local environment must use the s3 backend');
  return state.keyPrefix;
}

