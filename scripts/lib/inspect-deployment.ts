/**
 * Reads back what a gateway deploy created, through AWS SDK v3 clients pointed at the
 * emulator (or AWS): the REST API and its routes, authorizers, usage plans, tenant keys,
 * log groups, Lambda functions and WAF. Used by `npm start`'s summary and by the
 * integration test's assertions.
 */
import {
  APIGatewayClient,
  GetAccountCommand,
  GetApiKeysCommand,
  GetAuthorizersCommand,
  GetGatewayResponsesCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudWatchClient, DescribeAlarmsCommand, ListDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetWebACLForResourceCommand, ListWebACLsCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { EMULATOR_SDK_CREDENTIALS } from './moto';

export interface ClientOptions {
  readonly endpoint: string;
  readonly region: string;
}

export interface EmulatorClients {
  readonly apigateway: APIGatewayClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
  readonly lambda: LambdaClient;
  readonly wafv2: WAFV2Client;
}

export function emulatorClients({ endpoint, region }: ClientOptions): EmulatorClients {
  const common = { endpoint, region, credentials: { ...EMULATOR_SDK_CREDENTIALS }, maxAttempts: 2 };
  return {
    apigateway: new APIGatewayClient(common),
    logs: new CloudWatchLogsClient(common),
    cloudwatch: new CloudWatchClient(common),
    lambda: new LambdaClient(common),
    wafv2: new WAFV2Client(common),
  };
}

export function destroyClients(clients: EmulatorClients): void {
  Object.values(clients).forEach((c: { destroy(): void }) => c.destroy());
}

export interface RouteInfo {
  readonly method: string;
  readonly path: string;
  readonly authorizationType?: string;
  readonly authorizerId?: string;
  readonly apiKeyRequired?: boolean;
}

export interface UsagePlanInfo {
  readonly id: string;
  readonly name: string;
  readonly rateLimit?: number;
  readonly burstLimit?: number;
  readonly quotaLimit?: number;
  readonly quotaPeriod?: string;
  readonly stages: readonly string[];
  /** API key ids in the plan. */
  readonly keyIds: readonly string[];
}

export interface TenantKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly tenant?: string;
  readonly tier?: string;
  readonly enabled: boolean;
  /** The plan the key is in (first one, if several). */
  readonly plan?: UsagePlanInfo;
  /** How many plans hold the key (exactly one is expected). */
  readonly planCount: number;
}

export interface DeploymentInfo {
  readonly restApi: { readonly id: string; readonly name?: string; readonly apiKeySource?: string; readonly endpointTypes: readonly string[] };
  readonly routes: readonly RouteInfo[];
  readonly authorizers: ReadonlyArray<{ readonly id: string; readonly name?: string; readonly type?: string; readonly authorizerUri?: string; readonly ttl?: number }>;
  readonly usagePlans: readonly UsagePlanInfo[];
  readonly tenantKeys: readonly TenantKeyInfo[];
  readonly logGroups: ReadonlyArray<{ readonly name: string; readonly retentionInDays?: number }>;
  /** Web ACL associated with the stage, if any. */
  readonly webAclArn?: string;
  readonly stage: StageInfo;
  /** Gateway responses that set a status or a header (the API's customised ones). */
  readonly gatewayResponses: ReadonlyArray<{ readonly type: string; readonly status?: string; readonly errorType?: string }>;
  readonly alarms: ReadonlyArray<{ readonly name: string; readonly metric?: string; readonly threshold?: number; readonly actions: readonly string[] }>;
  readonly dashboards: readonly string[];
  readonly metricFilters: ReadonlyArray<{ readonly name: string; readonly pattern?: string; readonly metric?: string }>;
  /** The account's API Gateway CloudWatch role, if set. */
  readonly cloudwatchRoleArn?: string;
}

export interface StageInfo {
  readonly tracingEnabled?: boolean;
  readonly accessLogDestination?: string;
  readonly accessLogFormat?: string;
  /** Settings of method path star/star. */
  readonly methodSettings?: { readonly loggingLevel?: string; readonly dataTraceEnabled?: boolean; readonly metricsEnabled?: boolean; readonly throttlingRateLimit?: number; readonly throttlingBurstLimit?: number };
}

