import { Aspects, Testing, TerraformStack } from 'cdktf';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GATEWAY_RULES, GatewayPolicyAspect } from '../../stacks/policy/pack';
import type { PolicyRule, ResourceUnderTest } from '../../stacks/policy/rule';
import { apiMethodAuthorized } from '../../stacks/policy/rules/api-method-authorized';
import { authorizerCacheTtl } from '../../stacks/policy/rules/authorizer-cache-ttl';
import { iamNoStarResource } from '../../stacks/policy/rules/iam-no-star-resource';
import { iamNoWildcardActions } from '../../stacks/policy/rules/iam-no-wildcard-actions';
import { logRetention } from '../../stacks/policy/rules/log-retention';
import { wafLogsRedactAuthorization } from '../../stacks/policy/rules/waf-logs-redact-authorization';
import { GatewayStack } from '../../stacks/gateway-stack';
import { exampleConfig } from '../helpers/config';

const policy = (statement: Record<string, unknown>): ResourceUnderTest => ({
  type: 'aws_iam_role_policy',
  config: { policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) },
});
const trust = (statement: Record<string, unknown>): ResourceUnderTest => ({
  type: 'aws_iam_role',
  config: { assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) },
});
const other: ResourceUnderTest = { type: 'aws_s3_bucket', config: { bucket: 'b' } };

const cases: Array<[PolicyRule, ResourceUnderTest, ResourceUnderTest, string]> = [
  [
    iamNoWildcardActions,
    policy({ Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: ['arn:aws:bedrock:us-east-1::foundation-model/m'] }),
    policy({ Effect: 'Allow', Action: ['bedrock:Invoke*'], Resource: ['arn:aws:bedrock:us-east-1::foundation-model/m'] }),
    'policy: wildcard action "bedrock:Invoke*"',
  ],
  [iamNoWildcardActions, trust({ Effect: 'Allow', Action: 'sts:AssumeRole' }), trust({ Effect: 'Allow', Action: 'sts:*' }), 'assume_role_policy: wildcard action "sts:*"'],
  [iamNoWildcardActions, policy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:x' }), policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:x' }), 'policy: NotAction grants everything else'],
  [iamNoStarResource, policy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:x' }), policy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }), 'policy: Resource "*"'],
  // X-Ray's write actions have no resource type: "*" is the only form IAM accepts, and only for them.
  [
    iamNoStarResource,
    policy({ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }),
    policy({ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'logs:PutLogEvents'], Resource: '*' }),
    'policy: Resource "*"',
  ],
  [
    apiMethodAuthorized,
    { type: 'aws_api_gateway_method', config: { authorization: 'CUSTOM', api_key_required: true } },
    { type: 'aws_api_gateway_method', config: { authorization: 'NONE', api_key_required: true } },
    'authorization is "NONE", not "CUSTOM"',
  ],
  [
    apiMethodAuthorized,
    { type: 'aws_api_gateway_method', config: { authorization: 'CUSTOM', api_key_required: true } },
    { type: 'aws_api_gateway_method', config: { authorization: 'CUSTOM' } },
    'api_key_required is not true',
  ],
  [
    authorizerCacheTtl,
    { type: 'aws_api_gateway_authorizer', config: { authorizer_result_ttl_in_seconds: 3600 } },
    { type: 'aws_api_gateway_authorizer', config: { authorizer_result_ttl_in_seconds: 3601 } },
    'authorizer_result_ttl_in_seconds is 3601',
  ],
  [logRetention, { type: 'aws_cloudwatch_log_group', config: { retention_in_days: 30 } }, { type: 'aws_cloudwatch_log_group', config: {} }, 'retention_in_days is not set'],
  [
    wafLogsRedactAuthorization,
    { type: 'aws_wafv2_web_acl_logging_configuration', config: { redacted_fields: [{ single_header: { name: 'Authorization' } }] } },
    { type: 'aws_wafv2_web_acl_logging_configuration', config: { redacted_fields: [{ single_header: { name: 'user-agent' } }] } },
    'redacted_fields does not name the authorization header',
  ],
];

describe.each(cases)('%s', (rule, good, bad, finding) => {
  test(`${rule.id}: compliant, non-compliant with "${finding}", not applicable elsewhere`, () => {
    expect(rule.evaluate(good)).toEqual({ status: 'compliant' });
    expect(rule.evaluate(bad)).toEqual({ status: 'non-compliant', finding });
    expect(rule.evaluate(other)).toEqual({ status: 'not-applicable' });
  });
});

test('every rule has a unique id, an info line and an explanation', () => {
  expect(new Set(GATEWAY_RULES.map((r) => r.id)).size).toBe(GATEWAY_RULES.length);
  for (const rule of GATEWAY_RULES) {
    expect(rule.info.length).toBeGreaterThan(10);
    expect(rule.explanation.length).toBeGreaterThan(20);
  }
});

test('the aspect turns a finding into a synth error naming the rule and the fix', () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'bad');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new ApiGatewayMethod(stack, 'open', { restApiId: 'a', resourceId: 'r', httpMethod: 'POST', authorization: 'NONE' });
  new IamRolePolicy(stack, 'broad', { role: 'r', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) });
  Aspects.of(stack).add(new GatewayPolicyAspect());
  expect(() => Testing.synth(stack, true)).toThrow(
    /\[BAG-API1\] Every API method runs the JWT authorizer and requires the tenant API key\. authorization is "NONE", not "CUSTOM"\./,
  );
  expect(() => Testing.synth(stack, true)).toThrow(/\[BAG-IAM1\] .*policy: wildcard action "\*"/);
  expect(() => Testing.synth(stack, true)).toThrow(/\[BAG-IAM2\] .*policy: Resource "\*"/);
});

test('every example environment synthesizes with validations on and no findings', () => {
  const config = exampleConfig();
  for (const environment of config.environments) {
    const app = Testing.app();
    const stack = new GatewayStack(app, `gateway-${environment.name}`, { config, environment });
    expect(() => Testing.synth(stack, true)).not.toThrow();
  }
});
