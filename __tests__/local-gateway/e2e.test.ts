/**
 * End to end through the whole request path, with the real AWS SDK `BedrockRuntimeClient`: the
 * `local` stack synthesized and deployed to its own moto_server (once, in beforeAll), then served
 * by the local gateway in front of the Bedrock stand-in, with tokens from the development IdP.
 * What runs is what would be deployed: the authorizer's bundle from the stack's asset, the
 * mapping templates, integration and gateway responses from its Terraform JSON, the API keys'
 * enabled state from the emulator's API Gateway.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { APIGatewayClient, GetApiKeysCommand, UpdateApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchLogsClient, GetLogEventsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { generateKeyPairSync } from 'node:crypto';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../../gateway-config/load';
import type { GatewayConfig, Environment } from '../../gateway-config/schema';
import { apiKeyValue } from '../../gateway-config/derive';
import { DEFAULT_INVOCATION_LOG_GROUP, subscriptionFilterEvent } from '../../local-gateway/bedrock-stand-in';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildMeteringSettings } from '../../gateway-config/budgets';
import { createMeteringHandler } from '../../functions/metering/meter';
import { GATEWAY_ERROR_RESPONSES } from '../../stacks/constructs/gateway-responses';
import { mintDevToken, signJwt, devSigningKey, type DevTokenRequest } from '../../local-gateway/dev-idp';
import { sdkExample, serveLocalGateway, type ServedGateway } from '../../local-gateway/serve';
import { apply, init, localTarget, outputs, REPO_ROOT, stackDir, synthesize } from '../../scripts/lib/local-deploy';
import { EMULATOR_SDK_CREDENTIALS, freeLoopbackPort, MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { emulatorS3Client } from '../../scripts/lib/state-bucket-ready';
import { TERRAFORM_HINT, requireTool } from '../../scripts/lib/terraform';

jest.setTimeout(10 * 60 * 1000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const INVALID_API_KEY_MESSAGE = GATEWAY_ERROR_RESPONSES.find((r) => r.type === 'INVALID_API_KEY')!.message;
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const TITAN = 'amazon.titan-text-express-v1';

let moto: MotoServer | undefined;
let served: ServedGateway | undefined;
let workDir: string;
let config: GatewayConfig;
let environment: Environment;
let apigateway: APIGatewayClient;
let stackOutputs: Record<string, unknown>;
const dynamoClients: DynamoDBClient[] = [];
let logs: CloudWatchLogsClient;
const accessLog: string[] = [];
const clients: BedrockRuntimeClient[] = [];
const timings: Record<string, number> = {};
let silenced: jest.SpyInstance | undefined;
const savedEnv = { GATEWAY_DEV_IDP_URL: process.env.GATEWAY_DEV_IDP_URL, GATEWAY_EMULATOR_ENDPOINT: process.env.GATEWAY_EMULATOR_ENDPOINT };

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  requireTool('moto_server', MOTO_HINT);
  const t0 = Date.now();
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-local-gateway-'));
  moto = await startMoto({ logFile: path.join(workDir, 'moto.log') });
  // The development IdP's issuers are synthesized with its URL: pick the port first.
  process.env.GATEWAY_DEV_IDP_URL = `http://127.0.0.1:${await freeLoopbackPort()}`;
  process.env.GATEWAY_EMULATOR_ENDPOINT = moto.endpoint;
  ({ config } = loadConfig(DEFAULT_CONFIG_DIR));
  const target = localTarget();
  environment = target.environment;
  const outdir = path.join(workDir, 'cdktf.out');
  const s3 = emulatorS3Client(moto.endpoint, target.stateTarget.region);
  try {
    await Promise.all([
      synthesize({ endpoint: moto.endpoint, outdir }),
      (async () => {
        // The state bucket by SDK: the bootstrap stack's own deploy is local-deploy.test.ts's business.
        await s3.send(new CreateBucketCommand({ Bucket: target.stateTarget.bucket }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: target.stateTarget.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      })(),
    ]);
  } finally {
    s3.destroy();
  }
  const gatewayDir = stackDir(outdir, target.gatewayStackId);
  await init(gatewayDir);
  await apply(gatewayDir);
  const out = await outputs(gatewayDir);
  stackOutputs = out;
  timings.deploy = (Date.now() - t0) / 1000;
  apigateway = new APIGatewayClient(clientConfig());
  logs = new CloudWatchLogsClient(clientConfig());
  // The authorizer's audit lines go to stdout, as in Lambda; keep the test output readable.
  const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean;
  silenced = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => (typeof chunk === 'string' && chunk.startsWith('{"audit"') ? true : write(chunk))) as typeof process.stdout.write);
  served = await serveLocalGateway({ config, environment, stackDir: gatewayDir, emulatorEndpoint: moto.endpoint, restApiId: String(out.rest_api_id), meteringLedgerTable: String(out.token_ledger_table_name), onAccessLog: (line) => accessLog.push(line) });
});

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  silenced?.mockRestore();
  for (const client of clients) client.destroy();
  for (const client of dynamoClients) client.destroy();
  await served?.stop();
  apigateway?.destroy();
  logs?.destroy();
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`local gateway e2e timings (s): ${JSON.stringify(timings)}\n`);
});

function clientConfig() {
  return { endpoint: moto!.endpoint, region: environment.region, credentials: EMULATOR_SDK_CREDENTIALS };
}

function token(request: DevTokenRequest): string {
  return mintDevToken(config, environment, request);
}

/** A client as a user would configure it: endpoint override, Bearer token, no retries (to see each answer). */
function bedrock(bearer: string): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: served!.endpoint, token: { token: bearer }, authSchemePreference: ['httpBearerAuth'], maxAttempts: 1 });
  clients.push(client);
  return client;
}