export interface InspectOptions {
  readonly restApiId: string;
  readonly stageName: string;
  readonly region: string;
  /** Resource names start with it (e.g. `bedrock-gw-local`): filters plans, keys and functions. */
  readonly namePrefix: string;
  /** Log group names to describe. */
  readonly logGroupNames: readonly string[];
}

/** Everything of one deployed gateway stack, read from the service APIs. */
export async function inspectDeployment(clients: EmulatorClients, options: InspectOptions): Promise<DeploymentInfo> {
  const { apigateway } = clients;
  const api = await apigateway.send(new GetRestApiCommand({ restApiId: options.restApiId }));
  const resources = (await apigateway.send(new GetResourcesCommand({ restApiId: options.restApiId, embed: ['methods'], limit: 500 }))).items ?? [];
  const routes: RouteInfo[] = resources
    .flatMap((r) =>
      Object.entries(r.resourceMethods ?? {}).map(([method, m]) => ({
        method,
        path: r.path ?? '',
        authorizationType: m.authorizationType,
        authorizerId: m.authorizerId,
        apiKeyRequired: m.apiKeyRequired,
      })),
    )
    .sort((a, b) => a.path.localeCompare(b.path));
  const authorizers = ((await apigateway.send(new GetAuthorizersCommand({ restApiId: options.restApiId }))).items ?? []).map((a) => ({
    id: a.id!,
    name: a.name,
    type: a.type,
    authorizerUri: a.authorizerUri,
    ttl: a.authorizerResultTtlInSeconds,
  }));

  const usagePlans: UsagePlanInfo[] = [];
  for (const plan of (await apigateway.send(new GetUsagePlansCommand({ limit: 500 }))).items ?? []) {
    if (!plan.name?.startsWith(options.namePrefix)) continue;
    const keys = (await apigateway.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id!, limit: 500 }))).items ?? [];
    usagePlans.push({
      id: plan.id!,
      name: plan.name,
      rateLimit: plan.throttle?.rateLimit,
      burstLimit: plan.throttle?.burstLimit,
      quotaLimit: plan.quota?.limit,
      quotaPeriod: plan.quota?.period,
      stages: (plan.apiStages ?? []).map((s) => `${s.apiId}/${s.stage}`),
      keyIds: keys.map((k) => k.id!),
    });
  }
  usagePlans.sort((a, b) => a.name.localeCompare(b.name));

  const keys = (await apigateway.send(new GetApiKeysCommand({ limit: 500, includeValues: false }))).items ?? [];
  const tenantKeys: TenantKeyInfo[] = keys
    .filter((k) => k.name?.startsWith(options.namePrefix))
    .map((k) => {
      const plans = usagePlans.filter((p) => p.keyIds.includes(k.id!));
      return {
        id: k.id!,
        name: k.name!,
        tenant: k.tags?.tenant,
        tier: k.tags?.tier,
        enabled: k.enabled ?? false,
        ...(plans[0] ? { plan: plans[0] } : {}),
        planCount: plans.length,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  const logGroups: Array<{ name: string; retentionInDays?: number }> = [];
  for (const name of options.logGroupNames) {
    const found = (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? [];
    const group = found.find((g) => g.logGroupName === name);
    if (group) logGroups.push({ name, retentionInDays: group.retentionInDays });
  }

  const webAclArn = await webAclOfStage(clients, options);
  const stage = await apigateway.send(new GetStageCommand({ restApiId: options.restApiId, stageName: options.stageName }));
  const allMethods = stage.methodSettings?.['*/*'];
  const responses = (await apigateway.send(new GetGatewayResponsesCommand({ restApiId: options.restApiId, limit: 500 }))).items ?? [];
  const alarms = (await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: options.namePrefix, MaxRecords: 100 }))).MetricAlarms ?? [];
  const dashboards = (await clients.cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: options.namePrefix }))).DashboardEntries ?? [];
  const metricFilters = [];
  for (const group of logGroups) {
    const found = (await clients.logs.send(new DescribeMetricFiltersCommand({ logGroupName: group.name }))).metricFilters ?? [];
    metricFilters.push(...found.map((f) => ({ name: f.filterName!, pattern: f.filterPattern, metric: f.metricTransformations?.map((t) => `${t.metricNamespace}/${t.metricName}`).join(', ') })));
  }
  const account = await apigateway.send(new GetAccountCommand({}));
  return {
    restApi: { id: api.id!, name: api.name, apiKeySource: api.apiKeySource, endpointTypes: api.endpointConfiguration?.types ?? [] },
    routes,
    authorizers,
    usagePlans,
    tenantKeys,
    logGroups,
    ...(webAclArn ? { webAclArn } : {}),
    stage: {
      tracingEnabled: stage.tracingEnabled,
      accessLogDestination: stage.accessLogSettings?.destinationArn,
      accessLogFormat: stage.accessLogSettings?.format,
      ...(allMethods
        ? {
            methodSettings: {
              loggingLevel: allMethods.loggingLevel,
              dataTraceEnabled: allMethods.dataTraceEnabled,
              metricsEnabled: allMethods.metricsEnabled,
              throttlingRateLimit: allMethods.throttlingRateLimit,
              throttlingBurstLimit: allMethods.throttlingBurstLimit,
            },
          }
        : {}),
    },
    gatewayResponses: responses
      .filter((r) => r.defaultResponse !== true)
      .map((r) => ({ type: r.responseType!, status: r.statusCode, errorType: r.responseParameters?.['gatewayresponse.header.x-amzn-ErrorType']?.replace(/^'|'$/g, '') }))
      .sort((a, b) => a.type.localeCompare(b.type)),
    alarms: alarms
      .map((a) => ({ name: a.AlarmName!, metric: a.MetricName ? `${a.Namespace}/${a.MetricName}` : undefined, threshold: a.Threshold, actions: a.AlarmActions ?? [] }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    dashboards: dashboards.map((d) => d.DashboardName!).sort(),
    metricFilters,
    ...(account.cloudwatchRoleArn ? { cloudwatchRoleArn: account.cloudwatchRoleArn } : {}),
  };
}

/** The ARN API Gateway stages have for WAF associations. */
export function stageArn(region: string, restApiId: string, stageName: string): string {
  return `arn:aws:apigateway:${region}::/restapis/${restApiId}/stages/${stageName}`;
}

async function webAclOfStage(clients: EmulatorClients, options: InspectOptions): Promise<string | undefined> {
  try {
    const result = await clients.wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: stageArn(options.region, options.restApiId, options.stageName) }));
    return result.WebACL?.ARN;
  } catch (err) {
    if ((err as Error).name === 'WAFNonexistentItemException') return undefined;
    throw err;
  }
}

