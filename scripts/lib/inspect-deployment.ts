/**
 * Reads back what a gateway deploy created, through AWS SDK v3 clients pointed at the
 * emulator (or AWS): the REST API and its routes, authorizers, usage plans, tenant keys,
 * log groups, Lambda functions, the WAF web ACL with its rules and logging, and the custom
 * domain with its certificate, records and base path mapping. Used by `npm start`'s summary and
 * by the integration test's assertions.
 */
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import {
  APIGatewayClient,
  GetAccountCommand,
  GetApiKeysCommand,
  GetAuthorizersCommand,
  GetBasePathMappingsCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
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
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  GetLoggingConfigurationCommand,
  GetWebACLForResourceCommand,
  ListIPSetsCommand,
  ListLoggingConfigurationsCommand,
  ListWebACLsCommand,
  WAFV2Client,
  type Rule,
  type Statement,
} from '@aws-sdk/client-wafv2';
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
  readonly acm: ACMClient;
  readonly route53: Route53Client;
}

export function emulatorClients({ endpoint, region }: ClientOptions): EmulatorClients {
  const common = { endpoint, region, credentials: { ...EMULATOR_SDK_CREDENTIALS }, maxAttempts: 2 };
  return {
    apigateway: new APIGatewayClient(common),
    logs: new CloudWatchLogsClient(common),
    cloudwatch: new CloudWatchClient(common),
    lambda: new LambdaClient(common),
    wafv2: new WAFV2Client(common),
    acm: new ACMClient(common),
    route53: new Route53Client(common),
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

export interface WafRuleInfo {
  readonly name: string;
  readonly priority: number;
  /** `block (429)`, `count`, or for a managed group `rules' own actions` / `count`. */
  readonly action: string;
  /** What the rule matches, in a few words. */
  readonly match: string;
}

export interface WafInfo {
  readonly name: string;
  readonly arn: string;
  readonly defaultAction: 'allow' | 'block';
  /** By priority. */
  readonly rules: readonly WafRuleInfo[];
  /** Absent when the web ACL does not log. */
  readonly logging?: {
    readonly destinations: readonly string[];
    /** Header names redacted from the logs (lowercase). */
    readonly redactedHeaders: readonly string[];
    /** Rule actions whose requests are logged; absent when every request is. */
    readonly keptActions?: readonly string[];
  };
}

export interface CustomDomainInfo {
  readonly domainName: string;
  readonly regionalDomainName?: string;
  readonly endpointTypes: readonly string[];
  readonly ipAddressType?: string;
  readonly securityPolicy?: string;
  readonly certificate: { readonly arn?: string; readonly domainName?: string; readonly status?: string };
  readonly basePathMappings: ReadonlyArray<{ readonly basePath: string; readonly restApiId?: string; readonly stage?: string }>;
  /** Records of the hosted zone holding the domain, for the domain and its subdomains (the ACM validation record). */
  readonly records: ReadonlyArray<{ readonly name: string; readonly type: string; readonly aliasTarget?: string; readonly values: readonly string[] }>;
}

export interface DeploymentInfo {
  readonly restApi: {
    readonly id: string;
    readonly name?: string;
    readonly apiKeySource?: string;
    readonly endpointTypes: readonly string[];
    readonly disableExecuteApiEndpoint: boolean;
  };
  /** The web ACL the stage itself names (API Gateway's view of the association). */
  readonly stageWebAclArn?: string;
  readonly routes: readonly RouteInfo[];
  readonly authorizers: ReadonlyArray<{ readonly id: string; readonly name?: string; readonly type?: string; readonly authorizerUri?: string; readonly ttl?: number }>;
  readonly usagePlans: readonly UsagePlanInfo[];
  readonly tenantKeys: readonly TenantKeyInfo[];
  readonly logGroups: ReadonlyArray<{ readonly name: string; readonly retentionInDays?: number }>;
  /** Web ACL associated with the stage, if any. */
  readonly webAclArn?: string;
  readonly waf?: WafInfo;
  /** Present when `customDomainName` was given and the domain exists. */
  readonly customDomain?: CustomDomainInfo;
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
  /** The stack's custom domain (from its synthesized `aws_api_gateway_domain_name`), if any. */
  readonly customDomainName?: string;
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

  const stage = await apigateway.send(new GetStageCommand({ restApiId: options.restApiId, stageName: options.stageName }));
  const waf = await webAclOfStage(clients, options);
  const customDomain = options.customDomainName ? await inspectCustomDomain(clients, options.customDomainName) : undefined;
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
    restApi: {
      id: api.id!,
      name: api.name,
      apiKeySource: api.apiKeySource,
      endpointTypes: api.endpointConfiguration?.types ?? [],
      disableExecuteApiEndpoint: api.disableExecuteApiEndpoint ?? false,
    },
    ...(stage.webAclArn ? { stageWebAclArn: stage.webAclArn } : {}),
    routes,
    authorizers,
    usagePlans,
    tenantKeys,
    logGroups,
    ...(waf ? { webAclArn: waf.arn, waf } : {}),
    ...(customDomain ? { customDomain } : {}),
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

async function webAclOfStage(clients: EmulatorClients, options: InspectOptions): Promise<WafInfo | undefined> {
  const acl = await notFoundAsUndefined(async () => (await clients.wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: stageArn(options.region, options.restApiId, options.stageName) }))).WebACL);
  if (!acl?.ARN) return undefined;
  const logging = await notFoundAsUndefined(async () => (await clients.wafv2.send(new GetLoggingConfigurationCommand({ ResourceArn: acl.ARN }))).LoggingConfiguration);
  const filter = logging?.LoggingFilter;
  return {
    name: acl.Name ?? '',
    arn: acl.ARN,
    defaultAction: acl.DefaultAction?.Block ? 'block' : 'allow',
    rules: [...(acl.Rules ?? [])].sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0)).map(describeRule),
    ...(logging
      ? {
          logging: {
            destinations: logging.LogDestinationConfigs ?? [],
            redactedHeaders: (logging.RedactedFields ?? []).flatMap((f) => (f.SingleHeader?.Name ? [f.SingleHeader.Name.toLowerCase()] : [])),
            ...(filter
              ? { keptActions: (filter.Filters ?? []).filter((f) => f.Behavior === 'KEEP').flatMap((f) => (f.Conditions ?? []).flatMap((c) => (c.ActionCondition?.Action ? [c.ActionCondition.Action] : []))) }
              : {}),
          },
        }
      : {}),
  };
}

