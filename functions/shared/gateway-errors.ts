/**
 * The gateway's error vocabulary, shared by the stack (gateway responses, integration responses)
 * and the Lambda forwarder, so both integration modes answer the same statuses, the same
 * `x-amzn-ErrorType` and the same JSON body shape. Imported by Lambda bundles: no dependencies.
 */

/** Statuses Bedrock documents for Converse and InvokeModel; each reaches the client unchanged. */
export const BEDROCK_ERROR_STATUSES = ['400', '403', '404', '408', '424', '429', '500', '503'] as const;
/** Any other non-2xx status from Bedrock becomes a 502, never a 200. */
export const UNEXPECTED_UPSTREAM_STATUS = '502';

/** The body of every error the gateway itself answers: `{"message":...,"requestId":...}`. */
export function gatewayErrorBody(message: string, requestId: string): string {
  return JSON.stringify({ message, requestId });
}

/** Messages of the errors both modes answer themselves (the gateway responses use the same text). */
export const GATEWAY_ERROR_MESSAGES = {
  accessDenied: 'Access denied: this caller may not invoke this model through the gateway',
  unsupportedMediaType: 'Unsupported media type: send Content-Type application/json',
  notFound: 'Not found: the gateway serves POST /model/{modelId}/converse and POST /model/{modelId}/invoke only',
} as const;
