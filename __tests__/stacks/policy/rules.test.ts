/**
 * Every rule of the pack, compliant and non-compliant, on fixtures shaped exactly like the
 * provider's schema (snake_case, as synthesized; single blocks as objects, lists as arrays).
 * Each case runs through `evaluatePolicy`, so the rule id and address of the finding are
 * asserted as synth reports them.
 */
import { evaluatePolicy, type SynthesizedStack } from '../../../stacks/policy/evaluate';
import { stackOf, type PolicyRule, type PolicySettings, type ResourceUnderTest } from '../../../stacks/policy/rule';
import { GATEWAY_RULES } from '../../../stacks/policy/rules';
import { apiMethodAuthorized } from '../../../stacks/policy/rules/api-method-authorized';
import { apiRequestValidation } from '../../../stacks/policy/rules/api-request-validation';
import { authorizerCacheTtl } from '../../../stacks/policy/rules/authorizer-cache-ttl';
import { bucketEncrypted } from '../../../stacks/policy/rules/bucket-encrypted';
import { bucketPublicAccessBlocked } from '../../../stacks/policy/rules/bucket-public-access-blocked';
import { bucketTlsOnly } from '../../../stacks/policy/rules/bucket-tls-only';
import { bucketVersioned } from '../../../stacks/policy/rules/bucket-versioned';
import { createBeforeDestroy } from '../../../stacks/policy/rules/create-before-destroy';
import { domainTls } from '../../../stacks/policy/rules/domain-tls';
import { dynamodbEncrypted } from '../../../stacks/policy/rules/dynamodb-encrypted';
import { dynamodbPointInTimeRecovery } from '../../../stacks/policy/rules/dynamodb-point-in-time-recovery';
import { iamBedrockScoped } from '../../../stacks/policy/rules/iam-bedrock-scoped';
import { iamNoAdminManagedPolicies } from '../../../stacks/policy/rules/iam-no-admin-managed-policies';
import { iamNoStarResource } from '../../../stacks/policy/rules/iam-no-star-resource';
import { iamNoWildcardActions } from '../../../stacks/policy/rules/iam-no-wildcard-actions';
import { iamTrustServicePrincipals } from '../../../stacks/policy/rules/iam-trust-service-principals';
import { lambdaLogRetention } from '../../../stacks/policy/rules/lambda-log-retention';
import { lambdaPermissionScoped } from '../../../stacks/policy/rules/lambda-permission-scoped';
import { lambdaRuntimeSupported } from '../../../stacks/policy/rules/lambda-runtime-supported';
import { lambdaTracing } from '../../../stacks/policy/rules/lambda-tracing';
import { logRetention } from '../../../stacks/policy/rules/log-retention';
import { methodSettingsNoDataTrace } from '../../../stacks/policy/rules/method-settings-no-data-trace';
import { snsEncrypted } from '../../../stacks/policy/rules/sns-encrypted';
import { sqsEncrypted } from '../../../stacks/policy/rules/sqs-encrypted';
import { stageAccessLogging } from '../../../stacks/policy/rules/stage-access-logging';
import { stageExecutionLogging } from '../../../stacks/policy/rules/stage-execution-logging';
import { wafAssociated } from '../../../stacks/policy/rules/waf-associated';
import { wafKnownBadInputs } from '../../../stacks/policy/rules/waf-known-bad-inputs';
import { wafLogging } from '../../../stacks/policy/rules/waf-logging';
import { wafLogsRedactAuthorization } from '../../../stacks/policy/rules/waf-logs-redact-authorization';

const res = (type: string, name: string, config: Record<string, unknown>): ResourceUnderTest => ({ type, name, config });
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const rolePolicy = (statement: Record<string, unknown>) => res('aws_iam_role_policy', 'p', { role: 'r', policy: doc(statement) });
const role = (statement: Record<string, unknown>) => res('aws_iam_role', 'r', { assume_role_policy: doc(statement) });