async function notFoundAsUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (['WAFNonexistentItemException', 'NotFoundException', 'ResourceNotFoundException'].includes((err as Error).name)) return undefined;
    throw err;
  }
}

function describeRule(rule: Rule): WafRuleInfo {
  const block = rule.Action?.Block;
  const action = rule.OverrideAction
    ? rule.OverrideAction.Count
      ? 'count'
      : "rules' own actions"
    : block
      ? `block${block.CustomResponse?.ResponseCode ? ` (${block.CustomResponse.ResponseCode})` : ''}`
      : rule.Action?.Count
        ? 'count'
        : rule.Action?.Allow
          ? 'allow'
          : 'other';
  return { name: rule.Name ?? '', priority: rule.Priority ?? 0, action, match: describeStatement(rule.Statement) };
}

function describeStatement(statement: Statement | undefined): string {
  if (!statement) return '-';
  const rate = statement.RateBasedStatement;
  if (rate) {
    const key = rate.AggregateKeyType === 'IP' ? 'client IP' : (rate.CustomKeys ?? []).map((k) => (k.Header ? `header ${k.Header.Name}` : 'custom key')).join(' + ');
    return `over ${rate.Limit} requests per ${rate.EvaluationWindowSec ?? 300} s per ${key}`;
  }
  const group = statement.ManagedRuleGroupStatement;
  if (group) {
    const overrides = (group.RuleActionOverrides ?? []).map((o) => `${o.Name} ${o.ActionToUse?.Count ? 'counted' : 'blocked'}`);
    return `AWS managed rules${overrides.length > 0 ? ` (${overrides.join(', ')})` : ''}`;
  }
  if (statement.IPSetReferenceStatement || statement.OrStatement?.Statements?.every((s) => s.IPSetReferenceStatement)) return 'source address in the deny list';
  if (statement.NotStatement) return 'source address outside the allow list';
  if (statement.GeoMatchStatement) return `request from ${(statement.GeoMatchStatement.CountryCodes ?? []).join(', ')}`;
  if (statement.SizeConstraintStatement) return `body over ${statement.SizeConstraintStatement.Size} bytes`;
  const regex = statement.RegexMatchStatement;
  if (regex?.FieldToMatch?.SingleHeader?.Name?.toLowerCase() === 'content-length' && regex.RegexString) {
    const above = numberAbove(regex.RegexString);
    return above === undefined ? `declared Content-Length matching ${regex.RegexString}` : `declared Content-Length over ${above} bytes`;
  }
  if (regex) return `${Object.keys(regex.FieldToMatch ?? {})[0] ?? 'request'} matching ${regex.RegexString}`;
  return Object.keys(statement)[0] ?? '-';
}