const converse = (modelId: string, text = 'Hello from the e2e test') => new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text }] }] });

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('the request succeeded');
}

test('Converse through the gateway: the stand-in answers and receives the stamped tenant metadata', async () => {
  const out = await bedrock(token({ tenant: 'acme' })).send(converse(HAIKU));
  expect(out.output?.message?.content?.[0]?.text).toBe(`Stand-in reply from ${HAIKU}: Hello from the e2e test`);
  expect(out.usage).toEqual({ inputTokens: 6, outputTokens: 21, totalTokens: 27 });
  const received = served!.standIn.received.at(-1)!;
  expect(received).toMatchObject({ operation: 'Converse', modelId: HAIKU, status: 200 });
  expect(received.requestMetadata).toEqual({
    'gw-tenant': 'acme',
    'gw-sub': 'dev-user@acme',
    'gw-idp': 'cognito',
    'gw-tier': 'gold',
    'gw-env': 'local',
    'gw-request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
  // The Authorization header never reaches Bedrock.
  expect(received.headers.authorization).toBeUndefined();
});

test('InvokeModel through the gateway: the metadata travels in X-Amzn-Bedrock-Request-Metadata', async () => {
  const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] });
  const out = await bedrock(token({ tenant: 'acme' })).send(new InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', accept: 'application/json', body }));
  const answer = JSON.parse(Buffer.from(out.body).toString('utf8'));
  expect(answer).toMatchObject({ type: 'message', role: 'assistant', model: HAIKU, stop_reason: 'end_turn' });
  const received = served!.standIn.received.at(-1)!;
  expect(received).toMatchObject({ operation: 'InvokeModel', modelId: HAIKU, body });
  expect(received.requestMetadata).toMatchObject({ 'gw-tenant': 'acme', 'gw-tier': 'gold', 'gw-idp': 'cognito' });
});