/** One situation: the resource under test (first) and the rest of the stack around it. */
interface Situation {
  readonly resources: readonly ResourceUnderTest[];
  readonly settings?: Partial<PolicySettings>;
}
interface RuleCase {
  readonly id: string;
  readonly rule: PolicyRule;
  readonly compliant: Situation;
  readonly nonCompliant: Situation;
  readonly finding: string;
}

const stage = (config: Record<string, unknown> = {}) => res('aws_api_gateway_stage', 'stage', { rest_api_id: '${aws_api_gateway_rest_api.api.id}', deployment_id: '${aws_api_gateway_deployment.d.id}', stage_name: 'v1', ...config });
const methodSettings = (settings: Record<string, unknown>, stageName = '${aws_api_gateway_stage.stage.stage_name}') =>
  res('aws_api_gateway_method_settings', 'all', { rest_api_id: '${aws_api_gateway_rest_api.api.id}', stage_name: stageName, method_path: '*/*', settings });
const webAcl = (config: Record<string, unknown> = {}) =>
  res('aws_wafv2_web_acl', 'acl', { name: 'gw', scope: 'REGIONAL', default_action: { allow: {} }, visibility_config: { cloudwatch_metrics_enabled: true, metric_name: 'gw', sampled_requests_enabled: true }, ...config });
