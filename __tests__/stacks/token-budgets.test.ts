/** Token budget resources and their IAM, as synthesized for the example environments and variants. */
import type { GatewayConfig } from '../../gateway-config/schema';
import { CLAIM_LEASE_SECONDS, MARKER_TTL_SECONDS } from '../../functions/metering/ledger';
import {
  INVOCATION_LOG_STREAM,
  METERING_FAILURE_RETENTION_SECONDS,
  METERING_MAX_EVENT_AGE_SECONDS,
  METERING_TIMEOUT_SECONDS,
  RESET_SCHEDULE,
} from '../../stacks/constructs/token-budgets';
import { synthWarnings } from '../../stacks/synth-warnings';
import { exampleConfig } from '../helpers/config';
import { findResource, resourcesOf, synthGateway, type TerraformJson } from '../helpers/synth';

const config = exampleConfig();
const dev = synthGateway(config, 'dev');
const prod = synthGateway(config, 'prod');
const one = (json: TerraformJson, type: string) => {
  const all = Object.values(resourcesOf(json, type));
  expect(all).toHaveLength(1);
  return all[0];
};
/** `${type.<id>.attr}` of the one resource of `type` matching `match`. */
const ref = (json: TerraformJson, type: string, match: Record<string, unknown>, attr: string) => {
  const ids = Object.entries(resourcesOf(json, type)).filter(([, r]) => Object.entries(match).every(([k, v]) => r[k] === v)).map(([id]) => id);
  expect(ids).toHaveLength(1);
  return `\${${type}.${ids[0]}.${attr}}`;
};
const partition = (json: TerraformJson) => `\${data.aws_partition.${Object.keys(json.data!.aws_partition)[0]}.partition}`;
const account = (json: TerraformJson) => `\${data.aws_caller_identity.${Object.keys(json.data!.aws_caller_identity)[0]}.account_id}`;
const policyNamed = (json: TerraformJson, name: string) => JSON.parse(findResource(json, 'aws_iam_role_policy', { name }).policy as string);
const keyArn = (json: TerraformJson, tenant: string) => `arn:${partition(json)}:apigateway:${json === dev.json ? 'us-east-1' : 'us-west-2'}::/apikeys/${ref(json, 'aws_api_gateway_api_key', { name: `bedrock-gw-${json === dev.json ? 'dev' : 'prod'}-${tenant}` }, 'id')}`;

