/**
 * The forwarder handler in process, with the real AWS SDK calling a Bedrock stand-in on
 * 127.0.0.1: what Bedrock receives (path, body, stamp) and what the client gets back (Bedrock's
 * status, body and error type; the gateway's error shape for the forwarder's own refusals).
 */
import { createHandler, type ForwarderHandler } from '../../../functions/forwarder/handler';
import { endpointOverride } from '../../../functions/forwarder/endpoint';
import type { ProxyEvent } from '../../../functions/forwarder/request';
import type { ForwarderSettings } from '../../../functions/forwarder/settings';
import { createBedrockClient } from '../../../functions/forwarder/bedrock';
import { BedrockStandIn, CONVERSE_OK, INVOKE_OK } from '../../helpers/bedrock-stand-in';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const TITAN = 'amazon.titan-text-express-v1';
const SETTINGS: ForwarderSettings = {
  environment: 'test',
  region: 'us-east-1',
  routes: ['converse', 'invoke'],
  tenants: { acme: { enabled: true, models: [HAIKU, SONNET] }, initech: { enabled: false, models: [HAIKU] } },
};
/** What the authorizer returned for acme (values already encoded by the tenant stamp). */
const ACME_CONTEXT = { tenantId: 'acme', sub: 'auth0=7C123', role: 'developer', tier: 'gold', idp: 'auth0', env: 'test', principalId: 'auth0:auth0|123', integrationLatency: 7 };
const STAMP = { 'gw-tenant': 'acme', 'gw-sub': 'auth0=7C123', 'gw-idp': 'auth0', 'gw-tier': 'gold', 'gw-env': 'test', 'gw-request-id': 'req-1' };

let standIn: BedrockStandIn;
let handler: ForwarderHandler;
let client: ReturnType<typeof createBedrockClient>;
const logged: string[] = [];

beforeAll(async () => {
  // The SDK's default credential chain reads these, as in Lambda.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDFORWARDERTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'forwarder-test-secret';
  standIn = await BedrockStandIn.start();
  client = createBedrockClient({ region: 'us-east-1', endpoint: standIn.endpoint });
  handler = createHandler(SETTINGS, { client, log: (line) => logged.push(line) });
});
beforeEach(() => {
  standIn.requests.length = 0;
  standIn.queue.length = 0;
  logged.length = 0;
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});

function event(overrides: Partial<ProxyEvent> & { route?: string; model?: string; json?: unknown } = {}): ProxyEvent {
  const route = overrides.route ?? 'converse';
  const body = overrides.json !== undefined ? JSON.stringify(overrides.json) : JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  return {
    resource: `/model/{modelId}/${route}`,
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Tenant-Id': 'umbrella' },
    pathParameters: { modelId: encodeURIComponent(overrides.model ?? HAIKU) },
    requestContext: { requestId: 'req-1', authorizer: ACME_CONTEXT },
    body,
    isBase64Encoded: false,
    ...overrides,
  };
}

const errorBody = (message: string) => JSON.stringify({ message, requestId: 'req-1' });
const ACCESS_DENIED = 'Access denied: this caller may not invoke this model through the gateway';

describe('Converse', () => {
  test('the client body passes field by field, client metadata kept, the gateway stamp from the authorizer context; Bedrock body returned as is', async () => {
    const image = Buffer.from('not really a png').toString('base64');
    const json = {
      messages: [{ role: 'user', content: [{ text: 'hi' }, { image: { format: 'png', source: { bytes: image } } }] }],
      inferenceConfig: { maxTokens: 50 },
      someFutureField: { kept: true },
      requestMetadata: { project: 'apollo', 'gw-tenant': 'umbrella', 'gw-sub': 'forged', 'GW-tenant': 'umbrella', 'Gw-Sub': 'forged' },
    };
    const result = await handler(event({ json }));

    expect(result).toEqual({ statusCode: 200, headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'stand-in-request-1' }, body: CONVERSE_OK, isBase64Encoded: false });
    expect(standIn.requests).toHaveLength(1);
    const sent = standIn.requests[0];
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(JSON.parse(sent.body.toString('utf8'))).toEqual({
      messages: json.messages,
      inferenceConfig: { maxTokens: 50 },
      someFutureField: { kept: true },
      requestMetadata: { project: 'apollo', ...STAMP },
    });
    expect(sent.headers['content-length']).toBe(String(sent.body.length));
    expect(sent.headers['x-amzn-bedrock-request-metadata']).toBeUndefined();
  });

  test('a body that is not a JSON object is refused with 400 before Bedrock is called', async () => {
    for (const body of ['not json', '[1,2]', 'null']) {
      const result = await handler({ ...event(), body });
      expect([body, result.statusCode, result.headers['x-amzn-ErrorType']]).toEqual([body, 400, 'ValidationException']);
    }
    const bad = await handler(event({ json: { messages: [], requestMetadata: { a: 1 } } }));
    expect(bad.body).toBe(errorBody('Invalid request body: requestMetadata must be an object of string values'));
    expect(standIn.requests).toHaveLength(0);
  });
});

