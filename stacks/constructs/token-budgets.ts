/**
 * Token budgets (issue 9): Bedrock's model invocation logs -> subscription filter -> metering
 * function -> DynamoDB ledger; a tenant whose budget is spent gets its API key disabled, which API
 * Gateway checks on every request after the authorizer's cached Allow, so the next call is refused
 * with no compute in the model path and no authorizer-cache lag. An hourly reset function
 * re-enables keys whose new period has budget. Nothing here runs per request.
 *
 * Invocation logging is one configuration per account and region: `source: 'managed'` makes this
 * stack own it (a synth warning says so); `source: 'existing'` meters a log group configured
 * elsewhere.
 */
import * as path from 'node:path';
import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { BedrockModelInvocationLoggingConfiguration } from '@cdktf/provider-aws/lib/bedrock-model-invocation-logging-configuration';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogSubscriptionFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { DynamodbTableItem } from '@cdktf/provider-aws/lib/dynamodb-table-item';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { METERING_ENV } from '../../functions/metering/handler';
import type { MeteringSettings } from '../../functions/metering/settings';
import type { TokenBudgets } from '../../gateway-config/schema';
import { NodejsFunction } from './nodejs-function';

export const METERING_ENTRY = path.join(__dirname, '..', '..', 'functions', 'metering', 'index.ts');
export const RESET_ENTRY = path.join(__dirname, '..', '..', 'functions', 'metering', 'reset-index.ts');
/** Every budget period starts at 00:00 UTC: an hourly run re-enables keys at the boundary itself. */
export const RESET_SCHEDULE = 'cron(0 * * * ? *)';
/** The log stream Bedrock writes invocation records to (its logging role may write only there). */
export const INVOCATION_LOG_STREAM = 'aws/bedrock/modelinvocations';
/**
 * The metering function's timeout. An unfinished spent/alert claim older than CLAIM_LEASE_SECONDS
 * (functions/metering/ledger.ts, longer than this) can be taken over by another batch.
 */
export const METERING_TIMEOUT_SECONDS = 120;
/** Async retries before a batch goes to the failure queue (Lambda's maximum). */
export const METERING_RETRY_ATTEMPTS = 2;
/**
 * How long Lambda keeps a batch in its async queue, retries included: the maximum, 6 hours
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html, "Maximum age of
 * event"). The ledger's batch markers (MARKER_TTL_SECONDS) outlive this plus the failure queue's
 * retention, so a batch replayed from the queue at the end of its retention still finds its markers.
 */
export const METERING_MAX_EVENT_AGE_SECONDS = 21_600;
/** How long the failure queue keeps a failed batch: SQS's maximum, 14 days. */
export const METERING_FAILURE_RETENTION_SECONDS = 1_209_600;

/**
 * The subscription filter pattern: records Bedrock wrote for calls made with this environment's
 * gateway role (`identity.arn` is the assumed role; only this gateway and environment assume it).
 * A JSON pattern cannot name the stamp's hyphenated `gw-` keys reliably, so the function checks
 * the `gw-env` stamp itself and counts anything else as foreign.
 */
export function invocationFilterPattern(partition: string, accountId: string, gatewayRoleName: string): string {
  return `{ ($.schemaType = "ModelInvocationLog") && ($.identity.arn = "arn:${partition}:sts::${accountId}:assumed-role/${gatewayRoleName}/*") }`;
}

/** Names of the metering resources the dashboard and alarms refer to (known before they exist). */
export function meteringResourceNames(namePrefix: string): { readonly functionName: string; readonly failureQueueName: string } {
  return { functionName: `${namePrefix}-metering`, failureQueueName: `${namePrefix}-metering-failures` };
}

export interface TokenBudgetsProps {
  readonly environmentName: string;
  readonly budgets: TokenBudgets;
  readonly settings: MeteringSettings;
  readonly namePrefix: string;
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
  /** Name of the role API Gateway uses to call Bedrock. */
  readonly gatewayRoleName: string;
  /** Tenant id -> API key. */
  readonly apiKeys: ReadonlyMap<string, ApiGatewayApiKey>;
  readonly logRetentionDays: number;
  readonly tracing: boolean;
}

