/**
 * One CloudWatch dashboard per environment: requests, latency percentiles, 4XX/5XX, authorizer
 * health, Bedrock's own throttling, WAF blocks (when a web ACL is named) and a Logs Insights
 * table of requests per tenant from the access log.
 */
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { METRIC_NAMESPACE } from '../../functions/metering/metrics';
import { AUTHORIZER_CONTEXT_KEYS } from '../../functions/shared/tenant-stamp';

export interface GatewayDashboardProps {
  readonly name: string;
  readonly region: string;
  readonly restApiName: string;
  readonly stageName: string;
  readonly authorizerFunctionName: string;
  readonly accessLogGroupName: string;
  readonly bedrockThrottles: { readonly namespace: string; readonly metricName: string };
  readonly webAclName?: string;
  /** Token budgets' metering, when the environment has `tokenBudgets`. */
  readonly metering?: DashboardMetering;
}

export interface DashboardMetering {
  /** The `Environment` dimension the metering function's metrics carry. */
  readonly environmentName: string;
  readonly functionName: string;
  readonly failureQueueName: string;
}

type Widget = { type: 'metric' | 'log'; width: number; height: number; properties: Record<string, unknown> };

/** The dashboard's widgets, in order (titles are what the README's operating guide refers to). */
export function dashboardWidgets(props: GatewayDashboardProps): Widget[] {
  const api = ['ApiName', props.restApiName, 'Stage', props.stageName];
  const metric = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}): Widget => ({
    type: 'metric',
    width: 12,
    height: 6,
    properties: { title, region: props.region, view: 'timeSeries', stacked: false, period: 300, metrics, ...extra },
  });
  const widgets: Widget[] = [
    metric('Requests', [['AWS/ApiGateway', 'Count', ...api, { stat: 'Sum' }]]),
    metric('Latency percentiles (ms)', [
      ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p50' }],
      ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p90' }],
      ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p99' }],
      ['AWS/ApiGateway', 'IntegrationLatency', ...api, { stat: 'p99', label: 'Bedrock p99' }],
    ]),
    metric('4XX and 5XX', [
      ['AWS/ApiGateway', '4XXError', ...api, { stat: 'Sum' }],
      ['AWS/ApiGateway', '5XXError', ...api, { stat: 'Sum' }],
    ]),
    metric('Authorizer errors and throttles', [
      ['AWS/Lambda', 'Errors', 'FunctionName', props.authorizerFunctionName, { stat: 'Sum' }],
      ['AWS/Lambda', 'Throttles', 'FunctionName', props.authorizerFunctionName, { stat: 'Sum' }],
      ['AWS/Lambda', 'Duration', 'FunctionName', props.authorizerFunctionName, { stat: 'p99', yAxis: 'right' }],
    ]),
    metric('Bedrock throttling (429 from Bedrock)', [[props.bedrockThrottles.namespace, props.bedrockThrottles.metricName, { stat: 'Sum' }]]),
  ];
  if (props.webAclName) {
    widgets.push(metric('WAF blocked requests', [['AWS/WAFV2', 'BlockedRequests', 'WebACL', props.webAclName, 'Region', props.region, 'Rule', 'ALL', { stat: 'Sum' }]]));
  }
  if (props.metering) widgets.push(...meteringWidgets(props.metering, metric));
  widgets.push({
    type: 'log',
    width: 24,
    height: 6,
    properties: {
      title: 'Requests per tenant',
      region: props.region,
      view: 'table',
      query: `SOURCE '${props.accessLogGroupName}' | stats count(*) as requests, pct(responseLatency, 99) as p99Ms by ${AUTHORIZER_CONTEXT_KEYS.tenant}, status | sort requests desc`,
    },
  });
  return widgets;
}

/**
 * Token budgets: per-tenant tokens and cost from the metering function's EMF metrics (one line per
 * tenant, found by a SEARCH expression, so tenants added later appear without a redeploy:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-search-expressions.html),
 * and the failure queue, whose batches are not metered until replayed.
 */
function meteringWidgets(m: DashboardMetering, metric: (title: string, metrics: unknown[][], extra?: Record<string, unknown>) => Widget): Widget[] {
  const perTenant = (metricName: string, id: string, label: string) => [
    { expression: `SEARCH('{${METRIC_NAMESPACE},Environment,Tenant} MetricName="${metricName}" Environment="${m.environmentName}"', 'Sum', 300)`, id, label },
  ];
  return [
    metric('Tokens per tenant (metered)', [perTenant('InputTokens', 'input', 'input'), perTenant('OutputTokens', 'output', 'output')]),
    metric('Cost per tenant (USD, metered)', [perTenant('CostUsd', 'cost', 'USD')]),
    metric('Metering failures (batches waiting in the failure queue)', [
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', m.failureQueueName, { stat: 'Maximum', label: 'failed batches' }],
      ['AWS/Lambda', 'Errors', 'FunctionName', m.functionName, { stat: 'Sum', label: 'metering errors (retried)', yAxis: 'right' }],
    ]),
  ];
}

export class GatewayDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: GatewayDashboardProps) {
    super(scope, id);
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: props.name,
      dashboardBody: JSON.stringify({ widgets: dashboardWidgets(props) }),
    });
  }
}
