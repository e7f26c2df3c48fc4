/**
 * What the forwarder answers itself, in the gateway's error shape: the JSON body
 * `{"message":...,"requestId":...}` and `x-amzn-ErrorType`, as the gateway responses of the
 * direct mode (`stacks/constructs/gateway-responses.ts`), so an SDK client raises the same
 * exception whichever mode serves it.
 */
import { GATEWAY_ERROR_MESSAGES, gatewayErrorBody } from '../shared/gateway-errors';

/** API Gateway's REST v1 Lambda proxy result. */
export interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** Stable reason codes for the forwarder's log line. */
export const RefusalReason = {
  ROUTE_UNKNOWN: 'route-unknown',
  NO_TENANT_CONTEXT: 'no-tenant-context',
  TENANT_UNKNOWN: 'tenant-unknown',
  TENANT_DISABLED: 'tenant-disabled',
  MODEL_SEGMENT_MALFORMED: 'model-segment-malformed',
  MODEL_NOT_ALLOWED: 'model-not-allowed',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported-media-type',
  BODY_INVALID: 'body-invalid',
  UPSTREAM_TIMEOUT: 'upstream-timeout',
  UPSTREAM_FAILED: 'upstream-failed',
} as const;
export type RefusalReasonCode = (typeof RefusalReason)[keyof typeof RefusalReason];

/** A request the forwarder answers without Bedrock's body. */
export class ForwarderError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly reason: RefusalReasonCode,
    message: string,
  ) {
    super(message);
    this.name = 'ForwarderError';
  }
}

export const accessDenied = (reason: RefusalReasonCode) => new ForwarderError(403, 'AccessDeniedException', reason, GATEWAY_ERROR_MESSAGES.accessDenied);
export const notFound = () => new ForwarderError(404, 'ResourceNotFoundException', RefusalReason.ROUTE_UNKNOWN, GATEWAY_ERROR_MESSAGES.notFound);
export const unsupportedMediaType = () => new ForwarderError(415, 'ValidationException', RefusalReason.UNSUPPORTED_MEDIA_TYPE, GATEWAY_ERROR_MESSAGES.unsupportedMediaType);
export const invalidBody = (why: string) => new ForwarderError(400, 'ValidationException', RefusalReason.BODY_INVALID, `Invalid request body: ${why}`);
/** Bedrock did not answer before the function's deadline: what API Gateway answers on an integration timeout. */
export const upstreamTimeout = () => new ForwarderError(504, 'InternalServerException', RefusalReason.UPSTREAM_TIMEOUT, 'Endpoint request timed out');
/** No answer from Bedrock at all (connection refused, reset, credentials): never a 200, never the cause's text. */
export const upstreamFailed = () => new ForwarderError(502, 'InternalServerException', RefusalReason.UPSTREAM_FAILED, 'Bad gateway: the forwarder could not complete the call to Bedrock');

export function errorResult(error: ForwarderError, requestId: string): ProxyResult {
  return {
    statusCode: error.status,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.errorType },
    body: gatewayErrorBody(error.message, requestId),
    isBase64Encoded: false,
  };
}
