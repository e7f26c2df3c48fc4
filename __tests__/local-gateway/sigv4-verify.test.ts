/**
 * The stand-in's SigV4 verifier against real signers: the AWS SDK's `BedrockRuntimeClient` and the
 * forwarder handler (in process, credentials from the environment, endpoint a loopback stand-in).
 * Each accepted request is also tampered with in one way, and must then be refused for that reason.
 */
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { bedrockSigV4Check, canonicalUri, verifySigV4, type SigV4Result, type SignedRequest } from '../../local-gateway/sigv4-verify';
import { BedrockStandIn as LocalBedrockStandIn } from '../../local-gateway/bedrock-stand-in';
import { createHandler } from '../../functions/forwarder/handler';
import type { ForwarderSettings } from '../../functions/forwarder/settings';
import { BedrockStandIn, type RecordedRequest } from '../helpers/bedrock-stand-in';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const CREDENTIALS = { accessKeyId: 'AKIDSTANDINTEST0001', secretAccessKey: 'stand-in-secret/with+chars' };
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const PROFILE = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';

let standIn: BedrockStandIn;
const results: SigV4Result[] = [];
const verify = (request: SignedRequest, extra: { now?: Date; credentials?: typeof CREDENTIALS[] } = {}) =>
  verifySigV4(request, { credentials: extra.credentials ?? [CREDENTIALS], region: 'us-east-1', ...(extra.now ? { now: extra.now } : {}) });

beforeAll(async () => {
  standIn = await BedrockStandIn.start();
  standIn.onRequest = (request) => results.push(verify(request));
});
beforeEach(() => {
  standIn.requests.length = 0;
  results.length = 0;
});
afterAll(async () => standIn.close());

test('the canonical URI encodes each segment of the received path again: %3A becomes %253A', () => {
  expect(canonicalUri('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse')).toBe('/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse');
  expect(canonicalUri('/model/amazon.titan-text-express-v1/invoke')).toBe('/model/amazon.titan-text-express-v1/invoke');
  expect(canonicalUri('/a b/*')).toBe('/a%20b/%2A');
});

describe('requests signed by the AWS SDK', () => {
  let client: BedrockRuntimeClient;
  beforeAll(() => {
    client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: standIn.endpoint, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  });
  afterAll(() => client.destroy());

  test('Converse and InvokeModel with model ids containing ":" verify, signed for service bedrock with the double-encoded path', async () => {
    await client.send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
    await client.send(new InvokeModelCommand({ modelId: PROFILE, body: '{"x":1}', contentType: 'application/json', requestMetadata: '{"gw-tenant":"acme"}' }));
    expect(standIn.requests.map((r) => r.url)).toEqual([
      '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
      '/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke',
    ]);
    expect(results.map((r) => r.ok && [r.service, r.region, r.canonicalRequest.split('\n')[1]])).toEqual([
      ['bedrock', 'us-east-1', '/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse'],
      ['bedrock', 'us-east-1', '/model/us.anthropic.claude-3-5-haiku-20241022-v1%253A0/invoke'],
    ]);
  });

  test('each tampering is refused for what it is', async () => {
    await client.send(new InvokeModelCommand({ modelId: HAIKU, body: '{"x":1}', contentType: 'application/json', requestMetadata: '{"gw-tenant":"acme"}' }));
    const signed = standIn.requests[0];
    const withHeaders = (edit: Record<string, string | undefined>): RecordedRequest => ({ ...signed, headers: { ...signed.headers, ...edit } });
    const reasons = [
      verify({ ...signed, body: Buffer.from('{"x":2}') }),
      verify({ ...signed, url: signed.url.replace('%3A', ':') }),
      verify(withHeaders({ 'x-amzn-bedrock-request-metadata': '{"gw-tenant":"umbrella"}' })),
      verify(signed, { credentials: [{ ...CREDENTIALS, secretAccessKey: 'other' }] }),
      verify(signed, { credentials: [{ ...CREDENTIALS, accessKeyId: 'AKIDOTHER' }] }),
      verify(withHeaders({ authorization: String(signed.headers.authorization).replace('/bedrock/', '/bedrock-runtime/') })),
      verify(withHeaders({ authorization: String(signed.headers.authorization).replace('/us-east-1/', '/us-west-2/') })),
      verify(signed, { now: new Date(Date.now() + 10 * 60 * 1000) }),
      verify(withHeaders({ authorization: undefined })),
      verify(withHeaders({ authorization: 'Bearer x.y.z' })),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons).toEqual([
      'payload-hash-mismatch',
      'signature-mismatch',
      'signature-mismatch',
      'signature-mismatch',
      'unknown-access-key',
      'wrong-service',
      'wrong-region',
      'bad-date',
      'missing-authorization',
      'malformed-authorization',
    ]);
    expect(verify(signed).ok).toBe(true);
  });
});

