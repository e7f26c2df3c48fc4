/**
 * One CloudWatch dashboard per environment: requests, latency percentiles, 4XX/5XX, authorizer
 * health, Bedrock's own throttling, WAF blocks (when a web ACL is named) and a Logs Insights
 * table of requests per tenant from the access log.
 */
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
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