export interface Leftovers {
  readonly restApis: readonly string[];
  readonly usagePlans: readonly string[];
  readonly apiKeys: readonly string[];
  readonly functions: readonly string[];
  readonly webAcls: readonly string[];
  readonly alarms: readonly string[];
  readonly dashboards: readonly string[];
}

/** Anything named with `namePrefix` (or the API name) still in the emulator: after a destroy, all lists must be empty. */
export async function leftovers(clients: EmulatorClients, namePrefix: string, restApiName: string): Promise<Leftovers> {
  const { apigateway } = clients;
  const apis = (await apigateway.send(new GetRestApisCommand({ limit: 500 }))).items ?? [];
  const plans = (await apigateway.send(new GetUsagePlansCommand({ limit: 500 }))).items ?? [];
  const keys = (await apigateway.send(new GetApiKeysCommand({ limit: 500 }))).items ?? [];
  const functions = (await clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
  const acls = (await clients.wafv2.send(new ListWebACLsCommand({ Scope: 'REGIONAL' }))).WebACLs ?? [];
  const alarms = (await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: namePrefix }))).MetricAlarms ?? [];
  const dashboards = (await clients.cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: namePrefix }))).DashboardEntries ?? [];
  const named = (names: Array<string | undefined>) => names.filter((n): n is string => n !== undefined && (n.startsWith(namePrefix) || n === restApiName));
  return {
    restApis: named(apis.map((a) => a.name)),
    usagePlans: named(plans.map((p) => p.name)),
    apiKeys: named(keys.map((k) => k.name)),
    functions: named(functions.map((f) => f.FunctionName)),
    webAcls: named(acls.map((a) => a.Name)),
    alarms: named(alarms.map((a) => a.AlarmName)),
    dashboards: named(dashboards.map((d) => d.DashboardName)),
  };
}
