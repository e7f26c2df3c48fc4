/**
 * CloudWatch alarms on the gateway, thresholds from `observability.alarms`: 5XX and 4XX rates,
 * p99 latency, authorizer errors and throttles, Bedrock's own throttling (429 from the
 * integration, counted from the access log) and, when a WAF web ACL is named, a spike of blocked
 * requests; with token budgets, any batch in the metering failure queue. Optionally they notify
 * an encrypted SNS topic.
 *
 * API Gateway's `5XXError`/`4XXError` Average is the error rate (0-1):
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 * CloudWatch can publish to an encrypted topic only with a customer managed key whose policy lets
 * cloudwatch.amazonaws.com use it (the AWS managed `alias/aws/sns` key cannot be granted), so
 * without a configured key the stack creates one.
 */
import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { AccountFacts } from './account-facts';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import type { Observability } from '../../gateway-config/schema';

/** What the account's principals (through their IAM policies) may do with the topic key. */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation',
  'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription', 'kms:EnableKey', 'kms:DisableKey',
  'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey',
];

export interface GatewayAlarmsProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly restApiName: string;
  readonly stageName: string;
  readonly authorizerFunctionName: string;
  readonly bedrockThrottles: { readonly namespace: string; readonly metricName: string };
  readonly settings: Observability['alarms'];
  /** The web ACL in front of the stage; the WAF alarm exists only with one. */
  readonly webAclName?: string;
  /** The metering failure queue (token budgets); its alarm exists only with one. */
  readonly meteringFailureQueueName?: string;
}

export class GatewayAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly topic?: SnsTopic;
  readonly topicKey?: KmsKey;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    const s = props.settings;
    if (s.topic) {
      if (!s.topic.kmsKeyArn) this.topicKey = this.createTopicKey(props.namePrefix);
      this.topic = new SnsTopic(this, 'topic', {
        name: `${props.namePrefix}-alarms`,
        kmsMasterKeyId: s.topic.kmsKeyArn ?? this.topicKey!.arn,
      });
    }
    const api = { ApiName: props.restApiName, Stage: props.stageName };
    const common = {
      period: s.periodSeconds,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
      ...(this.topic ? { alarmActions: [this.topic.arn], okActions: [this.topic.arn] } : {}),
    };
    const alarm = (key: string, description: string, config: Record<string, unknown>) =>
      this.alarms.push(new CloudwatchMetricAlarm(this, key, { alarmName: `${props.namePrefix}-${key}`, alarmDescription: description, ...common, ...config } as never));

    alarm('5xx-rate', `More than ${s.serverErrorRatePercent}% of requests answered 5XX`, {
      namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensions: api, statistic: 'Average', comparisonOperator: 'GreaterThanThreshold', threshold: s.serverErrorRatePercent / 100,
    });
    alarm('4xx-rate', `More than ${s.clientErrorRatePercent}% of requests answered 4XX (denied, throttled, invalid)`, {
      namespace: 'AWS/ApiGateway', metricName: '4XXError', dimensions: api, statistic: 'Average', comparisonOperator: 'GreaterThanThreshold', threshold: s.clientErrorRatePercent / 100,
    });
    alarm('p99-latency', `p99 latency above ${s.p99LatencyMs} ms`, {
      namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensions: api, extendedStatistic: 'p99', comparisonOperator: 'GreaterThanThreshold', threshold: s.p99LatencyMs,
    });
    for (const [key, metric] of [['authorizer-errors', 'Errors'], ['authorizer-throttles', 'Throttles']] as const) {
      alarm(key, `The JWT authorizer function reported ${metric.toLowerCase()} (callers get 500s)`, {
        namespace: 'AWS/Lambda', metricName: metric, dimensions: { FunctionName: props.authorizerFunctionName }, statistic: 'Sum', comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: s.authorizerFailures,
      });
    }
    alarm('bedrock-throttles', `Bedrock answered 429 to the gateway at least ${s.bedrockThrottles} times (account quota, not a tenant limit)`, {
      namespace: props.bedrockThrottles.namespace, metricName: props.bedrockThrottles.metricName, statistic: 'Sum', comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: s.bedrockThrottles,
    });
    if (props.webAclName) {
      alarm('waf-blocked', `WAF blocked at least ${s.wafBlockedRequests} requests`, {
        namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensions: { WebACL: props.webAclName, Region: props.region, Rule: 'ALL' }, statistic: 'Sum', comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: s.wafBlockedRequests,
      });
    }
    if (props.meteringFailureQueueName) {
      alarm('metering-failures', 'A batch of invocation logs failed metering after every retry and waits in the metering failure queue: its tokens are not counted against budgets until it is replayed', {
        namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: props.meteringFailureQueueName }, statistic: 'Maximum', comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 1,
      });
    }
  }

  /**
   * A customer managed key CloudWatch alarms may publish through, administered by the account
   * (named actions only: what Terraform needs to manage it, plus use for SNS). In a key policy
   * `Resource: "*"` means this key and nothing else.
   */
  private createTopicKey(namePrefix: string): KmsKey {
    const { partition, accountId } = AccountFacts.of(this);
    return new KmsKey(this, 'topic-key', {
      description: `${namePrefix}: encrypts the alarm topic; CloudWatch may use it to publish`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: KEY_ADMIN_ACTIONS, Resource: '*' },
          {
            Sid: 'CloudWatchPublishes',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
          },
        ],
      }),
    });
  }
}
