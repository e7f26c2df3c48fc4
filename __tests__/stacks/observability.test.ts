/**
 * Access logs, stage settings, tracing, the account role, alarms, saved queries and the dashboard,
 * as synthesized for the example environments and for variants of their observability block.
 */
import { tenantMetricLine } from '../../functions/metering/metrics';
import { AUTHORIZER_CONTEXT_KEYS } from '../../functions/shared/tenant-stamp';
import type { AuditLine } from '../../functions/authorizer/audit';
import type { GatewayConfig } from '../../gateway-config/schema';
import { ACCESS_LOG_FIELDS, MAX_ACCESS_LOG_FORMAT_BYTES } from '../../stacks/constructs/access-logging';
import { SAVED_QUERIES } from '../../stacks/constructs/log-queries';
import { exampleConfig } from '../helpers/config';
import { findResource, resourcesOf, synthGateway, type TerraformJson } from '../helpers/synth';

const config = exampleConfig();
const dev = synthGateway(config, 'dev').json;
const prod = synthGateway(config, 'prod').json;
const local = synthGateway(config, 'local').json;
const withObservability = (name: string, observability: Partial<GatewayConfig['environments'][number]['observability']>): TerraformJson => {
  const env = config.environments.find((e) => e.name === name)!;
  return synthGateway({ ...config, environments: [{ ...env, observability: { ...env.observability, ...observability } }] }, name).json;
};
const withoutTokenBudgets = (name: string): TerraformJson => {
  const { tokenBudgets: _omitted, ...env } = config.environments.find((e) => e.name === name)!;
  return synthGateway({ ...config, environments: [env] }, name).json;
};
const one = (json: TerraformJson, type: string) => {
  const all = Object.values(resourcesOf(json, type));
  expect(all).toHaveLength(1);
  return all[0];
};

/** `${type.<logical id>.attr}` of the one resource of `type` whose properties include `match`. */
const refOf = (json: TerraformJson, type: string, match: Record<string, unknown>, attr: string, wrap = true): string => {
  const ids = Object.entries(resourcesOf(json, type)).filter(([, r]) => Object.entries(match).every(([k, v]) => r[k] === v)).map(([id]) => id);
  expect(ids).toHaveLength(1);
  return wrap ? `\${${type}.${ids[0]}.${attr}}` : `${type}.${ids[0]}`;
};
const dataOf = (json: TerraformJson, type: string, attr: string) => `\${data.${type}.${Object.keys(json.data?.[type] ?? {})[0]}.${attr}}`;
const ACCESS = { name: '/aws/apigateway/bedrock-ai-gateway-dev/dev/access' };

/** The access log line API Gateway would write for an allowed request, from the synthesized format. */
function sampleAccessLine(format: string): Record<string, unknown> {
  return JSON.parse(
    format
      .replace(/\$context\.error\.messageString/g, '"Too Many Requests"')
      .replace(/\$context\.authorizer\.(\w+)/g, (_, key: string) => `auth-${key}`)
      .replace(/\$context\.[\w.]+/g, '-'),
  );
}