describe('invocation logging', () => {
  test('managed: a log group with retention, Bedrock logging configuration with every data delivery off', () => {
    const group = findResource(dev.json, 'aws_cloudwatch_log_group', { name: '/aws/bedrock/bedrock-gw-dev/model-invocations' });
    expect(group.retention_in_days).toBe(14);
    expect(one(dev.json, 'aws_bedrock_model_invocation_logging_configuration')).toMatchObject({
      logging_config: {
        cloudwatch_config: {
          log_group_name: ref(dev.json, 'aws_cloudwatch_log_group', { name: '/aws/bedrock/bedrock-gw-dev/model-invocations' }, 'name'),
          role_arn: ref(dev.json, 'aws_iam_role', { name: 'bedrock-gw-dev-bedrock-logging' }, 'arn'),
        },
        text_data_delivery_enabled: false,
        image_data_delivery_enabled: false,
        embedding_data_delivery_enabled: false,
        video_data_delivery_enabled: false,
      },
    });
  });

  test("managed: Bedrock's role may only write the invocation stream of that group, assumed by Bedrock of this account", () => {
    const role = findResource(dev.json, 'aws_iam_role', { name: 'bedrock-gw-dev-bedrock-logging' });
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account(dev.json) }, ArnLike: { 'aws:SourceArn': `arn:${partition(dev.json)}:bedrock:us-east-1:${account(dev.json)}:*` } },
      },
    ]);
    expect(policyNamed(dev.json, 'write-invocation-logs').Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${ref(dev.json, 'aws_cloudwatch_log_group', { name: '/aws/bedrock/bedrock-gw-dev/model-invocations' }, 'arn')}:log-stream:${INVOCATION_LOG_STREAM}`,
      },
    ]);
  });

  test('managing the one-per-region configuration is announced at synth', () => {
    expect(synthWarnings(dev.stack).filter((w) => w.includes('invocation logging'))).toEqual([
      expect.stringContaining(
        'environment dev: this stack manages the Bedrock model invocation logging configuration of us-east-1 (one per account and region): it replaces any configuration there, and destroying the stack turns invocation logging off.',
      ),
    ]);
  });

  test('existing: no configuration, no log group, no logging role; the filter reads the named group', () => {
    expect(resourcesOf(prod.json, 'aws_bedrock_model_invocation_logging_configuration')).toEqual({});
    expect(Object.values(resourcesOf(prod.json, 'aws_cloudwatch_log_group')).map((g) => g.name)).not.toContain('/aws/bedrock/bedrock-gw-prod/model-invocations');
    expect(Object.values(resourcesOf(prod.json, 'aws_iam_role')).map((r) => r.name)).not.toContain('bedrock-gw-prod-bedrock-logging');
    expect(one(prod.json, 'aws_cloudwatch_log_subscription_filter').log_group_name).toBe('/aws/bedrock/model-invocations');
    expect(findResource(prod.json, 'aws_lambda_permission', { statement_id: 'AllowInvocationLogSubscription' }).source_arn).toBe(
      `arn:${partition(prod.json)}:logs:us-west-2:${account(prod.json)}:log-group:/aws/bedrock/model-invocations:*`,
    );
    expect(synthWarnings(prod.stack).filter((w) => w.includes('invocation logging'))).toEqual([]);
  });
});

describe('metering', () => {
  test('the subscription filter selects records made with this environment gateway role, and invokes the metering function', () => {
    const filter = one(dev.json, 'aws_cloudwatch_log_subscription_filter');
    expect(filter).toMatchObject({
      name: 'bedrock-gw-dev-metering',
      log_group_name: ref(dev.json, 'aws_cloudwatch_log_group', { name: '/aws/bedrock/bedrock-gw-dev/model-invocations' }, 'name'),
      destination_arn: ref(dev.json, 'aws_lambda_function', { function_name: 'bedrock-gw-dev-metering' }, 'arn'),
      filter_pattern: `{ ($.schemaType = "ModelInvocationLog") && ($.identity.arn = "arn:${partition(dev.json)}:sts::${account(dev.json)}:assumed-role/${ref(dev.json, 'aws_iam_role', { name: 'bedrock-gw-dev-bedrock-invoke' }, 'name')}/*") }`,
    });
    expect(findResource(dev.json, 'aws_lambda_permission', { statement_id: 'AllowInvocationLogSubscription' })).toMatchObject({
      principal: 'logs.amazonaws.com',
      source_arn: `${ref(dev.json, 'aws_cloudwatch_log_group', { name: '/aws/bedrock/bedrock-gw-dev/model-invocations' }, 'arn')}:*`,
      source_account: account(dev.json),
    });
  });

  test('the ledger: on demand, point-in-time recovery, encryption, TTL; one key id item per tenant', () => {
    expect(one(dev.json, 'aws_dynamodb_table')).toMatchObject({
      name: 'bedrock-gw-dev-token-ledger',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'pk',
      range_key: 'sk',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
    const items = Object.values(resourcesOf(dev.json, 'aws_dynamodb_table_item')).map((i) => JSON.parse(i.item as string));
    expect(items).toEqual(
      config.tenants.map((t) => t.id).sort().map((tenant) => ({ pk: { S: `T#${tenant}` }, sk: { S: 'KEY' }, apiKeyId: { S: ref(dev.json, 'aws_api_gateway_api_key', { name: `bedrock-gw-dev-${tenant}` }, 'id') } })),
    );
  });

  test('failed batches go to an encrypted queue after two retries', () => {
    expect(one(dev.json, 'aws_sqs_queue')).toMatchObject({ name: 'bedrock-gw-dev-metering-failures', sqs_managed_sse_enabled: true, message_retention_seconds: 1209600 });
    expect(one(dev.json, 'aws_lambda_function_event_invoke_config')).toMatchObject({
      function_name: ref(dev.json, 'aws_lambda_function', { function_name: 'bedrock-gw-dev-metering' }, 'function_name'),
      maximum_retry_attempts: 2,
      destination_config: { on_failure: { destination: ref(dev.json, 'aws_sqs_queue', { name: 'bedrock-gw-dev-metering-failures' }, 'arn') } },
    });
  });

  test('batch markers outlive the failure queue retention plus the async retry window; claims outlast the metering timeout', () => {
    for (const json of [dev.json, prod.json]) {
      const retention = one(json, 'aws_sqs_queue').message_retention_seconds as number;
      const invoke = one(json, 'aws_lambda_function_event_invoke_config');
      const maxEventAge = invoke.maximum_event_age_in_seconds as number;
      const timeout = findResource(json, 'aws_lambda_function', { function_name: json === dev.json ? 'bedrock-gw-dev-metering' : 'bedrock-gw-prod-metering' }).timeout as number;
      // The synthesized values are the construct's constants, which the ledger's comments name.
      expect([retention, maxEventAge, timeout]).toEqual([METERING_FAILURE_RETENTION_SECONDS, METERING_MAX_EVENT_AGE_SECONDS, METERING_TIMEOUT_SECONDS]);
      // A replay at the very end of the queue's retention, of a batch that waited the whole event
      // age and ran every attempt to its timeout, still finds the markers of its first attempt.
      expect(MARKER_TTL_SECONDS).toBeGreaterThan(retention + maxEventAge + ((invoke.maximum_retry_attempts as number) + 1) * timeout);
      // A claim is taken over only after its holder's invocation cannot be running any more.
      expect(CLAIM_LEASE_SECONDS).toBeGreaterThan(timeout);
    }
  });

  test("metering IAM: this environment's table, queue, topic and budgeted tenants' keys; nothing else", () => {
    const table = ref(prod.json, 'aws_dynamodb_table', { name: 'bedrock-gw-prod-token-ledger' }, 'arn');
    expect(policyNamed(prod.json, 'meter-into-ledger').Statement).toEqual([
      { Sid: 'Ledger', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'], Resource: table },
      { Sid: 'FailedBatches', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ref(prod.json, 'aws_sqs_queue', { name: 'bedrock-gw-prod-metering-failures' }, 'arn') },
      { Sid: 'DisableSpentKeys', Effect: 'Allow', Action: ['apigateway:PATCH'], Resource: ['acme', 'globex', 'hooli', 'initech', 'umbrella'].map((t) => keyArn(prod.json, t)) },
      { Sid: 'Alerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: ref(prod.json, 'aws_sns_topic', { name: 'bedrock-gw-prod-budget-alerts' }, 'arn') },
    ]);
    expect(findResource(prod.json, 'aws_sns_topic', { name: 'bedrock-gw-prod-budget-alerts' }).kms_master_key_id).toBe('alias/aws/sns');
  });

  test('the metering bundle carries this environment settings: prices, budgets, config-disabled tenants', () => {
    const code = dev.stack.tokenBudgets!.metering.bundle.code;
    // esbuild inlines the JSON module as a minified object literal.
    // Embedded as one JSON string for JSON.parse.
    expect(code).toContain('"environment":"dev"');
    expect(code).toContain('"global.anthropic.claude-sonnet-4-5-20250929-v1:0":{"input":3000,"output":15000,"cacheRead":300,"cacheWrite":3750}');
    expect(code).toContain('"initech":{"tier":"silver","enabled":false,');
    expect(code).toContain('"globex":{"tier":"silver","enabled":true,"budget":{"period":"WEEK","costNanoUsd":250000000000,"alertThresholds":[0.5,0.8]}}');
    expect(dev.stack.tokenBudgets!.reset.bundle.code).toContain('"environment":"dev"');
  });
});