export class TokenBudgetResources extends Construct {
  readonly ledger: DynamodbTable;
  readonly metering: NodejsFunction;
  readonly reset: NodejsFunction;
  readonly failureQueue: SqsQueue;
  readonly alertTopic?: SnsTopic;
  /** The invocation log group's name (created here when managed). */
  readonly invocationLogGroupName: string;
  readonly invocationLogGroup?: CloudwatchLogGroup;
  readonly loggingConfiguration?: BedrockModelInvocationLoggingConfiguration;
  readonly subscriptionFilter: CloudwatchLogSubscriptionFilter;

  constructor(scope: Construct, id: string, props: TokenBudgetsProps) {
    super(scope, id);
    const { budgets, namePrefix, region, partition, accountId } = props;
    const logging = budgets.invocationLogging;

    // ---- where the invocation records come from ----
    let logGroupArn: string;
    if (logging.source === 'managed') {
      this.invocationLogGroup = new CloudwatchLogGroup(this, 'invocation-logs', { name: `/aws/bedrock/${namePrefix}/model-invocations`, retentionInDays: logging.retentionDays });
      this.invocationLogGroupName = this.invocationLogGroup.name;
      logGroupArn = this.invocationLogGroup.arn;
      const loggingRole = new IamRole(this, 'bedrock-logging-role', {
        name: `${namePrefix}-bedrock-logging`,
        description: 'Assumed by Bedrock to write model invocation logs to the gateway log group',
        // https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html#setup-cloudwatch-logs-destination
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'bedrock.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': accountId }, ArnLike: { 'aws:SourceArn': `arn:${partition}:bedrock:${region}:${accountId}:*` } },
            },
          ],
        }),
      });
      new IamRolePolicy(this, 'bedrock-logging-policy', {
        name: 'write-invocation-logs',
        role: loggingRole.name,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroupArn}:log-stream:${INVOCATION_LOG_STREAM}` }],
        }),
      });
      if (logging.manageConfiguration) {
        this.loggingConfiguration = new BedrockModelInvocationLoggingConfiguration(this, 'invocation-logging', {
          loggingConfig: {
            cloudwatchConfig: { logGroupName: this.invocationLogGroup.name, roleArn: loggingRole.arn },
            // Off by default: the records keep token counts and request metadata, not prompts or outputs.
            textDataDeliveryEnabled: logging.dataDelivery.text,
            imageDataDeliveryEnabled: logging.dataDelivery.image,
            embeddingDataDeliveryEnabled: logging.dataDelivery.embedding,
            videoDataDeliveryEnabled: logging.dataDelivery.video,
          },
          dependsOn: [loggingRole],
        });
        Annotations.of(this.loggingConfiguration).addWarning(
          `environment ${props.environmentName}: this stack manages the Bedrock model invocation logging configuration of ${region} (one per account and region): it replaces any configuration there, and destroying the stack turns invocation logging off. Use tokenBudgets.invocationLogging.source "existing" if another team owns it.`,
        );
      }
    } else {
      this.invocationLogGroupName = logging.logGroupName;
      logGroupArn = `arn:${partition}:logs:${region}:${accountId}:log-group:${logging.logGroupName}`;
    }

    // ---- the ledger ----
    this.ledger = new DynamodbTable(this, 'ledger', {
      name: `${namePrefix}-token-ledger`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      attribute: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
      ],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      ttl: { attributeName: 'expiresAt', enabled: true },
    });
    // Each tenant's API key id, where both functions read it (key ids exist only after apply).
    const tenants = [...props.apiKeys.keys()].sort();
    for (const tenant of tenants) {
      new DynamodbTableItem(this, `key-${tenant}`, {
        tableName: this.ledger.name,
        hashKey: 'pk',
        rangeKey: 'sk',
        item: JSON.stringify({ pk: { S: `T#${tenant}` }, sk: { S: 'KEY' }, apiKeyId: { S: props.apiKeys.get(tenant)!.id } }),
      });
    }
    const keyArn = (tenant: string) => `arn:${partition}:apigateway:${region}::/apikeys/${props.apiKeys.get(tenant)!.id}`;
    const budgeted = tenants.filter((t) => props.settings.tenants[t]?.budget !== undefined);
    const enabledInConfig = tenants.filter((t) => props.settings.tenants[t]?.enabled);

    // ---- failures and alerts ----
    const names = meteringResourceNames(namePrefix);
    this.failureQueue = new SqsQueue(this, 'failures', {
      name: names.failureQueueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: METERING_FAILURE_RETENTION_SECONDS,
    });
    if (budgets.alerts) {
      this.alertTopic = new SnsTopic(this, 'alerts', {
        name: `${namePrefix}-budget-alerts`,
        // The AWS managed key: its policy lets account principals allowed sns:Publish use it through SNS.
        kmsMasterKeyId: budgets.alerts.kmsKeyArn ?? 'alias/aws/sns',
      });
    }

    // ---- metering function ----
    const environment: Record<string, string> = { [METERING_ENV.table]: this.ledger.name };
    if (this.alertTopic) environment[METERING_ENV.alertTopic] = this.alertTopic.arn;
    this.metering = new NodejsFunction(this, 'metering', {
      entry: METERING_ENTRY,
      jsonModules: { 'gateway:metering-settings': props.settings },
      functionName: names.functionName,
      description: 'Meters Bedrock invocation logs into the token ledger; disables the API key of a tenant whose budget is spent',
      memorySize: 512,
      timeout: METERING_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing,
      environment,
    });
    const meteringStatements: unknown[] = [
      { Sid: 'Ledger', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'], Resource: this.ledger.arn },
      { Sid: 'FailedBatches', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: this.failureQueue.arn },
    ];
    if (budgeted.length > 0) meteringStatements.push({ Sid: 'DisableSpentKeys', Effect: 'Allow', Action: ['apigateway:PATCH'], Resource: budgeted.map(keyArn) });
    if (this.alertTopic) {
      meteringStatements.push({ Sid: 'Alerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: this.alertTopic.arn });
      if (budgets.alerts?.kmsKeyArn) meteringStatements.push({ Sid: 'AlertKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: budgets.alerts.kmsKeyArn });
    }
    new IamRolePolicy(this, 'metering-policy', {
      name: 'meter-into-ledger',
      role: this.metering.role.name,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: meteringStatements }),
    });
    new LambdaFunctionEventInvokeConfig(this, 'metering-retries', {
      functionName: this.metering.function.functionName,
      maximumRetryAttempts: METERING_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: METERING_MAX_EVENT_AGE_SECONDS,
      destinationConfig: { onFailure: { destination: this.failureQueue.arn } },
    });
    const permission = new LambdaPermission(this, 'metering-invoke-permission', {
      statementId: 'AllowInvocationLogSubscription',
      action: 'lambda:InvokeFunction',
      functionName: this.metering.function.functionName,
      principal: 'logs.amazonaws.com',
      sourceArn: `${logGroupArn}:*`,
      sourceAccount: accountId,
    });
    this.subscriptionFilter = new CloudwatchLogSubscriptionFilter(this, 'subscription', {
      name: `${namePrefix}-metering`,
      logGroupName: this.invocationLogGroupName,
      destinationArn: this.metering.function.arn,
      filterPattern: invocationFilterPattern(partition, accountId, props.gatewayRoleName),
      distribution: 'ByLogStream',
      dependsOn: [permission, ...(this.loggingConfiguration ? [this.loggingConfiguration] : [])],
    });

    // ---- reset function ----
    this.reset = new NodejsFunction(this, 'reset', {
      entry: RESET_ENTRY,
      jsonModules: { 'gateway:metering-settings': props.settings },
      functionName: `${namePrefix}-budget-reset`,
      description: 'Re-enables the API keys of config-enabled tenants whose current budget period has budget left',
      memorySize: 256,
      timeout: 300,
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing,
      environment: { [METERING_ENV.table]: this.ledger.name },
    });
    const resetStatements: unknown[] = [{ Sid: 'Ledger', Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: this.ledger.arn }];
    if (enabledInConfig.length > 0) resetStatements.push({ Sid: 'ReEnableKeys', Effect: 'Allow', Action: ['apigateway:GET', 'apigateway:PATCH'], Resource: enabledInConfig.map(keyArn) });
    new IamRolePolicy(this, 'reset-policy', { name: 'reset-budget-keys', role: this.reset.role.name, policy: JSON.stringify({ Version: '2012-10-17', Statement: resetStatements }) });
    const rule = new CloudwatchEventRule(this, 'reset-schedule', {
      name: `${namePrefix}-budget-reset`,
      description: 'Hourly: re-enable API keys whose budget period has budget (periods start at 00:00 UTC)',
      scheduleExpression: RESET_SCHEDULE,
    });
    new CloudwatchEventTarget(this, 'reset-target', { rule: rule.name, arn: this.reset.function.arn, targetId: 'budget-reset' });
    new LambdaPermission(this, 'reset-invoke-permission', {
      statementId: 'AllowResetSchedule',
      action: 'lambda:InvokeFunction',
      functionName: this.reset.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn,
    });
  }
}
