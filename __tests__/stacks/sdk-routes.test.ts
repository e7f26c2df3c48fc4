/**
 * The claim "an AWS SDK BedrockRuntimeClient works by endpoint override" checked against the
 * synthesized API: the requests the real SDK builds (captured by a request handler; no network)
 * must hit a route of the REST API with the method it defines.
 */
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { exampleConfig } from '../helpers/config';
import { resourcesOf, synthGateway } from '../helpers/synth';

/** The parts of the SDK's HTTP request the assertions read. */
interface HttpRequest {
  method: string;
  hostname: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

const STAGE = 'dev';
const ENDPOINT = `https://gateway.example.internal/${STAGE}`;
const { json } = synthGateway(exampleConfig(), 'dev');

/** Routes of the synthesized API as [HTTP method, path template] pairs. */
function apiRoutes(): Array<[string, string]> {
  const resources = resourcesOf(json, 'aws_api_gateway_resource');
  const byRef = new Map(Object.entries(resources).map(([id, r]) => [`\${aws_api_gateway_resource.${id}.id}`, r]));
  const pathOf = (ref: string): string => {
    const r = byRef.get(ref);
    return r ? `${pathOf(r.parent_id as string)}/${r.path_part}` : '';
  };
  return Object.values(resourcesOf(json, 'aws_api_gateway_method')).map((m) => [m.http_method as string, pathOf(m.resource_id as string)]);
}

/** Does a concrete request path (as sent, still URL-encoded) match a path template with `{param}` segments? */
function matchRoute(method: string, requestPath: string): string | undefined {
  const segments = requestPath.split('/').slice(1);
  const route = apiRoutes().find(([m, template]) => {
    const parts = template.split('/').slice(1);
    return m === method && parts.length === segments.length && parts.every((p, i) => (p.startsWith('{') ? segments[i].length > 0 : p === segments[i]));
  });
  return route?.join(' ');
}

/** Sends `command` through a real client whose transport records the request instead of sending it. */
async function capture(command: ConverseCommand | InvokeModelCommand): Promise<HttpRequest> {
  let captured: HttpRequest | undefined;
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: ENDPOINT,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    // The gateway authenticates the Bearer JWT; SigV4 is off.
    signer: {
      sign: async (request) => {
        request.headers.authorization = 'Bearer header.payload.signature';
        return request;
      },
    },
    requestHandler: {
      handle: async (request: HttpRequest) => {
        captured = request;
        throw new Error('captured');
      },
    },
    maxAttempts: 1,
  });
  await expect(client.send(command as never)).rejects.toThrow('captured');
  return captured!;
}

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

test('the synthesized API has exactly the Converse and InvokeModel routes', () => {
  expect(apiRoutes().sort()).toEqual([
    ['POST', '/model/{modelId}/converse'],
    ['POST', '/model/{modelId}/invoke'],
  ]);
});

test('Converse from the SDK hits POST /model/{modelId}/converse with the model id URL-encoded', async () => {
  const request = await capture(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
  expect(request.method).toBe('POST');
  expect(request.hostname).toBe('gateway.example.internal');
  expect(request.path).toBe(`/${STAGE}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`);
  expect(request.headers.authorization).toBe('Bearer header.payload.signature');
  expect(request.headers['content-type']).toBe('application/json');
  expect(matchRoute(request.method, request.path.slice(STAGE.length + 1))).toBe('POST /model/{modelId}/converse');
  // The body satisfies the Converse request model of the API.
  const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array);
  expect(JSON.parse(body)).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
});

test('InvokeModel from the SDK hits POST /model/{modelId}/invoke', async () => {
  const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  const request = await capture(new InvokeModelCommand({ modelId: MODEL, body, contentType: 'application/json', accept: 'application/json' }));
  expect(request.method).toBe('POST');
  expect(request.path).toBe(`/${STAGE}/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke`);
  expect(matchRoute(request.method, request.path.slice(STAGE.length + 1))).toBe('POST /model/{modelId}/invoke');
});

test('a path the gateway does not serve matches no route', () => {
  expect(matchRoute('POST', `/model/${encodeURIComponent(MODEL)}/converse-stream`)).toBeUndefined();
  expect(matchRoute('GET', `/model/${encodeURIComponent(MODEL)}/converse`)).toBeUndefined();
});
