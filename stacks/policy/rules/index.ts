/**
 * The gateway's rule pack, in the order reports list it. Pure (no cdktf), so config
 * validation can check suppression rule ids against it.
 */
import type { PolicyRule } from '../rule';
import { apiMethodAuthorized } from './api-method-authorized';
import { apiRequestValidation } from './api-request-validation';
import { authorizerCacheTtl } from './authorizer-cache-ttl';
import { bucketEncrypted } from './bucket-encrypted';
import { bucketPublicAccessBlocked } from './bucket-public-access-blocked';
import { bucketTlsOnly } from './bucket-tls-only';
import { bucketVersioned } from './bucket-versioned';
import { createBeforeDestroy } from './create-before-destroy';
import { domainTls } from './domain-tls';
import { dynamodbEncrypted } from './dynamodb-encrypted';
import { dynamodbPointInTimeRecovery } from './dynamodb-point-in-time-recovery';
import { iamBedrockScoped } from './iam-bedrock-scoped';
import { iamNoAdminManagedPolicies } from './iam-no-admin-managed-policies';
import { iamNoStarResource } from './iam-no-star-resource';
import { iamNoWildcardActions } from './iam-no-wildcard-actions';
import { iamTrustServicePrincipals } from './iam-trust-service-principals';
import { lambdaLogRetention } from './lambda-log-retention';
import { lambdaPermissionScoped } from './lambda-permission-scoped';
import { lambdaRuntimeSupported } from './lambda-runtime-supported';
import { lambdaTracing } from './lambda-tracing';
import { logRetention } from './log-retention';
import { methodSettingsNoDataTrace } from './method-settings-no-data-trace';
import { snsEncrypted } from './sns-encrypted';
import { sqsEncrypted } from './sqs-encrypted';
import { stageAccessLogging } from './stage-access-logging';
import { stageExecutionLogging } from './stage-execution-logging';
import { wafAssociated } from './waf-associated';
import { wafKnownBadInputs } from './waf-known-bad-inputs';
import { wafLogging } from './waf-logging';
import { wafLogsRedactAuthorization } from './waf-logs-redact-authorization';

export const GATEWAY_RULES: readonly PolicyRule[] = [
  apiMethodAuthorized,
  authorizerCacheTtl,
  apiRequestValidation,
  stageAccessLogging,
  stageExecutionLogging,
  methodSettingsNoDataTrace,
  createBeforeDestroy,
  domainTls,
  wafAssociated,
  wafLogging,
  wafKnownBadInputs,
  wafLogsRedactAuthorization,
  lambdaRuntimeSupported,
  lambdaTracing,
  lambdaLogRetention,
  lambdaPermissionScoped,
  iamNoWildcardActions,
  iamNoStarResource,
  iamBedrockScoped,
  iamTrustServicePrincipals,
  iamNoAdminManagedPolicies,
  bucketVersioned,
  bucketEncrypted,
  bucketPublicAccessBlocked,
  bucketTlsOnly,
  logRetention,
  dynamodbEncrypted,
  dynamodbPointInTimeRecovery,
  snsEncrypted,
  sqsEncrypted,
];

export const GATEWAY_RULE_IDS: readonly string[] = GATEWAY_RULES.map((r) => r.id);
