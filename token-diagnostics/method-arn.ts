/**
 * The method ARN API Gateway hands a TOKEN authorizer for a gateway call, so explain-token can
 * ask the real authorizer about exactly the request a client would make.
 */

/** Placeholders: the authorizer builds its policy under whatever API/stage prefix it is given. */
export const PLACEHOLDER_ACCOUNT_ID = '000000000000';
export const PLACEHOLDER_API_ID = 'explaintkn';

export interface GatewayRequest {
  readonly region: string;
  readonly stage: string;
  readonly model: string;
  readonly route: string;
}

/**
 * `arn:aws:execute-api:<region>:<account>:<api>/<stage>/POST/model/<model>/<route>`, the model id
 * percent-encoded as AWS SDKs send it (`:` becomes `%3A`), which is what API Gateway puts in the ARN.
 */
export function gatewayMethodArn(request: GatewayRequest): string {
  const partition = request.region.startsWith('cn-') ? 'aws-cn' : request.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:execute-api:${request.region}:${PLACEHOLDER_ACCOUNT_ID}:${PLACEHOLDER_API_ID}/${request.stage}/POST/model/${encodeURIComponent(request.model)}/${request.route}`;
}