const knownBadInputsRule = (overrideAction: Record<string, unknown>) => ({
  name: 'known-bad-inputs',
  priority: 10,
  override_action: overrideAction,
  statement: { managed_rule_group_statement: { vendor_name: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
  visibility_config: { cloudwatch_metrics_enabled: true, metric_name: 'kbi', sampled_requests_enabled: true },
});
const bucket = res('aws_s3_bucket', 'state', { bucket: 'tfstate' });
const fn = (config: Record<string, unknown> = {}) =>
  res('aws_lambda_function', 'fn', { function_name: 'authz', role: '${aws_iam_role.r.arn}', runtime: 'nodejs22.x', handler: 'index.handler', ...config });
const logGroup = (name: string, config: Record<string, unknown>) => res('aws_cloudwatch_log_group', name, { name: `/aws/lambda/${name}`, ...config });

const cases: RuleCase[] = [
  {
    id: 'BAG-API1',
    rule: apiMethodAuthorized,
    compliant: { resources: [res('aws_api_gateway_method', 'm', { authorization: 'CUSTOM', api_key_required: true })] },
    nonCompliant: { resources: [res('aws_api_gateway_method', 'm', { authorization: 'NONE', api_key_required: true })] },
    finding: 'authorization is "NONE", not "CUSTOM"',
  },
  {
    id: 'BAG-API1',
    rule: apiMethodAuthorized,
    compliant: { resources: [res('aws_api_gateway_method', 'm', { authorization: 'CUSTOM', api_key_required: true })] },
    nonCompliant: { resources: [res('aws_api_gateway_method', 'm', { authorization: 'CUSTOM' })] },
    finding: 'api_key_required is not true',
  },
  {
    id: 'BAG-API2',
    rule: authorizerCacheTtl,
    compliant: { resources: [res('aws_api_gateway_authorizer', 'a', { authorizer_result_ttl_in_seconds: 3600 })] },
    nonCompliant: { resources: [res('aws_api_gateway_authorizer', 'a', { authorizer_result_ttl_in_seconds: 3601 })] },
    finding: 'authorizer_result_ttl_in_seconds is 3601',
  },
  {
    id: 'BAG-API3',
    rule: apiRequestValidation,
    compliant: {
      resources: [
        res('aws_api_gateway_method', 'm', { request_validator_id: '${aws_api_gateway_request_validator.v.id}' }),
        res('aws_api_gateway_request_validator', 'v', { validate_request_body: true }),
      ],
    },
    nonCompliant: { resources: [res('aws_api_gateway_method', 'm', { authorization: 'CUSTOM' })] },
    finding: 'request_validator_id is not set',
  },
  {
    id: 'BAG-API3',
    rule: apiRequestValidation,
    compliant: { resources: [res('aws_api_gateway_method', 'm', { request_validator_id: 'abc123' })] },
    nonCompliant: {
      resources: [
        res('aws_api_gateway_method', 'm', { request_validator_id: '${aws_api_gateway_request_validator.v.id}' }),
        res('aws_api_gateway_request_validator', 'v', { validate_request_body: false, validate_request_parameters: false }),
      ],
    },
    finding: 'its validator v validates neither the body nor the parameters',
  },
  {
    id: 'BAG-API4',
    rule: stageAccessLogging,
    compliant: { resources: [stage({ access_log_settings: { destination_arn: '${aws_cloudwatch_log_group.access.arn}', format: '{"requestId":"$context.requestId"}' } })] },
    nonCompliant: { resources: [stage()] },
    finding: 'access_log_settings.destination_arn is not set',
  },
  {
    id: 'BAG-API4',
    rule: stageAccessLogging,
    compliant: { resources: [stage({ access_log_settings: [{ destination_arn: 'arn:aws:logs:us-east-1:123456789012:log-group:access', format: '$context.requestId' }] })] },
    nonCompliant: { resources: [stage({ access_log_settings: { destination_arn: '${aws_cloudwatch_log_group.access.arn}' } })] },
    finding: 'access_log_settings.format is not set',
  },
  {
    id: 'BAG-API5',
    rule: stageExecutionLogging,
    compliant: { resources: [stage(), methodSettings({ logging_level: 'ERROR', metrics_enabled: true })] },
    nonCompliant: { resources: [stage(), methodSettings({ logging_level: 'ERROR' }, '${aws_api_gateway_stage.other.stage_name}')] },
    finding: 'no aws_api_gateway_method_settings with method_path "*/*" for this stage',
  },
  {
    id: 'BAG-API5',
    rule: stageExecutionLogging,
    compliant: { resources: [stage(), methodSettings({ logging_level: 'INFO' }, 'v1')] },
    nonCompliant: { resources: [stage(), methodSettings({ logging_level: 'OFF' })] },
    finding: 'logging_level of all is "OFF", not ERROR or INFO',
  },
  {
    id: 'BAG-API6',
    rule: methodSettingsNoDataTrace,
    compliant: { resources: [methodSettings({ logging_level: 'ERROR', data_trace_enabled: false })] },
    nonCompliant: { resources: [methodSettings({ logging_level: 'INFO', data_trace_enabled: true })] },
    finding: 'settings.data_trace_enabled is true',
  },
  {
    id: 'BAG-CBD1',
    rule: createBeforeDestroy,
    compliant: { resources: [res('aws_api_gateway_deployment', 'd', { rest_api_id: 'x', lifecycle: { create_before_destroy: true } })] },
    nonCompliant: { resources: [res('aws_api_gateway_deployment', 'd', { rest_api_id: 'x' })] },
    finding: 'lifecycle.create_before_destroy is not true',
  },
  {
    id: 'BAG-CBD1',
    rule: createBeforeDestroy,
    compliant: { resources: [res('aws_acm_certificate', 'c', { domain_name: 'api.example.com', validation_method: 'DNS', lifecycle: { create_before_destroy: true } })] },
    nonCompliant: { resources: [res('aws_acm_certificate', 'c', { domain_name: 'api.example.com', validation_method: 'DNS', lifecycle: { create_before_destroy: false } })] },
    finding: 'lifecycle.create_before_destroy is not true',
  },
  {
    id: 'BAG-EDGE1',
    rule: domainTls,
    compliant: { resources: [res('aws_api_gateway_domain_name', 'd', { domain_name: 'api.example.com', regional_certificate_arn: '${aws_acm_certificate.c.arn}', security_policy: 'TLS_1_2' })] },
    nonCompliant: { resources: [res('aws_api_gateway_domain_name', 'd', { domain_name: 'api.example.com', security_policy: 'TLS_1_0' })] },
    finding: 'security_policy is "TLS_1_0", not "TLS_1_2"',
  },
  {
    id: 'BAG-EDGE1',
    rule: domainTls,
    compliant: { resources: [res('aws_api_gateway_domain_name', 'd', { domain_name: 'api.example.com', security_policy: 'SecurityPolicy_TLS13_1_2_2021_06' })] },
    nonCompliant: { resources: [res('aws_api_gateway_domain_name', 'd', { domain_name: 'api.example.com' })] },
    finding: 'security_policy is null, not "TLS_1_2"',
  },
  {
    id: 'BAG-WAF1',
    rule: wafAssociated,
    compliant: { resources: [stage(), webAcl(), res('aws_wafv2_web_acl_association', 'a', { resource_arn: '${aws_api_gateway_stage.stage.arn}', web_acl_arn: '${aws_wafv2_web_acl.acl.arn}' })] },
    nonCompliant: { resources: [stage(), webAcl()] },
    finding: 'no aws_wafv2_web_acl_association has this stage as resource_arn',
  },
  {
    id: 'BAG-WAF1',
    rule: wafAssociated,
    compliant: { resources: [stage(), res('aws_wafv2_web_acl_association', 'a', { resource_arn: '${aws_api_gateway_stage.stage.arn}', web_acl_arn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1' })], settings: { requireWaf: true } },
    nonCompliant: { resources: [stage()], settings: { requireWaf: true } },
    finding: 'no aws_wafv2_web_acl_association has this stage as resource_arn',
  },
  {
    id: 'BAG-WAF2',
    rule: wafLogging,
    compliant: { resources: [webAcl(), res('aws_wafv2_web_acl_logging_configuration', 'l', { resource_arn: '${aws_wafv2_web_acl.acl.arn}', log_destination_configs: ['${aws_cloudwatch_log_group.waf.arn}'] })] },
    nonCompliant: { resources: [webAcl(), res('aws_wafv2_web_acl_logging_configuration', 'l', { resource_arn: '${aws_wafv2_web_acl.other.arn}', log_destination_configs: ['x'] })] },
    finding: 'no aws_wafv2_web_acl_logging_configuration has this web ACL as resource_arn',
  },
  {
    id: 'BAG-WAF3',
    rule: wafKnownBadInputs,
    compliant: { resources: [webAcl({ rule: [knownBadInputsRule({ none: {} })] })] },
    nonCompliant: { resources: [webAcl({ rule: [knownBadInputsRule({ count: {} })] })] },
    finding: 'AWSManagedRulesKnownBadInputsRuleSet only counts (override_action count)',
  },
  {
    id: 'BAG-WAF4',
    rule: wafLogsRedactAuthorization,
    compliant: { resources: [res('aws_wafv2_web_acl_logging_configuration', 'l', { resource_arn: 'x', redacted_fields: [{ single_header: { name: 'Authorization' } }] })] },
    nonCompliant: { resources: [res('aws_wafv2_web_acl_logging_configuration', 'l', { resource_arn: 'x', redacted_fields: [{ single_header: { name: 'user-agent' } }] })] },
    finding: 'redacted_fields does not name the authorization header',
  },
  {
    id: 'BAG-WAF3',
    rule: wafKnownBadInputs,
    compliant: {
      resources: [
        webAcl({
          rule_json: JSON.stringify([
            { Name: 'kbi', Priority: 1, OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } }, VisibilityConfig: {} },
          ]),
        }),
      ],
    },
    nonCompliant: { resources: [webAcl({ rule: [{ name: 'rate', priority: 1, action: { block: {} }, statement: { rate_based_statement: { limit: 1000, aggregate_key_type: 'IP' } } }] })] },
    finding: 'no rule uses the managed group AWSManagedRulesKnownBadInputsRuleSet',
  },
  {
    id: 'BAG-FN1',
    rule: lambdaRuntimeSupported,
    compliant: { resources: [fn({ runtime: 'nodejs22.x' })] },
    nonCompliant: { resources: [fn({ runtime: 'nodejs20.x' })] },
    finding:
      'runtime "nodejs20.x" is deprecated or unknown; supported: nodejs22.x, nodejs24.x, python3.11, python3.12, python3.13, python3.14, java17, java21, java25, dotnet8, dotnet10, ruby3.3, ruby3.4, provided.al2023',
  },
  {
    id: 'BAG-FN2',
    rule: lambdaTracing,
    compliant: { resources: [fn({ tracing_config: { mode: 'Active' } })] },
    nonCompliant: { resources: [fn({ tracing_config: { mode: 'PassThrough' } })] },
    finding: 'tracing_config.mode is not "Active"',
  },
  {
    id: 'BAG-FN3',
    rule: lambdaLogRetention,
    compliant: { resources: [fn({ logging_config: { log_format: 'Text', log_group: '${aws_cloudwatch_log_group.authz.name}' } }), logGroup('authz', { retention_in_days: 30 })] },
    nonCompliant: { resources: [fn(), logGroup('other', { retention_in_days: 30 })] },
    finding: 'its log group "/aws/lambda/authz" is not a log group of this stack',
  },
  {
    id: 'BAG-FN3',
    rule: lambdaLogRetention,
    compliant: { resources: [fn(), logGroup('authz', { retention_in_days: 1 })] },
    nonCompliant: { resources: [fn(), logGroup('authz', {})] },
    finding: 'its log group authz has no retention_in_days',
  },
  {
    id: 'BAG-FN4',
    rule: lambdaPermissionScoped,
    compliant: {
      resources: [
        res('aws_lambda_permission', 'p', {
          action: 'lambda:InvokeFunction',
          function_name: 'authz',
          principal: 'apigateway.amazonaws.com',
          source_arn: '${aws_api_gateway_rest_api.api.execution_arn}/authorizers/${aws_api_gateway_authorizer.a.id}',
        }),
      ],
    },
    nonCompliant: { resources: [res('aws_lambda_permission', 'p', { action: 'lambda:InvokeFunction', function_name: 'authz', principal: 'apigateway.amazonaws.com' })] },
    finding: 'principal apigateway.amazonaws.com is an AWS service but source_arn is not set',
  },
  {
    id: 'BAG-FN4',
    rule: lambdaPermissionScoped,
    compliant: { resources: [res('aws_lambda_permission', 'p', { action: 'lambda:InvokeFunction', function_name: 'authz', principal: '123456789012' })] },
    nonCompliant: { resources: [res('aws_lambda_permission', 'p', { action: 'lambda:InvokeFunction', function_name: 'authz', principal: '*' })] },
    finding: 'principal is "*", not one named principal',
  },
  {
    id: 'BAG-IAM1',
    rule: iamNoWildcardActions,
    compliant: { resources: [rolePolicy({ Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: ['arn:aws:bedrock:us-east-1::foundation-model/m'] })] },
    nonCompliant: { resources: [rolePolicy({ Effect: 'Allow', Action: ['bedrock:Invoke*'], Resource: ['arn:aws:bedrock:us-east-1::foundation-model/m'] })] },
    finding: 'policy: wildcard action "bedrock:Invoke*"',
  },
  {
    id: 'BAG-IAM1',
    rule: iamNoWildcardActions,
    compliant: { resources: [role({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })] },
    nonCompliant: { resources: [role({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:*' })] },
    finding: 'assume_role_policy: wildcard action "sts:*"',
  },
  {
    id: 'BAG-IAM1',
    rule: iamNoWildcardActions,
    compliant: { resources: [rolePolicy({ Effect: 'Deny', Action: 's3:*', Resource: 'arn:x' })] },
    nonCompliant: { resources: [rolePolicy({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:x' })] },
    finding: 'policy: NotAction grants everything else',
  },
  {
    id: 'BAG-IAM1',
    rule: iamNoWildcardActions,
    compliant: { resources: [rolePolicy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:x' })] },
    nonCompliant: { resources: [res('aws_iam_role_policy', 'p', { role: 'r', policy: '${data.aws_iam_policy_document.d.json}' })] },
    finding: 'policy: not a literal JSON policy (${data.aws_iam_policy_document.d.json}), so its actions cannot be checked',
  },
  {
    id: 'BAG-IAM2',
    rule: iamNoStarResource,
    compliant: { resources: [rolePolicy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:x' })] },
    nonCompliant: { resources: [rolePolicy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' })] },
    finding: 'policy: Resource "*"',
  },
  {
    // X-Ray's write actions have no resource type: "*" is the only form IAM accepts, and only for them.
    id: 'BAG-IAM2',
    rule: iamNoStarResource,
    compliant: { resources: [rolePolicy({ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' })] },
    nonCompliant: { resources: [rolePolicy({ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'logs:PutLogEvents'], Resource: '*' })] },
    finding: 'policy: Resource "*"',
  },
  {
    id: 'BAG-IAM3',
    rule: iamBedrockScoped,
    compliant: {
      resources: [
        rolePolicy({
          Effect: 'Allow',
          Action: ['bedrock:InvokeModel'],
          Resource: ['arn:${data.aws_partition.p.partition}:bedrock:us-east-1:${data.aws_caller_identity.c.account_id}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0'],
        }),
      ],
    },
    nonCompliant: { resources: [rolePolicy({ Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: ['arn:aws:bedrock:*::foundation-model/*'] })] },
    finding: 'policy: Bedrock actions on "arn:aws:bedrock:*::foundation-model/*"',
  },
  {
    id: 'BAG-IAM4',
    rule: iamTrustServicePrincipals,
    compliant: { resources: [role({ Effect: 'Allow', Principal: { Service: ['apigateway.amazonaws.com'] }, Action: 'sts:AssumeRole' })] },
    nonCompliant: { resources: [role({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' })] },
    finding: 'assume_role_policy: trusts AWS principals, not only services',
  },
  {
    id: 'BAG-IAM4',
    rule: iamTrustServicePrincipals,
    compliant: { resources: [role({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })] },
    nonCompliant: { resources: [role({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })] },
    finding: 'assume_role_policy: Principal "*"',
  },
  {
    id: 'BAG-IAM5',
    rule: iamNoAdminManagedPolicies,
    compliant: { resources: [res('aws_iam_role_policy_attachment', 'a', { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' })] },
    nonCompliant: { resources: [res('aws_iam_role_policy_attachment', 'a', { role: 'r', policy_arn: 'arn:${data.aws_partition.p.partition}:iam::aws:policy/AdministratorAccess' })] },
    finding: 'policy_arn attaches arn:${data.aws_partition.p.partition}:iam::aws:policy/AdministratorAccess',
  },
  {
    id: 'BAG-IAM5',
    rule: iamNoAdminManagedPolicies,
    compliant: { resources: [res('aws_iam_role_policy_attachments_exclusive', 'a', { role_name: 'r', policy_arns: ['arn:aws:iam::123456789012:policy/gateway'] })] },
    nonCompliant: { resources: [res('aws_iam_role', 'r', { assume_role_policy: '{}', managed_policy_arns: ['arn:aws:iam::aws:policy/AmazonBedrockFullAccess'] })] },
    finding: 'managed_policy_arns attaches arn:aws:iam::aws:policy/AmazonBedrockFullAccess',
  },
  {
    id: 'BAG-BKT1',
    rule: bucketVersioned,
    compliant: { resources: [bucket, res('aws_s3_bucket_versioning', 'v', { bucket: '${aws_s3_bucket.state.id}', versioning_configuration: { status: 'Enabled' } })] },
    nonCompliant: { resources: [bucket, res('aws_s3_bucket_versioning', 'v', { bucket: 'tfstate', versioning_configuration: { status: 'Suspended' } })] },
    finding: 'versioning_configuration.status is not "Enabled"',
  },
  {
    id: 'BAG-BKT1',
    rule: bucketVersioned,
    compliant: { resources: [res('aws_s3_bucket', 'state', { bucket: 'tfstate', versioning: { enabled: true } })] },
    nonCompliant: { resources: [bucket] },
    finding: 'no aws_s3_bucket_versioning for this bucket',
  },
  {
    id: 'BAG-BKT2',
    rule: bucketEncrypted,
    compliant: {
      resources: [bucket, res('aws_s3_bucket_server_side_encryption_configuration', 'e', { bucket: '${aws_s3_bucket.state.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: 'alias/tf' } }] })],
    },
    nonCompliant: { resources: [bucket, res('aws_s3_bucket_server_side_encryption_configuration', 'e', { bucket: '${aws_s3_bucket.other.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] })] },
    finding: 'no aws_s3_bucket_server_side_encryption_configuration with an sse_algorithm for this bucket',
  },
  {
    id: 'BAG-BKT3',
    rule: bucketPublicAccessBlocked,
    compliant: {
      resources: [bucket, res('aws_s3_bucket_public_access_block', 'b', { bucket: '${aws_s3_bucket.state.id}', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true })],
    },
    nonCompliant: {
      resources: [bucket, res('aws_s3_bucket_public_access_block', 'b', { bucket: '${aws_s3_bucket.state.id}', block_public_acls: true, block_public_policy: false, ignore_public_acls: true })],
    },
    finding: 'block_public_policy, restrict_public_buckets are not true',
  },
  {
    id: 'BAG-BKT4',
    rule: bucketTlsOnly,
    compliant: {
      resources: [
        bucket,
        res('aws_s3_bucket_policy', 'p', {
          bucket: '${aws_s3_bucket.state.id}',
          policy: doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['${aws_s3_bucket.state.arn}', '${aws_s3_bucket.state.arn}/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        }),
      ],
    },
    nonCompliant: {
      resources: [
        bucket,
        res('aws_s3_bucket_policy', 'p', { bucket: '${aws_s3_bucket.state.id}', policy: doc({ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: '${aws_s3_bucket.state.arn}' }) }),
      ],
    },
    finding: 'no bucket policy denies requests where aws:SecureTransport is "false"',
  },
  {
    id: 'BAG-LOG1',
    rule: logRetention,
    compliant: { resources: [res('aws_cloudwatch_log_group', 'g', { name: 'g', retention_in_days: 30 })] },
    nonCompliant: { resources: [res('aws_cloudwatch_log_group', 'g', { name: 'g' })] },
    finding: 'retention_in_days is not set',
  },
  {
    id: 'BAG-LOG1',
    rule: logRetention,
    compliant: { resources: [res('aws_cloudwatch_log_group', 'g', { name: 'g', retention_in_days: 365 })], settings: { minimumLogRetentionDays: 365 } },
    nonCompliant: { resources: [res('aws_cloudwatch_log_group', 'g', { name: 'g', retention_in_days: 90 })], settings: { minimumLogRetentionDays: 365 } },
    finding: 'retention_in_days is 90, below the minimum of 365',
  },
  {
    id: 'BAG-DDB1',
    rule: dynamodbEncrypted,
    compliant: { resources: [res('aws_dynamodb_table', 't', { name: 'ledger', hash_key: 'pk', server_side_encryption: { enabled: true, kms_key_arn: '${aws_kms_key.k.arn}' } })] },
    nonCompliant: { resources: [res('aws_dynamodb_table', 't', { name: 'ledger', hash_key: 'pk' })] },
    finding: 'server_side_encryption.enabled is not true',
  },
  {
    id: 'BAG-DDB2',
    rule: dynamodbPointInTimeRecovery,
    compliant: { resources: [res('aws_dynamodb_table', 't', { name: 'ledger', hash_key: 'pk', point_in_time_recovery: { enabled: true } })] },
    nonCompliant: { resources: [res('aws_dynamodb_table', 't', { name: 'ledger', hash_key: 'pk', point_in_time_recovery: { enabled: false } })] },
    finding: 'point_in_time_recovery.enabled is not true',
  },
  {
    id: 'BAG-SNS1',
    rule: snsEncrypted,
    compliant: { resources: [res('aws_sns_topic', 't', { name: 'alerts', kms_master_key_id: 'alias/aws/sns' })] },
    nonCompliant: { resources: [res('aws_sns_topic', 't', { name: 'alerts' })] },
    finding: 'kms_master_key_id is not set',
  },
  {
    id: 'BAG-SQS1',
    rule: sqsEncrypted,
    compliant: { resources: [res('aws_sqs_queue', 'q', { name: 'metering', sqs_managed_sse_enabled: true })] },
    nonCompliant: { resources: [res('aws_sqs_queue', 'q', { name: 'metering', sqs_managed_sse_enabled: false })] },
    finding: 'neither sqs_managed_sse_enabled nor kms_master_key_id is set',
  },
];

/** The Terraform JSON of a situation, as synth would hand it to the rules. */
function synthesized(resources: readonly ResourceUnderTest[]): SynthesizedStack {
  const json: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const r of resources) json[r.type] = { ...(json[r.type] ?? {}), [r.name]: r.config };
  return { resource: json };
}

describe.each(cases.map((c) => [c.id, c.finding, c] as const))('%s', (_id, _finding, c) => {
  test(`compliant, and non-compliant with "${c.finding}"`, () => {
    const [good, ...goodOthers] = c.compliant.resources;
    const [bad, ...badOthers] = c.nonCompliant.resources;
    expect(c.rule.id).toBe(c.id);
    expect(c.rule.evaluate(good, stackOf([good, ...goodOthers], c.compliant.settings))).toEqual({ status: 'compliant' });
    expect(c.rule.evaluate(bad, stackOf([bad, ...badOthers], c.nonCompliant.settings))).toEqual({ status: 'non-compliant', finding: c.finding });

    // Through the pack: the finding carries the rule id and the resource's Terraform address.
    const outcome = evaluatePolicy(synthesized(c.nonCompliant.resources), { rules: [c.rule], settings: c.nonCompliant.settings });
    const reported = c.rule.severity === 'error' ? outcome.errors : outcome.warnings;
    expect(reported.map((f) => [f.rule.id, f.address, f.finding])).toEqual([[c.id, `${bad.type}.${bad.name}`, c.finding]]);
    expect(evaluatePolicy(synthesized(c.compliant.resources), { rules: [c.rule], settings: c.compliant.settings })).toMatchObject({ errors: [], warnings: [] });
  });
});

test('every rule is covered both ways, and is not applicable to an unrelated resource', () => {
  expect(new Set(cases.map((c) => c.id))).toEqual(new Set(GATEWAY_RULES.map((r) => r.id)));
  const unrelated = res('aws_api_gateway_usage_plan', 'u', { name: 'tier-gold' });
  for (const rule of GATEWAY_RULES) expect([rule.id, rule.evaluate(unrelated, stackOf([unrelated])).status]).toEqual([rule.id, 'not-applicable']);
});

test('the pack has at least 20 rules, each with a unique id, an info line, an explanation and a severity', () => {
  expect(GATEWAY_RULES.length).toBeGreaterThanOrEqual(20);
  expect(new Set(GATEWAY_RULES.map((r) => r.id)).size).toBe(GATEWAY_RULES.length);
  for (const rule of GATEWAY_RULES) {
    expect(rule.id).toMatch(/^BAG-[A-Z]+[0-9]+$/);
    expect(rule.info.length).toBeGreaterThan(10);
    expect(rule.explanation.length).toBeGreaterThan(20);
    expect(['error', 'warning']).toContain(rule.severity);
    for (const source of rule.sources) expect(source).toMatch(/^(AwsSolutions-[A-Z]+[0-9]+|CKV2?_AWS_[0-9]+)$/);
  }
});

test('warnings are exactly the hardening rules; everything else fails synth', () => {
  expect(GATEWAY_RULES.filter((r) => r.severity === 'warning').map((r) => r.id)).toEqual(['BAG-WAF3', 'BAG-FN2', 'BAG-DDB2']);
});
