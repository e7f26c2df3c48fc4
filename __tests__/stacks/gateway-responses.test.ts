/**
 * The gateway responses as synthesized, rendered the way API Gateway renders them ($context
 * substitution), fed to a real `BedrockRuntimeClient` through a request handler: the SDK must
 * raise the modelled exception for each, with our message, status and request id.
 */
import { Readable } from 'node:stream';
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { renderGatewayResponse, type GatewayResponseDefinition } from '../../local-gateway/gateway-response';
import { GATEWAY_ERROR_RESPONSES } from '../../stacks/constructs/gateway-responses';
import { exampleConfig } from '../helpers/config';
import { resourcesOf, synthGateway } from '../helpers/synth';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { json } = synthGateway(exampleConfig(), 'dev');
const synthesized = new Map(
  Object.values(resourcesOf(json, 'aws_api_gateway_gateway_response')).map((r) => [
    r.response_type as string,
    { statusCode: r.status_code as string | undefined, responseParameters: r.response_parameters as Record<string, string>, responseTemplates: r.response_templates as Record<string, string> } satisfies GatewayResponseDefinition,
  ]),
);

const REQUEST_ID = '5d1f4c2e-7a0b-4c3d-9e8f-0123456789ab';
const VALIDATION = 'instance type (integer) does not match any allowed primitive type (allowed: [\\"array\\"])';

/** API Gateway's own status and error message per response type (what $context.error carries). */
const CASES: Array<{ type: string; apiGatewayStatus: number; apiGatewayMessage: string; exception: string; status: number; message: string }> = [
  { type: 'UNAUTHORIZED', apiGatewayStatus: 401, apiGatewayMessage: 'Unauthorized', exception: 'AccessDeniedException', status: 401, message: 'Unauthorized: send a valid, unexpired Bearer token in the Authorization header' },
  { type: 'ACCESS_DENIED', apiGatewayStatus: 403, apiGatewayMessage: 'User is not authorized to access this resource', exception: 'AccessDeniedException', status: 403, message: 'Access denied: this caller may not invoke this model through the gateway' },
  { type: 'MISSING_AUTHENTICATION_TOKEN', apiGatewayStatus: 403, apiGatewayMessage: 'Missing Authentication Token', exception: 'ResourceNotFoundException', status: 404, message: 'Not found: the gateway serves POST /model/{modelId}/converse and POST /model/{modelId}/invoke only' },
  { type: 'THROTTLED', apiGatewayStatus: 429, apiGatewayMessage: 'Too Many Requests', exception: 'ThrottlingException', status: 429, message: "Too many requests: the tenant's rate limit was exceeded; retry with backoff" },
  { type: 'QUOTA_EXCEEDED', apiGatewayStatus: 429, apiGatewayMessage: 'Limit Exceeded', exception: 'ServiceQuotaExceededException', status: 429, message: "Quota exceeded: the tenant's request quota for this period is spent" },
  { type: 'INVALID_API_KEY', apiGatewayStatus: 403, apiGatewayMessage: 'Forbidden', exception: 'ServiceQuotaExceededException', status: 429, message: "Token budget spent: the tenant's token budget for this period is spent (or its API key is disabled); requests resume when the period resets (UTC: days at 00:00, weeks on Monday, months on the 1st)" },
  { type: 'BAD_REQUEST_BODY', apiGatewayStatus: 400, apiGatewayMessage: 'Invalid request body', exception: 'ValidationException', status: 400, message: `Invalid request body: ${VALIDATION.replace(/\\"/g, '"')}` },
  { type: 'UNSUPPORTED_MEDIA_TYPE', apiGatewayStatus: 415, apiGatewayMessage: 'Unsupported Media Type', exception: 'ValidationException', status: 415, message: 'Unsupported media type: send Content-Type application/json' },
  { type: 'DEFAULT_4XX', apiGatewayStatus: 413, apiGatewayMessage: 'Request "Too" Long', exception: 'ValidationException', status: 413, message: 'Request "Too" Long' },
  { type: 'DEFAULT_5XX', apiGatewayStatus: 504, apiGatewayMessage: 'Endpoint request timed out', exception: 'InternalServerException', status: 504, message: 'Endpoint request timed out' },
];

/** A client whose every attempt gets `response`; counts the attempts. */
function clientAnswering(response: { status: number; headers: Record<string, string>; body: string }) {
  const attempts = { count: 0 };
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: 'https://gateway.example.internal/dev',
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    maxAttempts: 3,
    requestHandler: {
      handle: async () => {
        attempts.count += 1;
        return {
          response: {
            statusCode: response.status,
            reason: '',
            headers: { ...Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v])), 'x-amzn-requestid': REQUEST_ID },
            body: Readable.from([Buffer.from(response.body)]),
          },
        };
      },
    } as never,
  });
  return { client, attempts };
}

test('every response type the issue names (and MISSING_AUTHENTICATION_TOKEN) is synthesized with x-amzn-ErrorType', () => {
  expect([...synthesized.keys()].sort()).toEqual(CASES.map((c) => c.type).sort());
  expect([...synthesized.keys()].sort()).toEqual(GATEWAY_ERROR_RESPONSES.map((r) => r.type).sort());
  for (const [type, r] of synthesized) expect([type, Object.keys(r.responseParameters)]).toEqual([type, ['gatewayresponse.header.x-amzn-ErrorType']]);
});

describe.each(CASES)('$type', ({ type, apiGatewayStatus, apiGatewayMessage, exception, status, message }) => {
  const rendered = () =>
    renderGatewayResponse(synthesized.get(type)!, {
      defaultStatus: apiGatewayStatus,
      context: { requestId: REQUEST_ID, error: { message: apiGatewayMessage, messageString: JSON.stringify(apiGatewayMessage), validationErrorString: VALIDATION, responseType: type } },
    });

  test(`answers ${status} with a JSON body that parses`, () => {
    const response = rendered();
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ message, requestId: REQUEST_ID });
  });

  test(`the SDK raises ${exception} with the message, status and request id`, async () => {
    const { client, attempts } = clientAnswering(rendered());
    const command = type === 'UNSUPPORTED_MEDIA_TYPE'
      ? new InvokeModelCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', body: 'x', contentType: 'text/plain' })
      : new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    const error = await client.send(command as never).then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number; requestId?: string }; $fault?: string }) => e,
    );
    expect(error).toBeDefined();
    expect({ name: error!.name, constructor: error!.constructor.name, message: error!.message, status: error!.$metadata?.httpStatusCode, requestId: error!.$metadata?.requestId }).toEqual({
      name: exception,
      constructor: exception,
      message,
      status,
      requestId: REQUEST_ID,
    });
    // 429s and 5xx are retried by the SDK's standard strategy (with backoff); 4xx are not.
    expect(attempts.count).toBe(status === 429 || status >= 500 ? 3 : 1);
    client.destroy();
  }, 20_000);
});