/**
 * The n for which `pattern` matches exactly the decimal numbers above n (what the body-size rule
 * deploys), found by bisection on the pattern itself; undefined when it is not such a pattern.
 */
export function numberAbove(pattern: string): number | undefined {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return undefined;
  }
  const matches = (n: number) => re.test(String(n));
  const top = 2 ** 40;
  if (!matches(top) || matches(0)) return undefined;
  let [low, high] = [0, top]; // matches(low) is false, matches(high) is true
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (matches(mid)) high = mid;
    else low = mid;
  }
  return low;
}

/** The custom domain as API Gateway, ACM and Route 53 hold it. */
async function inspectCustomDomain(clients: EmulatorClients, domainName: string): Promise<CustomDomainInfo | undefined> {
  const domain = await notFoundAsUndefined(() => clients.apigateway.send(new GetDomainNameCommand({ domainName })));
  if (!domain) return undefined;
  const mappings = (await clients.apigateway.send(new GetBasePathMappingsCommand({ domainName, limit: 500 }))).items ?? [];
  const certificateArn = domain.regionalCertificateArn ?? domain.certificateArn;
  const certificate = certificateArn ? (await clients.acm.send(new DescribeCertificateCommand({ CertificateArn: certificateArn }))).Certificate : undefined;
  return {
    domainName,
    regionalDomainName: domain.regionalDomainName,
    endpointTypes: domain.endpointConfiguration?.types ?? [],
    ipAddressType: domain.endpointConfiguration?.ipAddressType,
    securityPolicy: domain.securityPolicy,
    certificate: { arn: certificateArn, domainName: certificate?.DomainName, status: certificate?.Status },
    basePathMappings: mappings.map((m) => ({ basePath: m.basePath ?? '(none)', restApiId: m.restApiId, stage: m.stage })),
    records: await recordsOf(clients, domainName),
  };
}

/** Records for `domainName` and below, from the most specific hosted zone that holds it. */
export async function recordsOf(clients: EmulatorClients, domainName: string): Promise<CustomDomainInfo['records']> {
  const zone = await hostedZoneOf(clients, domainName);
  if (!zone) return [];
  const sets = (await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id }))).ResourceRecordSets ?? [];
  const fqdn = `${domainName}.`;
  return sets
    .filter((r) => r.Name === fqdn || r.Name?.endsWith(`.${fqdn}`))
    .map((r) => ({
      name: r.Name!.replace(/\.$/, ''),
      type: r.Type ?? '',
      ...(r.AliasTarget?.DNSName ? { aliasTarget: r.AliasTarget.DNSName.replace(/\.$/, '') } : {}),
      values: (r.ResourceRecords ?? []).map((v) => v.Value ?? ''),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
}

/** The hosted zone whose name is the longest suffix of `domainName` (name without the trailing dot). */
export async function hostedZoneOf(clients: EmulatorClients, domainName: string): Promise<{ id: string; name: string } | undefined> {
  const labels = domainName.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const name = `${labels.slice(i).join('.')}.`;
    const zones = (await clients.route53.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 1 }))).HostedZones ?? [];
    if (zones[0]?.Name === name && zones[0].Id) return { id: zones[0].Id, name: name.slice(0, -1) };
  }
  return undefined;
}

