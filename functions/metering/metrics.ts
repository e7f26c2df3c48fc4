/**
 * CloudWatch embedded metric format lines
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * printed to stdout, turned into metrics by CloudWatch Logs with no API call from the function.
 */
export const METRIC_NAMESPACE = 'BedrockGateway/Metering';

/** Batch counters, dimension Environment. */
export const BATCH_METRICS = ['Records', 'Metered', 'Foreign', 'NoTenant', 'UnknownTenant', 'FailedInvocations', 'Malformed', 'UnpricedModel', 'RedeliveredChunks', 'KeysDisabled', 'Alerts'] as const;
export type BatchMetric = (typeof BATCH_METRICS)[number];

/** Per-tenant usage, dimensions Environment + Tenant. */
export const TENANT_METRICS = ['InputTokens', 'OutputTokens', 'CacheReadTokens', 'CacheWriteTokens', 'CostUsd'] as const;
export type TenantMetric = (typeof TENANT_METRICS)[number];

export function batchMetricLine(environment: string, values: Readonly<Record<BatchMetric, number>>, timestampMs: number): string {
  return JSON.stringify({
    _aws: { Timestamp: timestampMs, CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['Environment']], Metrics: BATCH_METRICS.map((Name) => ({ Name, Unit: 'Count' })) }] },
    Environment: environment,
    ...values,
  });
}

export function tenantMetricLine(environment: string, tenant: string, values: Readonly<Record<TenantMetric, number>>, timestampMs: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['Environment', 'Tenant']], Metrics: TENANT_METRICS.map((Name) => ({ Name, Unit: Name === 'CostUsd' ? 'None' : 'Count' })) }],
    },
    Environment: environment,
    Tenant: tenant,
    ...values,
  });
}