describe('InvokeModel', () => {
  test('the body reaches Bedrock byte for byte; the stamp goes into X-Amzn-Bedrock-Request-Metadata', async () => {
    const body = '{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"h\\u00e9"}]}';
    const result = await handler({ ...event({ route: 'invoke' }), body });
    expect(result).toEqual({ statusCode: 200, headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'stand-in-request-1' }, body: INVOKE_OK, isBase64Encoded: false });
    const sent = standIn.requests[0];
    expect(sent.url).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke');
    expect(sent.body.toString('utf8')).toBe(body);
    expect(JSON.parse(String(sent.headers['x-amzn-bedrock-request-metadata']))).toEqual(STAMP);
    expect(sent.headers.accept).toBe('application/json');
  });

  test('a base64-encoded proxy body is decoded once', async () => {
    const body = '{"inputText":"hello"}';
    await handler({ ...event({ route: 'invoke' }), body: Buffer.from(body).toString('base64'), isBase64Encoded: true });
    expect(standIn.requests[0].body.toString('utf8')).toBe(body);
  });
});

describe('Bedrock errors keep their status and x-amzn-ErrorType', () => {
  test.each([
    [429, 'ThrottlingException', '{"message":"Too many requests, please wait before trying again."}'],
    [400, 'ValidationException', '{"message":"Malformed input request"}'],
    [403, 'AccessDeniedException', '{"Message":"You don\'t have access to the model"}'],
    [503, 'ServiceUnavailableException', '{"message":"Bedrock is unable to process your request."}'],
  ])('%i %s', async (status, errorType, body) => {
    standIn.queue.push({ status, headers: { 'x-amzn-ErrorType': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-RequestId': 'b-1' }, body });
    const result = await handler(event());
    expect(result).toEqual({
      statusCode: status,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-RequestId': 'b-1' },
      body,
      isBase64Encoded: false,
    });
  });

  test('a status Bedrock does not document becomes 502, never a 2xx, with its body', async () => {
    standIn.queue.push({ status: 418, body: '{"message":"teapot"}' });
    const result = await handler(event({ route: 'invoke' }));
    expect([result.statusCode, result.body]).toEqual([502, '{"message":"teapot"}']);
  });
});

describe('no answer from Bedrock', () => {
  test('past the deadline: 504 in the gateway error shape, before the function would time out', async () => {
    standIn.queue.push({ status: 200, body: CONVERSE_OK, delayMs: 3000 });
    const started = Date.now();
    const result = await handler(event(), { getRemainingTimeInMillis: () => 800 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result).toEqual({
      statusCode: 504,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'InternalServerException' },
      body: errorBody('Endpoint request timed out'),
      isBase64Encoded: false,
    });
    expect(JSON.parse(logged[0])).toMatchObject({ status: 504, reason: 'upstream-timeout', tenant: 'acme' });
  });

  test('connection refused: 502 in the gateway error shape, the cause not leaked', async () => {
    const closed = await BedrockStandIn.start();
    const endpoint = closed.endpoint;
    await closed.close();
    const refusedClient = createBedrockClient({ region: 'us-east-1', endpoint });
    const refused = createHandler(SETTINGS, { client: refusedClient, log: () => undefined });
    const result = await refused(event());
    refusedClient.destroy();
    expect(result).toEqual({
      statusCode: 502,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'InternalServerException' },
      body: errorBody('Bad gateway: the forwarder could not complete the call to Bedrock'),
      isBase64Encoded: false,
    });
  });
});

describe('the forwarder never widens the authorizer decision', () => {
  const denied = { statusCode: 403, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'AccessDeniedException' }, body: errorBody(ACCESS_DENIED), isBase64Encoded: false };

  test.each([
    ['a model outside the tenant allowlist', event({ model: TITAN }), 'model-not-allowed'],
    ['a double-encoded model id (decoded once, it is not a catalogue id)', event({ pathParameters: { modelId: encodeURIComponent(encodeURIComponent(HAIKU)) } }), 'model-not-allowed'],
    ['a malformed percent-encoding', event({ pathParameters: { modelId: 'anthropic.claude%E0%A4%A' } }), 'model-segment-malformed'],
    ['no authorizer context', event({ requestContext: { requestId: 'req-1' } }), 'no-tenant-context'],
    ['a tenant the table does not know', event({ requestContext: { requestId: 'req-1', authorizer: { ...ACME_CONTEXT, tenantId: 'umbrella' } } }), 'tenant-unknown'],
    ['a tenant the config disables', event({ requestContext: { requestId: 'req-1', authorizer: { ...ACME_CONTEXT, tenantId: 'initech' } } }), 'tenant-disabled'],
    ['an inherited property name as tenant', event({ requestContext: { requestId: 'req-1', authorizer: { ...ACME_CONTEXT, tenantId: 'constructor' } } }), 'tenant-unknown'],
  ])('%s: 403 AccessDeniedException, Bedrock not called', async (_, e, reason) => {
    expect(await handler(e)).toEqual(denied);
    expect(standIn.requests).toHaveLength(0);
    expect(JSON.parse(logged[0])).toMatchObject({ status: 403, reason });
  });

  test('the tenant comes from the authorizer context only: client headers and metadata name none', async () => {
    await handler(event({ json: { messages: [], requestMetadata: { 'gw-tenant': 'umbrella' } } }));
    expect(JSON.parse(standIn.requests[0].body.toString('utf8')).requestMetadata['gw-tenant']).toBe('acme');
  });

  test('the raw and the encoded form of a model id name the same model', async () => {
    await handler(event({ pathParameters: { modelId: HAIKU } }));
    expect(standIn.requests[0].url).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
  });
});

describe('what the forwarder refuses itself', () => {
  test('a content type other than JSON: 415 ValidationException, as the direct mode', async () => {
    const result = await handler(event({ headers: { 'content-type': 'text/plain' } }));
    expect(result).toEqual({
      statusCode: 415,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ValidationException' },
      body: errorBody('Unsupported media type: send Content-Type application/json'),
      isBase64Encoded: false,
    });
    expect((await handler(event({ headers: { 'content-type': 'application/json; charset=utf-8' } }))).statusCode).toBe(200);
  });

  test('another route or method: 404 ResourceNotFoundException', async () => {
    for (const e of [event({ resource: '/model/{modelId}/converse-stream' }), event({ httpMethod: 'GET' }), event({ resource: '/{proxy+}' })]) {
      const result = await handler(e);
      expect([result.statusCode, result.headers['x-amzn-ErrorType']]).toEqual([404, 'ResourceNotFoundException']);
    }
    expect(standIn.requests).toHaveLength(0);
  });
});

test('one log line per request, with tenant, model, status and timings, never the body or the subject', async () => {
  await handler(event({ json: { messages: [{ role: 'user', content: [{ text: 'secret prompt' }] }] } }));
  expect(logged).toHaveLength(1);
  const line = JSON.parse(logged[0]);
  expect(line).toEqual({
    log: 'forwarder',
    environment: 'test',
    requestId: 'req-1',
    tenant: 'acme',
    model: HAIKU,
    route: 'converse',
    status: 200,
    bedrockMs: expect.any(Number),
    latencyMs: expect.any(Number),
  });
  expect(logged[0]).not.toContain('secret prompt');
});

describe('GATEWAY_BEDROCK_ENDPOINT', () => {
  test('unset is AWS; a loopback URL is taken; anything else fails the cold start', () => {
    expect(endpointOverride(undefined)).toBeUndefined();
    expect(endpointOverride('')).toBeUndefined();
    expect(endpointOverride('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
    for (const bad of ['https://bedrock-runtime.us-east-1.amazonaws.com', 'http://10.0.0.1:80', 'file:///etc/passwd', 'nonsense']) {
      expect(() => endpointOverride(bad)).toThrow('GATEWAY_BEDROCK_ENDPOINT must be an http(s) URL on the loopback interface');
    }
  });
});