test('InvokeModel without a JSON content type is refused with 415, as the stack (passthrough NEVER) refuses it', async () => {
  const result = await failure(bedrock(token({ tenant: 'acme' })).send(new InvokeModelCommand({ modelId: HAIKU, body: '{}' })));
  expect(result).toEqual({ name: 'ValidationException', status: 415, message: 'Unsupported media type: send Content-Type application/json' });
});

test('each call writes one model invocation log record to the emulator in Bedrock\'s format', async () => {
  await served!.standIn.flushLogs();
  const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: DEFAULT_INVOCATION_LOG_GROUP }));
  const events = [];
  for (const stream of streams.logStreams ?? []) {
    const page = await logs.send(new GetLogEventsCommand({ logGroupName: DEFAULT_INVOCATION_LOG_GROUP, logStreamName: stream.logStreamName!, startFromHead: true }));
    events.push(...(page.events ?? []).map((e) => JSON.parse(e.message!)));
  }
  expect(events).toHaveLength(served!.standIn.records.length);
  const converseRecord = events.find((e) => e.operation === 'Converse');
  expect(converseRecord).toMatchObject({
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    accountId: '123456789012',
    region: 'us-east-1',
    modelId: HAIKU,
    identity: { arn: expect.stringMatching(/^arn:aws:sts::123456789012:assumed-role\//) },
    input: { inputTokenCount: 6, cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 },
    output: { outputTokenCount: 21 },
    requestMetadata: { 'gw-tenant': 'acme', 'gw-tier': 'gold' },
  });
});

test('a model outside the tenant\'s allowlist: AccessDeniedException (403), the stand-in never called', async () => {
  const before = served!.standIn.received.length;
  // hooli is bronze: haiku and titan only.
  const result = await failure(bedrock(token({ tenant: 'hooli' })).send(converse(SONNET)));
  expect(result).toEqual({ name: 'AccessDeniedException', status: 403, message: 'Access denied: this caller may not invoke this model through the gateway' });
  expect(served!.standIn.received.length).toBe(before);
});

test('bad, expired and foreign tokens: 401', async () => {
  const unauthorized = { name: 'AccessDeniedException', status: 401, message: 'Unauthorized: send a valid, unexpired Bearer token in the Authorization header' };
  // Not a JWT at all: refused by the identity validation expression, before the authorizer runs.
  const runner = [...served!.gateway.authorizers.values()][0];
  const calls = runner.invocations;
  expect(await failure(bedrock('not-a-jwt').send(converse(HAIKU)))).toEqual(unauthorized);
  expect(runner.invocations).toBe(calls);
  expect(await failure(bedrock(token({ tenant: 'acme', ttlSeconds: -60 })).send(converse(HAIKU)))).toEqual(unauthorized);
  // Same claims, signed by a key the development IdP does not publish.
  const foreignKey = { kid: devSigningKey().kid, privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, publicJwk: {} };
  const claims = JSON.parse(Buffer.from(token({ tenant: 'acme' }).split('.')[1], 'base64url').toString('utf8'));
  expect(await failure(bedrock(signJwt(claims, foreignKey)).send(converse(HAIKU)))).toEqual(unauthorized);
});

test('a disabled tenant: 403', async () => {
  const result = await failure(bedrock(token({ tenant: 'initech' })).send(converse(HAIKU)));
  expect(result).toMatchObject({ name: 'AccessDeniedException', status: 403 });
});

test('burst exceeded: ThrottlingException (429) from the usage plan\'s token bucket', async () => {
  // hooli is bronze: rate 2/s, burst 5.
  const client = bedrock(token({ tenant: 'hooli', subject: 'burst' }));
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.send(converse(HAIKU))));
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => [r.reason.name, r.reason.$metadata.httpStatusCode, r.reason.message]);
  expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(5);
  expect(refused.length).toBeGreaterThanOrEqual(1);
  for (const r of refused) expect(r).toEqual(['ThrottlingException', 429, "Too many requests: the tenant's rate limit was exceeded; retry with backoff"]);
  served!.gateway.usage.resetThrottles();
});