export interface Leftovers {
  readonly restApis: readonly string[];
  readonly usagePlans: readonly string[];
  readonly apiKeys: readonly string[];
  readonly functions: readonly string[];
  readonly webAcls: readonly string[];
  readonly alarms: readonly string[];
  readonly dashboards: readonly string[];
  readonly ipSets: readonly string[];
  /** Web ACLs of the stack that still have a logging configuration. */
  readonly wafLogging: readonly string[];
}

export interface DomainLeftovers {
  readonly domainNames: readonly string[];
  readonly certificates: readonly string[];
  /** Records in the zone other than its own NS and SOA. */
  readonly records: ReadonlyArray<{ readonly name: string; readonly type: string }>;
}

/** What is left of a custom domain after a destroy: all lists must be empty. */
export async function domainLeftovers(clients: EmulatorClients, domainName: string): Promise<DomainLeftovers> {
  const domains = (await clients.apigateway.send(new GetDomainNamesCommand({ limit: 500 }))).items ?? [];
  const certificates = (await clients.acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
  const zone = await hostedZoneOf(clients, domainName);
  // The zone's own NS and SOA records (at its apex) belong to the zone, not to the stack.
  const records = (await recordsOf(clients, domainName)).filter((r) => !(['NS', 'SOA'].includes(r.type) && r.name === zone?.name));
  return {
    domainNames: domains.map((d) => d.domainName ?? '').filter((n) => n === domainName),
    certificates: certificates.map((c) => c.DomainName ?? '').filter((n) => n === domainName),
    records: records.map(({ name, type }) => ({ name, type })),
  };
}

/** Anything named with `namePrefix` (or the API name) still in the emulator: after a destroy, all lists must be empty. */
export async function leftovers(clients: EmulatorClients, namePrefix: string, restApiName: string): Promise<Leftovers> {
  const { apigateway } = clients;
  const apis = (await apigateway.send(new GetRestApisCommand({ limit: 500 }))).items ?? [];
  const plans = (await apigateway.send(new GetUsagePlansCommand({ limit: 500 }))).items ?? [];
  const keys = (await apigateway.send(new GetApiKeysCommand({ limit: 500 }))).items ?? [];
  const functions = (await clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
  const acls = (await clients.wafv2.send(new ListWebACLsCommand({ Scope: 'REGIONAL' }))).WebACLs ?? [];
  const ipSets = (await clients.wafv2.send(new ListIPSetsCommand({ Scope: 'REGIONAL' }))).IPSets ?? [];
  const logging = (await clients.wafv2.send(new ListLoggingConfigurationsCommand({ Scope: 'REGIONAL' }))).LoggingConfigurations ?? [];
  const alarms = (await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: namePrefix }))).MetricAlarms ?? [];
  const dashboards = (await clients.cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: namePrefix }))).DashboardEntries ?? [];
  const named = (names: Array<string | undefined>) => names.filter((n): n is string => n !== undefined && (n.startsWith(namePrefix) || n === restApiName));
  return {
    restApis: named(apis.map((a) => a.name)),
    usagePlans: named(plans.map((p) => p.name)),
    apiKeys: named(keys.map((k) => k.name)),
    functions: named(functions.map((f) => f.FunctionName)),
    webAcls: named(acls.map((a) => a.Name)),
    ipSets: named(ipSets.map((i) => i.Name)),
    // arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>
    wafLogging: named(logging.map((l) => l.ResourceArn?.split('/webacl/')[1]?.split('/')[0])),
    alarms: named(alarms.map((a) => a.AlarmName)),
    dashboards: named(dashboards.map((d) => d.DashboardName)),
  };
}