describe('requests signed by the forwarder', () => {
  const SETTINGS: ForwarderSettings = { environment: 'test', region: 'us-east-1', routes: ['converse', 'invoke'], tenants: { acme: { enabled: true, models: [HAIKU, PROFILE] } } };
  const saved = { ...process.env };
  afterAll(() => {
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  test('credentials from the environment (as Lambda provides them), both routes, the stamp header signed', async () => {
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    const handler = createHandler(SETTINGS, { endpoint: standIn.endpoint, log: () => undefined });
    const event = (route: string, model: string) => ({
      resource: `/model/{modelId}/${route}`,
      httpMethod: 'POST',
      headers: { 'content-type': 'application/json' },
      pathParameters: { modelId: encodeURIComponent(model) },
      requestContext: { requestId: 'r-1', authorizer: { tenantId: 'acme', sub: 'u1', role: 'dev', tier: 'gold', idp: 'cognito', env: 'test' } },
      body: '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}',
      isBase64Encoded: false,
    });
    expect((await handler(event('converse', HAIKU))).statusCode).toBe(200);
    expect((await handler(event('invoke', PROFILE))).statusCode).toBe(200);
    expect(results.map((r) => (r.ok ? r.canonicalRequest.split('\n')[1] : r.reason))).toEqual([
      '/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse',
      '/model/us.anthropic.claude-3-5-haiku-20241022-v1%253A0/invoke',
    ]);
    const invokeAuthorization = String(standIn.requests[1].headers.authorization);
    expect(invokeAuthorization).toMatch(/SignedHeaders=[^,]*x-amzn-bedrock-request-metadata/);
    expect(invokeAuthorization).toContain(`Credential=${CREDENTIALS.accessKeyId}/`);
  });
});

describe('the local Bedrock stand-in with bedrockSigV4Check (what the local gateway serves in forwarder mode)', () => {
  let local: LocalBedrockStandIn;
  const verdicts: SigV4Result[] = [];
  const accepted = [CREDENTIALS];
  const sdk: BedrockRuntimeClient[] = [];
  beforeAll(async () => {
    local = await new LocalBedrockStandIn({ region: 'us-east-1', verifyRequest: bedrockSigV4Check({ credentials: accepted, region: 'us-east-1', verdicts }) }).start();
  });
  afterAll(async () => {
    for (const c of sdk) c.destroy();
    await local.stop();
  });
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1') => {
    const c = new BedrockRuntimeClient({ region, endpoint: local.endpoint, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    sdk.push(c);
    return c;
  };
  const converse = () => new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (err) {
      const e = err as { name: string; message: string; $metadata: { httpStatusCode?: number } };
      return [e.$metadata.httpStatusCode, e.name, e.message];
    }
    throw new Error('the request succeeded');
  };

  test('a correct signature is served; each bad one is refused with the status, error type and message Bedrock sends, and nothing is invoked', async () => {
    await expect(client(CREDENTIALS).send(converse())).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(verdicts.at(-1)).toMatchObject({ ok: true, accessKeyId: CREDENTIALS.accessKeyId });
    const invoked = local.records.length;
    expect(await refusal(client({ ...CREDENTIALS, secretAccessKey: 'wrong-secret' }).send(converse()))).toEqual([
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    ]);
    expect(await refusal(client({ accessKeyId: 'AKIDNOBODYKNOWS', secretAccessKey: 'x' }).send(converse()))).toEqual([403, 'UnrecognizedClientException', 'The security token included in the request is invalid.']);
    expect(await refusal(client(CREDENTIALS, 'eu-west-1').send(converse()))).toEqual([403, 'InvalidSignatureException', 'signed for region eu-west-1, expected us-east-1 (stand-in SigV4 check: wrong-region)']);
    const unsigned = await fetch(`${local.endpoint}/model/${encodeURIComponent(HAIKU)}/converse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages":[]}' });
    expect([unsigned.status, unsigned.headers.get('x-amzn-errortype')?.split(':')[0], await unsigned.json()]).toEqual([403, 'MissingAuthenticationTokenException', { message: 'Missing Authentication Token' }]);
    expect(verdicts.slice(-4).map((v) => (v.ok ? 'ok' : v.reason))).toEqual(['signature-mismatch', 'unknown-access-key', 'wrong-region', 'missing-authorization']);
    expect(local.records.length).toBe(invoked);
  });

  test('the accepted credentials are read on every request: a changed secret refuses the next call', async () => {
    const signer = client(CREDENTIALS);
    await expect(signer.send(converse())).resolves.toMatchObject({ stopReason: 'end_turn' });
    accepted[0] = { ...CREDENTIALS, secretAccessKey: 'rotated' };
    try {
      expect((await refusal(signer.send(converse())))[1]).toBe('InvalidSignatureException');
    } finally {
      accepted[0] = CREDENTIALS;
    }
    await expect(signer.send(converse())).resolves.toMatchObject({ stopReason: 'end_turn' });
  });
});