test('quota spent: ServiceQuotaExceededException (429)', async () => {
  served!.gateway.usage.exhaustQuota(apiKeyValue(environment, 'globex'));
  const result = await failure(bedrock(token({ tenant: 'globex' })).send(converse(HAIKU)));
  expect(result).toEqual({ name: 'ServiceQuotaExceededException', status: 429, message: "Quota exceeded: the tenant's request quota for this period is spent" });
});

test('Bedrock\'s 429 and 503 pass through as such; an unexpected status becomes 502', async () => {
  const client = bedrock(token({ tenant: 'acme' }));
  expect(await failure(client.send(converse(HAIKU, 'please [stand-in:throttle]')))).toEqual({ name: 'ThrottlingException', status: 429, message: 'Too many requests, please wait before trying again.' });
  expect(await failure(client.send(converse(HAIKU, '[stand-in:not-ready]')))).toMatchObject({ name: 'ModelNotReadyException', status: 429 });
  expect(await failure(client.send(converse(HAIKU, '[stand-in:unavailable]')))).toEqual({ name: 'ServiceUnavailableException', status: 503, message: 'The service is unavailable (stand-in trigger).' });
  expect(await failure(client.send(converse(HAIKU, '[stand-in:validation]')))).toMatchObject({ name: 'ValidationException', status: 400 });
  expect(await failure(client.send(converse(HAIKU, '[stand-in:teapot]')))).toMatchObject({ status: 502 });
});

test('a request body the method model refuses: ValidationException (400) before the integration', async () => {
  const before = served!.standIn.received.length;
  const result = await failure(bedrock(token({ tenant: 'acme' })).send(new ConverseCommand({ modelId: HAIKU, messages: [] })));
  expect(result).toEqual({ name: 'ValidationException', status: 400, message: 'Invalid request body: [must NOT have fewer than 1 items at /messages]' });
  expect(served!.standIn.received.length).toBe(before);
});