describe('enforcement and reset', () => {
  test('API keys ignore enabled in Terraform where budgets are on, so an apply never re-enables a spent tenant', () => {
    for (const key of Object.values(resourcesOf(dev.json, 'aws_api_gateway_api_key'))) expect(key.lifecycle).toEqual({ ignore_changes: ['enabled'] });
    const off: GatewayConfig = { ...config, environments: config.environments.map((e) => (e.name === 'dev' ? { ...e, tokenBudgets: undefined } : e)) };
    const without = synthGateway(off, 'dev');
    for (const key of Object.values(resourcesOf(without.json, 'aws_api_gateway_api_key'))) expect(key.lifecycle).toBeUndefined();
    expect(resourcesOf(without.json, 'aws_dynamodb_table')).toEqual({});
    expect(synthWarnings(without.stack)).toContain(
      'gateway-dev: environment dev: tiers or tenants have token budgets, but the environment sets no tokenBudgets, so they are neither metered nor enforced here',
    );
  });

  test('the reset function runs hourly and may read and re-enable only the keys of config-enabled tenants', () => {
    expect(findResource(dev.json, 'aws_cloudwatch_event_rule', { name: 'bedrock-gw-dev-budget-reset' }).schedule_expression).toBe(RESET_SCHEDULE);
    expect(RESET_SCHEDULE).toBe('cron(0 * * * ? *)');
    expect(findResource(dev.json, 'aws_lambda_permission', { statement_id: 'AllowResetSchedule' })).toMatchObject({
      principal: 'events.amazonaws.com',
      source_arn: ref(dev.json, 'aws_cloudwatch_event_rule', { name: 'bedrock-gw-dev-budget-reset' }, 'arn'),
    });
    expect(policyNamed(dev.json, 'reset-budget-keys').Statement).toEqual([
      { Sid: 'Ledger', Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ref(dev.json, 'aws_dynamodb_table', { name: 'bedrock-gw-dev-token-ledger' }, 'arn') },
      // initech is disabled in config: not even readable.
      { Sid: 'ReEnableKeys', Effect: 'Allow', Action: ['apigateway:GET', 'apigateway:PATCH'], Resource: ['acme', 'globex', 'hooli', 'umbrella'].map((t) => keyArn(dev.json, t)) },
    ]);
  });

  test('the rule pack finds nothing in the budget resources', () => {
    for (const { stack } of [dev, prod]) expect(stack.policy.evaluate().errors).toEqual([]);
  });
});
