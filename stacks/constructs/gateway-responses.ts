/**
 * Gateway responses: the errors API Gateway itself answers (bad token, denied, throttled, quota,
 * invalid body, ...) as Bedrock-shaped JSON with `x-amzn-ErrorType`, so an AWS SDK
 * `BedrockRuntimeClient` pointed at the gateway raises the matching modelled exception
 * (`ThrottlingException` on a 429 so its retry strategy backs off, `AccessDeniedException` on
 * 401/403, `ValidationException` on a 400, `ServiceQuotaExceededException` on a spent quota).
 *
 * Gateway response templates are not VTL: API Gateway substitutes `$context` variables only
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.gatewayResponse.html),
 * and header values are static strings or request parameters. API Gateway adds `x-amzn-RequestId`
 * itself; the body repeats the request id so it survives copy and paste.
 */
import { Construct } from 'constructs';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { GATEWAY_ERROR_MESSAGES } from '../../functions/shared/gateway-errors';

/** Use API Gateway's own error message. */
export const API_GATEWAY_MESSAGE = '$context.error.messageString';

export interface GatewayErrorResponse {
  /** API Gateway response type. */
  readonly type: string;
  /** Status override; absent keeps the status API Gateway chose (DEFAULT_4XX, DEFAULT_5XX). */
  readonly status?: string;
  /** The bedrock-runtime error code: the SDK picks the exception class from `x-amzn-ErrorType`. */
  readonly errorType: string;
  /**
   * The `message` field: static text and `$context` variables, or `API_GATEWAY_MESSAGE` for API
   * Gateway's own message (`$context.error.messageString`, which API Gateway quotes and escapes).
   */
  readonly message: string;
}

/**
 * INVALID_API_KEY cannot happen to a tenant the config disables (the authorizer denies it first,
 * 403): it only happens when a tenant's key is disabled at run time, which is how token budgets
 * stop a tenant. So it answers 429 ServiceQuotaExceededException, not API Gateway's default 403.
 * Its text is static (gateway responses substitute `$context` variables only, so the reset time of
 * the tenant's own period cannot be in it): it states when periods reset, and `npm run usage` gives
 * each tenant's exact reset time (docs/token-budgets.md).
 */
export const GATEWAY_ERROR_RESPONSES: readonly GatewayErrorResponse[] = [
  { type: 'UNAUTHORIZED', status: '401', errorType: 'AccessDeniedException', message: 'Unauthorized: send a valid, unexpired Bearer token in the Authorization header' },
  { type: 'ACCESS_DENIED', status: '403', errorType: 'AccessDeniedException', message: GATEWAY_ERROR_MESSAGES.accessDenied },
  { type: 'MISSING_AUTHENTICATION_TOKEN', status: '404', errorType: 'ResourceNotFoundException', message: GATEWAY_ERROR_MESSAGES.notFound },
  { type: 'THROTTLED', status: '429', errorType: 'ThrottlingException', message: "Too many requests: the tenant's rate limit was exceeded; retry with backoff" },
  { type: 'QUOTA_EXCEEDED', status: '429', errorType: 'ServiceQuotaExceededException', message: "Quota exceeded: the tenant's request quota for this period is spent" },
  { type: 'INVALID_API_KEY', status: '429', errorType: 'ServiceQuotaExceededException', message: "Token budget spent: the tenant's token budget for this period is spent (or its API key is disabled); requests resume when the period resets (UTC: days at 00:00, weeks on Monday, months on the 1st)" },
  { type: 'BAD_REQUEST_BODY', status: '400', errorType: 'ValidationException', message: 'Invalid request body: $context.error.validationErrorString' },
  { type: 'UNSUPPORTED_MEDIA_TYPE', status: '415', errorType: 'ValidationException', message: GATEWAY_ERROR_MESSAGES.unsupportedMediaType },
  { type: 'DEFAULT_4XX', errorType: 'ValidationException', message: API_GATEWAY_MESSAGE },
  { type: 'DEFAULT_5XX', errorType: 'InternalServerException', message: API_GATEWAY_MESSAGE },
];

/** The JSON body template of a gateway response. */
export function gatewayResponseTemplate(response: GatewayErrorResponse): string {
  const message = response.message === API_GATEWAY_MESSAGE ? '$context.error.messageString' : `"${response.message.replace(/"/g, '\\"')}"`;
  return `{"message":${message},"requestId":"$context.requestId"}`;
}

export interface GatewayResponsesProps {
  readonly restApiId: string;
}

export class GatewayResponses extends Construct {
  /** Every resource whose change must trigger a redeployment (gateway responses apply on deployment). */
  readonly deploymentDependencies: Construct[] = [];

  constructor(scope: Construct, id: string, props: GatewayResponsesProps) {
    super(scope, id);
    for (const response of GATEWAY_ERROR_RESPONSES) {
      this.deploymentDependencies.push(
        new ApiGatewayGatewayResponse(this, response.type.toLowerCase().replace(/_/g, '-'), {
          restApiId: props.restApiId,
          responseType: response.type,
          ...(response.status ? { statusCode: response.status } : {}),
          responseParameters: { 'gatewayresponse.header.x-amzn-ErrorType': `'${response.errorType}'` },
          responseTemplates: { 'application/json': gatewayResponseTemplate(response) },
        }),
      );
    }
  }
}