test('the same token on two models and both routes: one authorizer call, each answer right (the cached policy is cache-safe)', async () => {
  const runner = [...served!.gateway.authorizers.values()][0];
  const client = bedrock(token({ tenant: 'umbrella', subject: 'cache-check' }));
  const calls = runner.invocations;
  // umbrella's own model list: haiku and sonnet (not silver's titan).
  await client.send(converse(SONNET));
  await client.send(converse(HAIKU));
  expect(await failure(client.send(converse(TITAN)))).toMatchObject({ name: 'AccessDeniedException', status: 403 });
  await client.send(new InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', body: '{"inputText":"hi"}' }));
  expect(runner.invocations - calls).toBe(1);
});

test('a key disabled on the emulator (UpdateApiKey, as budget enforcement does) refuses the next request: 429 ServiceQuotaExceededException', async () => {
  const client = bedrock(token({ tenant: 'acme', subject: 'budget' }));
  await client.send(converse(HAIKU));
  const keys = await apigateway.send(new GetApiKeysCommand({ includeValues: true }));
  const key = keys.items!.find((k) => k.value === apiKeyValue(environment, 'acme'))!;
  const patch = (value: string) => apigateway.send(new UpdateApiKeyCommand({ apiKey: key.id!, patchOperations: [{ op: 'replace', path: '/enabled', value }] }));
  await patch('false');
  try {
    const result = await failure(client.send(converse(HAIKU)));
    expect(result).toEqual({ name: 'ServiceQuotaExceededException', status: 429, message: INVALID_API_KEY_MESSAGE });
  } finally {
    await patch('true');
  }
  await expect(client.send(converse(HAIKU))).resolves.toMatchObject({ stopReason: 'end_turn' });
});

test('token budget: the served gateway meters each invocation log record as a subscription filter delivers it; the tenant over budget is refused on its next request', async () => {
  // hooli is bronze: 2,000,000 tokens (input + output) a day. One long generation spends it.
  const client = bedrock(token({ tenant: 'hooli', subject: 'budget' }));
  const keyId = async () => (await apigateway.send(new GetApiKeysCommand({ includeValues: true }))).items!.find((k) => k.value === apiKeyValue(environment, 'hooli'))!;
  expect((await keyId()).enabled).toBe(true);
  await client.send(converse(HAIKU, 'write a long story [stand-in:output-tokens=2000000]'));
  const record = served!.standIn.records.at(-1)!;
  expect(record.requestMetadata?.['gw-tenant']).toBe('hooli');
  // Metered before the answer left the stand-in: the key is already disabled on the emulator.
  expect((await keyId()).enabled).toBe(false);
  // The next request is refused by the key's state, although the authorizer's Allow is cached.
  const runner = [...served!.gateway.authorizers.values()][0];
  const calls = runner.invocations;
  expect(await failure(client.send(converse(HAIKU)))).toEqual({ name: 'ServiceQuotaExceededException', status: 429, message: INVALID_API_KEY_MESSAGE });
  expect(runner.invocations).toBe(calls);
  // Delivery is at least once: the same batch again counts nothing and disables nothing.
  const dynamodb = new DynamoDBClient(clientConfig());
  dynamoClients.push(dynamodb);
  const meter = createMeteringHandler(buildMeteringSettings(config, environment), { dynamodb, apiGateway: apigateway, tableName: String(stackOutputs.token_ledger_table_name), log: () => undefined });
  const again = await meter(subscriptionFilterEvent([record]));
  expect(again.counts).toMatchObject({ Records: 1, Metered: 1, KeysDisabled: 0 });
  expect(again.ledger.applied).toBe(0);
  expect(again.disabled).toEqual([]);
  // Other tenants are not affected.
  await expect(bedrock(token({ tenant: 'acme' })).send(converse(HAIKU))).resolves.toMatchObject({ stopReason: 'end_turn' });
});

test('unknown routes get the stack\'s MISSING_AUTHENTICATION_TOKEN response (404); percent-encoded model ids are matched', async () => {
  const res = await fetch(`${served!.endpoint}/model/${encodeURIComponent(HAIKU)}/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(404);
  expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
  const ok = await fetch(`${served!.endpoint}/model/${encodeURIComponent(HAIKU)}/converse`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token({ tenant: 'acme' })}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'raw http' }] }] }),
  });
  expect(ok.status).toBe(200);
});

test('one access log line per request, in the stage\'s format', async () => {
  const before = accessLog.length;
  await bedrock(token({ tenant: 'acme' })).send(converse(HAIKU));
  expect(accessLog.length).toBe(before + 1);
  const line = accessLog.at(-1)!;
  expect(line).toMatch(/^\{"requestId":"[0-9a-f-]{36}",/);
  expect(line).toContain('"httpMethod":"POST","resourcePath":"/model/{modelId}/converse"');
  expect(line).toContain('"status":"200"');
  expect(line).toContain('"integrationStatus":"200"');
  expect(line).toContain('"tenantId":"acme","sub":"dev-user@acme","role":"developer","tier":"gold","idp":"cognito","env":"local"');
  expect(line).toMatch(/"apiKeyId":"[a-z0-9]+"/);
});

test('the SDK example npm start prints runs as printed and gets a model answer', async () => {
  const dir = path.join(REPO_ROOT, '.local', 'e2e-snippet');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'example.js');
  writeFileSync(file, sdkExample(served!.endpoint, token({ tenant: 'acme' }), HAIKU));
  const output = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [file], { cwd: REPO_ROOT, env: { ...process.env, NODE_PATH: path.join(REPO_ROOT, 'node_modules') } }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
  rmSync(dir, { recursive: true, force: true });
  expect(output.trim()).toBe(`Stand-in reply from ${HAIKU}: Hello`);
});
