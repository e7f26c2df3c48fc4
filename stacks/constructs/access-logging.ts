/**
 * Stage access logs: one JSON object per request in a log group with retention (and an optional
 * KMS key), plus the execution log group API Gateway would otherwise create without retention,
 * and a metric of Bedrock's own throttling (429 from the integration) read from the access log.
 *
 * The tenant fields are `$context.authorizer.<key>` for every key of `AUTHORIZER_CONTEXT_KEYS`,
 * the authorizer's own contract: the format names exactly the context the authorizer returns.
 * Those values are pre-encoded by the authorizer (no quotes or backslashes), so they are safe
 * inside the JSON line; `errorMessage` uses `$context.error.messageString`, which API Gateway
 * quotes itself. Variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
 */
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { AUTHORIZER_CONTEXT_KEYS } from '../../functions/shared/tenant-stamp';

/** API Gateway quota: the access log format. */
export const MAX_ACCESS_LOG_FORMAT_BYTES = 3 * 1024;

/** Access log field -> API Gateway variable. Every value is written as a JSON string except `errorMessage`. */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  // The model id is the path segment after /model/ (URL-encoded as the client sent it).
  path: '$context.path',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integration.error',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  ...Object.fromEntries(Object.values(AUTHORIZER_CONTEXT_KEYS).map((key) => [key, `$context.authorizer.${key}`])),
  apiKeyId: '$context.identity.apiKeyId',
  wafResponseCode: '$context.wafResponseCode',
  responseType: '$context.error.responseType',
  // Written unquoted on purpose: API Gateway's access-logging variable table defines
  // `$context.error.messageString` as "The quoted value of $context.error.message, namely
  // "$context.error.message"", i.e. it is already a JSON string, quotes included (and its
  // content escaped, unlike `$context.error.message`, which may hold a `"`):
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
  // The table does not say what a request without an error writes here (the README's sample shows
  // `"-"`); that case cannot be checked without a real stage.
  errorMessage: '$context.error.messageString',
};

/** Fields whose variable is already a quoted JSON string. */
const PRE_QUOTED = new Set(['errorMessage']);

/** The access log format: one line of JSON. */
export function accessLogFormat(): string {
  const fields = Object.entries(ACCESS_LOG_FIELDS).map(([name, variable]) => `"${name}":${PRE_QUOTED.has(name) ? variable : `"${variable}"`}`);
  const format = `{${fields.join(',')}}`;
  if (Buffer.byteLength(format) > MAX_ACCESS_LOG_FORMAT_BYTES) throw new Error(`the access log format is ${Buffer.byteLength(format)} bytes; API Gateway allows ${MAX_ACCESS_LOG_FORMAT_BYTES}`);
  return format;
}

/** Namespace of the gateway's own metrics (from metric filters). */
export const METRIC_NAMESPACE = 'BedrockAIGateway';
/** 429s Bedrock itself returned, counted from the access log. */
export const BEDROCK_THROTTLES_METRIC = 'BedrockThrottles';

export interface AccessLoggingProps {
  readonly restApiId: string;
  readonly restApiName: string;
  readonly stageName: string;
  readonly environmentName: string;
  readonly accessLogRetentionDays: number;
  readonly executionLogRetentionDays: number;
  readonly kmsKeyArn?: string;
}

export class AccessLogging extends Construct {
  readonly accessLogGroup: CloudwatchLogGroup;
  /** The access log group's name as a literal (for dashboards, which cannot hold references). */
  readonly accessLogGroupName: string;
  readonly executionLogGroup: CloudwatchLogGroup;
  readonly format = accessLogFormat();
  /** The metric the Bedrock throttling alarm and widget read. */
  readonly bedrockThrottles: { readonly namespace: string; readonly metricName: string };

  constructor(scope: Construct, id: string, props: AccessLoggingProps) {
    super(scope, id);
    const kms = props.kmsKeyArn ? { kmsKeyId: props.kmsKeyArn } : {};
    this.accessLogGroupName = `/aws/apigateway/${props.restApiName}/${props.stageName}/access`;
    this.accessLogGroup = new CloudwatchLogGroup(this, 'access', {
      name: this.accessLogGroupName,
      retentionInDays: props.accessLogRetentionDays,
      ...kms,
    });
    // API Gateway writes execution logs here and would create the group without retention.
    this.executionLogGroup = new CloudwatchLogGroup(this, 'execution', {
      name: `API-Gateway-Execution-Logs_${props.restApiId}/${props.stageName}`,
      retentionInDays: props.executionLogRetentionDays,
      ...kms,
    });
    this.bedrockThrottles = { namespace: `${METRIC_NAMESPACE}/${props.environmentName}`, metricName: BEDROCK_THROTTLES_METRIC };
    new CloudwatchLogMetricFilter(this, 'bedrock-throttles', {
      name: `${props.restApiName}-bedrock-throttles`,
      logGroupName: this.accessLogGroup.name,
      pattern: '{ $.integrationStatus = "429" }',
      metricTransformation: { namespace: this.bedrockThrottles.namespace, name: BEDROCK_THROTTLES_METRIC, value: '1', defaultValue: '0', unit: 'Count' },
    });
  }
}