describe('access logs', () => {
  test('a log group per stage with the configured retention (365 days by default) and an optional KMS key', () => {
    expect(findResource(prod, 'aws_cloudwatch_log_group', { name: '/aws/apigateway/bedrock-ai-gateway-prod/v1/access' })).toMatchObject({ retention_in_days: 365 });
    expect(findResource(dev, 'aws_cloudwatch_log_group', { name: '/aws/apigateway/bedrock-ai-gateway-dev/dev/access' })).toMatchObject({ retention_in_days: 30 });
    expect(findResource(dev, 'aws_cloudwatch_log_group', { name: '/aws/apigateway/bedrock-ai-gateway-dev/dev/access' }).kms_key_id).toBeUndefined();
    const kms = 'arn:aws:kms:us-east-1:111122223333:key/0000aaaa-bb11-cc22-dd33-eeeeeeffffff';
    const encrypted = withObservability('dev', { accessLogs: { retentionDays: 90, kmsKeyArn: kms } });
    for (const group of Object.values(resourcesOf(encrypted, 'aws_cloudwatch_log_group')).filter((g) => !/^\/aws\/(lambda|bedrock)\//.test(String(g.name)))) {
      expect(group.kms_key_id).toBe(kms);
    }
  });

  test('the execution log group API Gateway writes to exists beforehand, with retention', () => {
    expect(findResource(dev, 'aws_cloudwatch_log_group', { name: 'API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.rest-api_1547DDCA.id}/dev' })).toMatchObject({ retention_in_days: 14 });
  });

  test('every log group of every stack has a retention period', () => {
    // access, execution and authorizer log groups, plus the WAF's where the stack has a web ACL (prod, local)
    // + the token budget functions' log groups, and the invocation log group where the stack owns it (dev, local).
    for (const [json, count] of [[dev, 6], [prod, 6], [local, 7]] as const) {
      const groups = Object.values(resourcesOf(json, 'aws_cloudwatch_log_group'));
      expect(groups.length).toBe(count);
      for (const g of groups) expect([g.name, typeof g.retention_in_days]).toEqual([g.name, 'number']);
    }
  });

  test('the stage writes JSON access lines to the group; the format stays under 3 KB', () => {
    const stage = one(dev, 'aws_api_gateway_stage');
    const settings = stage.access_log_settings as { destination_arn: string; format: string };
    expect(settings.destination_arn).toBe(refOf(dev, 'aws_cloudwatch_log_group', ACCESS, 'arn'));
    expect(Buffer.byteLength(settings.format)).toBeLessThan(MAX_ACCESS_LOG_FORMAT_BYTES);
    expect(settings.format).not.toContain('\n');
  });

  test('the format parses as JSON and names exactly the authorizer context keys, besides the request fields', () => {
    const line = sampleAccessLine((one(dev, 'aws_api_gateway_stage').access_log_settings as { format: string }).format);
    const contextKeys = Object.values(AUTHORIZER_CONTEXT_KEYS);
    expect(Object.keys(line).filter((k) => line[k] === `auth-${k}`).sort()).toEqual([...contextKeys].sort());
    expect(Object.keys(line).sort()).toEqual(
      [
        'requestId', 'extendedRequestId', 'requestTimeEpoch', 'sourceIp', 'httpMethod', 'resourcePath', 'path', 'status', 'responseLatency',
        'integrationStatus', 'integrationLatency', 'integrationError', 'authorizerStatus', 'authorizerLatency', 'apiKeyId', 'wafResponseCode',
        'responseType', 'errorMessage', ...contextKeys,
      ].sort(),
    );
    expect(line.errorMessage).toBe('Too Many Requests');
    // API Gateway's own $context.authorizer.latency / .status must not be shadowed by a context key.
    for (const reserved of ['latency', 'status', 'principalId', 'claims', 'integrationLatency']) expect(contextKeys).not.toContain(reserved);
  });

  test("Bedrock's 429s are counted from the access log", () => {
    expect(one(dev, 'aws_cloudwatch_log_metric_filter')).toMatchObject({
      log_group_name: refOf(dev, 'aws_cloudwatch_log_group', ACCESS, 'name'),
      pattern: '{ $.integrationStatus = "429" }',
      metric_transformation: { namespace: 'BedrockAIGateway/dev', name: 'BedrockThrottles', value: '1', default_value: '0', unit: 'Count' },
    });
    expect(ACCESS_LOG_FIELDS.integrationStatus).toBe('$context.integration.status');
  });
});

describe('stage settings and tracing', () => {
  test('all methods: ERROR logging in production, INFO allowed in dev, metrics on, data tracing off, the stage throttle', () => {
    expect(one(prod, 'aws_api_gateway_method_settings')).toMatchObject({
      method_path: '*/*',
      settings: { logging_level: 'ERROR', data_trace_enabled: false, metrics_enabled: true, throttling_rate_limit: 1000, throttling_burst_limit: 2000 },
    });
    expect(one(dev, 'aws_api_gateway_method_settings')).toMatchObject({ settings: { logging_level: 'INFO', data_trace_enabled: false, throttling_rate_limit: 500, throttling_burst_limit: 1000 } });
  });

  test('no data_trace_enabled = true anywhere, in any stack', () => {
    for (const json of [dev, prod, local, withObservability('dev', { executionLogLevel: 'INFO' })]) {
      expect(JSON.stringify(json)).not.toMatch(/"data_trace_enabled":\s*true/);
    }
  });

  test('X-Ray on the stage and the authorizer by default; each can be turned off', () => {
    expect(one(dev, 'aws_api_gateway_stage').xray_tracing_enabled).toBe(true);
    expect(findResource(dev, 'aws_lambda_function', { function_name: 'bedrock-gw-dev-authorizer' }).tracing_config).toEqual({ mode: 'Active' });
    const off = withObservability('dev', { tracing: { stage: false, authorizer: false, forwarder: false } });
    expect(one(off, 'aws_api_gateway_stage').xray_tracing_enabled).toBe(false);
    // The flag covers the token budget functions too.
    for (const fn of Object.values(resourcesOf(off, 'aws_lambda_function'))) expect(fn.tracing_config).toBeUndefined();
    expect(JSON.stringify(resourcesOf(off, 'aws_iam_role_policy'))).not.toContain('xray:');
  });
});

describe('API Gateway account (CloudWatch role)', () => {
  test('opt-in: dev sets it, prod does not', () => {
    expect(Object.keys(resourcesOf(prod, 'aws_api_gateway_account'))).toEqual([]);
    expect(one(dev, 'aws_api_gateway_account')).toMatchObject({ cloudwatch_role_arn: refOf(dev, 'aws_iam_role', { name: 'bedrock-gw-dev-apigateway-cloudwatch' }, 'arn'), reset_on_delete: true });
  });

  test('on the emulator the setting is not reset on destroy (moto never completes the reset)', () => {
    expect(one(local, 'aws_api_gateway_account').reset_on_delete).toBe(false);
  });

  test('the role is trusted by API Gateway and may write logs in this account and region only', () => {
    const role = findResource(dev, 'aws_iam_role', { name: 'bedrock-gw-dev-apigateway-cloudwatch' });
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const policy = findResource(dev, 'aws_iam_role_policy', { name: 'write-api-gateway-logs' });
    const [statement] = JSON.parse(policy.policy as string).Statement;
    expect(statement.Resource).toEqual([
      `arn:${dataOf(dev, 'aws_partition', 'partition')}:logs:us-east-1:${dataOf(dev, 'aws_caller_identity', 'account_id')}:log-group:*`,
      `arn:${dataOf(dev, 'aws_partition', 'partition')}:logs:us-east-1:${dataOf(dev, 'aws_caller_identity', 'account_id')}:log-group:*:log-stream:*`,
    ]);
  });

  test('the stage waits for the account setting and the log groups', () => {
    expect(one(dev, 'aws_api_gateway_stage').depends_on).toEqual([
      refOf(dev, 'aws_cloudwatch_log_group', ACCESS, '', false),
      refOf(dev, 'aws_cloudwatch_log_group', { retention_in_days: 14, kms_key_id: undefined, name: 'API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.rest-api_1547DDCA.id}/dev' }, '', false),
      refOf(dev, 'aws_api_gateway_account', {}, '', false),
    ]);
  });
});

describe('alarms', () => {
  const alarms = (json: TerraformJson): Record<string, Record<string, unknown>> => Object.fromEntries(Object.values(resourcesOf(json, 'aws_cloudwatch_metric_alarm')).map((a) => [a.alarm_name, a]));

  test('5XX and 4XX rates, p99 latency, authorizer errors and throttles, Bedrock 429s: metrics and thresholds from config', () => {
    const a = alarms(prod);
    expect(Object.keys(a).sort()).toEqual(['4xx-rate', '5xx-rate', 'authorizer-errors', 'authorizer-throttles', 'bedrock-throttles', 'metering-failures', 'p99-latency', 'waf-blocked'].map((n) => `bedrock-gw-prod-${n}`).sort());
    const api = { ApiName: 'bedrock-ai-gateway-prod', Stage: 'v1' };
    expect(a['bedrock-gw-prod-5xx-rate']).toMatchObject({ namespace: 'AWS/ApiGateway', metric_name: '5XXError', dimensions: api, statistic: 'Average', threshold: 0.01, comparison_operator: 'GreaterThanThreshold', period: 300 });
    expect(a['bedrock-gw-prod-4xx-rate']).toMatchObject({ metric_name: '4XXError', statistic: 'Average', threshold: 0.1 });
    expect(a['bedrock-gw-prod-p99-latency']).toMatchObject({ metric_name: 'Latency', extended_statistic: 'p99', threshold: 20000 });
    expect(a['bedrock-gw-prod-authorizer-errors']).toMatchObject({ namespace: 'AWS/Lambda', metric_name: 'Errors', dimensions: { FunctionName: 'bedrock-gw-prod-authorizer' }, threshold: 1 });
    expect(a['bedrock-gw-prod-authorizer-throttles']).toMatchObject({ namespace: 'AWS/Lambda', metric_name: 'Throttles', threshold: 1 });
    expect(a['bedrock-gw-prod-bedrock-throttles']).toMatchObject({ namespace: 'BedrockAIGateway/prod', metric_name: 'BedrockThrottles', statistic: 'Sum', threshold: 5 });
    // prod's own web ACL (edge.waf) feeds the WAF alarm without observability.waf.webAclName.
    expect(a['bedrock-gw-prod-waf-blocked']).toMatchObject({ namespace: 'AWS/WAFV2', metric_name: 'BlockedRequests', dimensions: { WebACL: 'bedrock-gw-prod-waf', Region: 'us-west-2', Rule: 'ALL' } });
    for (const alarm of Object.values(a)) expect(alarm.treat_missing_data).toBe('notBreaching');
  });

  test('token budgets: any batch in the metering failure queue raises an alarm; none without token budgets', () => {
    const queueName = findResource(prod, 'aws_sqs_queue', { name: 'bedrock-gw-prod-metering-failures' }).name;
    expect(alarms(prod)['bedrock-gw-prod-metering-failures']).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queueName },
      statistic: 'Maximum',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      period: 300,
      treat_missing_data: 'notBreaching',
      alarm_actions: [refOf(prod, 'aws_sns_topic', { name: 'bedrock-gw-prod-alarms' }, 'arn')],
    });
    expect(Object.keys(alarms(withoutTokenBudgets('prod'))).filter((n) => n.includes('metering'))).toEqual([]);
  });

  test('thresholds follow config', () => {
    const a = alarms(withObservability('dev', { alarms: { ...config.environments[0].observability.alarms, serverErrorRatePercent: 5, p99LatencyMs: 9000, periodSeconds: 60 } }));
    expect(a['bedrock-gw-dev-5xx-rate']).toMatchObject({ threshold: 0.05, period: 60 });
    expect(a['bedrock-gw-dev-p99-latency']).toMatchObject({ threshold: 9000 });
  });

  test('the WAF alarm exists only when a web ACL is named', () => {
    expect(Object.keys(alarms(dev)).filter((n) => n.includes('waf'))).toEqual([]);
    const a = alarms(withObservability('dev', { waf: { webAclName: 'bedrock-gw-dev-waf' } }));
    expect(a['bedrock-gw-dev-waf-blocked']).toMatchObject({ namespace: 'AWS/WAFV2', metric_name: 'BlockedRequests', dimensions: { WebACL: 'bedrock-gw-dev-waf', Region: 'us-east-1', Rule: 'ALL' }, threshold: 100 });
  });

  test('prod notifies an SNS topic encrypted with a key CloudWatch may use; dev has no topic', () => {
    expect(Object.keys(resourcesOf(dev, 'aws_sns_topic'))).toEqual([]);
    for (const alarm of Object.values(alarms(dev))) expect(alarm.alarm_actions).toBeUndefined();
    const topic = findResource(prod, 'aws_sns_topic', { name: 'bedrock-gw-prod-alarms' });
    const key = one(prod, 'aws_kms_key');
    expect(topic).toMatchObject({ name: 'bedrock-gw-prod-alarms', kms_master_key_id: refOf(prod, 'aws_kms_key', {}, 'arn') });
    expect(key.enable_key_rotation).toBe(true);
    const statements = JSON.parse(key.policy as string).Statement;
    expect(statements[1]).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
    for (const s of statements) expect([s.Action].flat().filter((a: string) => a === 'kms:*')).toEqual([]);
    for (const alarm of Object.values(alarms(prod))) expect(alarm.alarm_actions).toEqual([refOf(prod, 'aws_sns_topic', { name: 'bedrock-gw-prod-alarms' }, 'arn')]);
    const byo = withObservability('prod', { alarms: { ...config.environments[1].observability.alarms, topic: { kmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/k' } } });
    expect(Object.keys(resourcesOf(byo, 'aws_kms_key'))).toEqual([]);
    expect(findResource(byo, 'aws_sns_topic', { name: 'bedrock-gw-prod-alarms' }).kms_master_key_id).toBe('arn:aws:kms:us-west-2:111122223333:key/k');
  });

  test('alarms can be turned off', () => {
    expect(resourcesOf(withObservability('dev', { alarms: { ...config.environments[0].observability.alarms, enabled: false } }), 'aws_cloudwatch_metric_alarm')).toEqual({});
  });
});

describe('saved queries', () => {
  const queries = (json: TerraformJson) => Object.values(resourcesOf(json, 'aws_cloudwatch_query_definition'));

  test('four questions, on the access log or the authorizer log', () => {
    expect(queries(dev).map((q) => [q.name, q.log_group_names]).sort((a, b) => SAVED_QUERIES.findIndex((q) => a[0] === `bedrock-gw-dev/${q.id}`) - SAVED_QUERIES.findIndex((q) => b[0] === `bedrock-gw-dev/${q.id}`))).toEqual([
      ['bedrock-gw-dev/requests-by-tenant-and-model', [refOf(dev, 'aws_cloudwatch_log_group', ACCESS, 'name')]],
      ['bedrock-gw-dev/denied-by-reason', ['${aws_cloudwatch_log_group.authorizer_function_logs_28C2880A.name}']],
      ['bedrock-gw-dev/top-callers', [refOf(dev, 'aws_cloudwatch_log_group', ACCESS, 'name')]],
      ['bedrock-gw-dev/throttled-by-tenant', [refOf(dev, 'aws_cloudwatch_log_group', ACCESS, 'name')]],
    ]);
  });

  test('queries read only fields the access log or the audit line has', () => {
    const auditFields: Array<keyof AuditLine> = ['audit', 'environment', 'decision', 'reason', 'detail', 'tenant', 'subject', 'issuer', 'idp', 'tier', 'claimedTier', 'role', 'methodArn', 'latencyMs'];
    const derived = ['stagePath', 'modelId', 'operation', 'requests', 'decisions', 'avgMs', 'p99Ms', 'bedrockMs'];
    for (const q of SAVED_QUERIES) {
      const known = new Set([...(q.source === 'access' ? Object.keys(ACCESS_LOG_FIELDS) : auditFields), ...derived]);
      const identifiers = q.query.replace(/"[^"]*"/g, '').replace(/@\w+/g, '').match(/\b[a-zA-Z][a-zA-Z0-9]*\b/g) ?? [];
      const keywords = new Set(['fields', 'filter', 'stats', 'sort', 'limit', 'parse', 'as', 'by', 'desc', 'and', 'or', 'count', 'avg', 'pct', 'sum', 'ispresent']);
      expect([q.id, identifiers.filter((i) => !keywords.has(i) && !known.has(i))]).toEqual([q.id, []]);
    }
  });

  test('none on an emulator (moto 5.2 lacks PutQueryDefinition), and none when turned off', () => {
    expect(queries(local)).toEqual([]);
    expect(queries(withObservability('dev', { queries: false }))).toEqual([]);
  });
});

describe('dashboard', () => {
  const widgets = (json: TerraformJson) => JSON.parse(one(json, 'aws_cloudwatch_dashboard').dashboard_body as string).widgets as Array<{ type: string; properties: Record<string, unknown> }>;

  test('requests, latency percentiles, 4XX/5XX, authorizer, Bedrock throttling and a per-tenant Logs Insights table', () => {
    expect(one(dev, 'aws_cloudwatch_dashboard').dashboard_name).toBe('bedrock-gw-dev');
    expect(widgets(dev).map((w) => w.properties.title)).toEqual([
      'Requests',
      'Latency percentiles (ms)',
      '4XX and 5XX',
      'Authorizer errors and throttles',
      'Bedrock throttling (429 from Bedrock)',
      'Tokens per tenant (metered)',
      'Cost per tenant (USD, metered)',
      'Metering failures (batches waiting in the failure queue)',
      'Requests per tenant',
    ]);
    const log = widgets(dev).find((w) => w.type === 'log')!;
    expect(log.properties.query).toBe("SOURCE '/aws/apigateway/bedrock-ai-gateway-dev/dev/access' | stats count(*) as requests, pct(responseLatency, 99) as p99Ms by tenantId, status | sort requests desc");
    expect(widgets(dev)[1].properties.metrics).toEqual([
      ['AWS/ApiGateway', 'Latency', 'ApiName', 'bedrock-ai-gateway-dev', 'Stage', 'dev', { stat: 'p50' }],
      ['AWS/ApiGateway', 'Latency', 'ApiName', 'bedrock-ai-gateway-dev', 'Stage', 'dev', { stat: 'p90' }],
      ['AWS/ApiGateway', 'Latency', 'ApiName', 'bedrock-ai-gateway-dev', 'Stage', 'dev', { stat: 'p99' }],
      ['AWS/ApiGateway', 'IntegrationLatency', 'ApiName', 'bedrock-ai-gateway-dev', 'Stage', 'dev', { stat: 'p99', label: 'Bedrock p99' }],
    ]);
  });

  test("token budgets: per-tenant tokens and cost from the metering function's own metrics, and the failure queue", () => {
    // The namespace and dimensions the metering function emits, read from its EMF line.
    const emf = JSON.parse(tenantMetricLine('dev', 'acme', { InputTokens: 1, OutputTokens: 1, CacheReadTokens: 0, CacheWriteTokens: 0, CostUsd: 0 }, 0));
    const { Namespace, Dimensions } = emf._aws.CloudWatchMetrics[0];
    expect(Dimensions).toEqual([['Environment', 'Tenant']]);
    const search = (name: string) => `SEARCH('{${Namespace},${Dimensions[0].join(',')}} MetricName="${name}" Environment="${emf.Environment}"', 'Sum', 300)`;
    const byTitle = Object.fromEntries(widgets(dev).map((w) => [w.properties.title, w.properties]));
    expect(byTitle['Tokens per tenant (metered)'].metrics).toEqual([
      [{ expression: search('InputTokens'), id: 'input', label: 'input' }],
      [{ expression: search('OutputTokens'), id: 'output', label: 'output' }],
    ]);
    expect(byTitle['Cost per tenant (USD, metered)'].metrics).toEqual([[{ expression: search('CostUsd'), id: 'cost', label: 'USD' }]]);
    for (const name of ['InputTokens', 'OutputTokens', 'CostUsd']) expect(emf).toHaveProperty(name);
    const queue = findResource(dev, 'aws_sqs_queue', { name: 'bedrock-gw-dev-metering-failures' });
    const fn = findResource(dev, 'aws_lambda_function', { function_name: 'bedrock-gw-dev-metering' });
    expect(byTitle['Metering failures (batches waiting in the failure queue)'].metrics).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue.name, { stat: 'Maximum', label: 'failed batches' }],
      ['AWS/Lambda', 'Errors', 'FunctionName', fn.function_name, { stat: 'Sum', label: 'metering errors (retried)', yAxis: 'right' }],
    ]);
    expect(widgets(withoutTokenBudgets('dev')).map((w) => w.properties.title).filter((t) => String(t).includes('meter'))).toEqual([]);
  });

  test('a WAF widget when a web ACL is named', () => {
    const titles = widgets(withObservability('dev', { waf: { webAclName: 'acl' } })).map((w) => w.properties.title);
    expect(titles).toContain('WAF blocked requests');
  });
});
