/**
 * End to end through the whole request path, with the real AWS SDK `BedrockRuntimeClient`, in both
 * integration modes: the `local` stack (direct: AWS integration, mapping templates) and the
 * `local-forwarder` stack (AWS_PROXY to the forwarder's bundle, which calls the stand-in with the
 * AWS SDK), synthesized once and deployed side by side to one moto_server (in beforeAll), then
 * each served by its own local gateway and Bedrock stand-in, with tokens from one development IdP.
 * What runs is what would be deployed: the authorizer's and the forwarder's bundles from the
 * stacks' assets, the mapping templates, integration and gateway responses from their Terraform
 * JSON, the API keys' enabled state from the emulator's API Gateway. In forwarder mode the
 * stand-in verifies the SigV4 signature of every call (the forwarder signs with its role's
 * session, assumed on the emulator).
 *
 * The shared tests run once per mode (`describe.each`); a test whose subject exists in one mode
 * only says why where it stands.
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

type ModeName = 'direct' | 'forwarder';
/** One integration mode: its environment of the example config, deployed and served. */
interface Mode {
  readonly environmentName: string;
  environment: Environment;
  served: ServedGateway;
  outputs: Record<string, unknown>;
  readonly accessLog: string[];
}
const MODES: ReadonlyArray<[ModeName, string]> = [
  ['direct', 'local'],
  ['forwarder', 'local-forwarder'],
];
const modes = Object.fromEntries(MODES.map(([name, environmentName]) => [name, { environmentName, accessLog: [] as string[] } as unknown as Mode])) as Record<ModeName, Mode>;

let moto: MotoServer | undefined;
let workDir: string;
let config: GatewayConfig;
let apigateway: APIGatewayClient;
const dynamoClients: DynamoDBClient[] = [];
let logs: CloudWatchLogsClient;
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
  const targets = MODES.map(([name, environmentName]) => [name, localTarget(DEFAULT_CONFIG_DIR, environmentName)] as const);
  // Both environments keep their state in the same bucket (different keys).
  const stateTarget = targets[0][1].stateTarget;
  expect(targets.map(([, t]) => t.stateTarget.bucket)).toEqual([stateTarget.bucket, stateTarget.bucket]);
  const outdir = path.join(workDir, 'cdktf.out');
  const s3 = emulatorS3Client(moto.endpoint, stateTarget.region);
  try {
    await Promise.all([
      synthesize({ endpoint: moto.endpoint, outdir }),
      (async () => {
        // The state bucket by SDK: the bootstrap stack's own deploy is local-deploy.test.ts's business.
        await s3.send(new CreateBucketCommand({ Bucket: stateTarget.bucket }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: stateTarget.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      })(),
    ]);
  } finally {
    s3.destroy();
  }
  timings.synth = (Date.now() - t0) / 1000;
  // The two stacks share no resource name (every name carries the environment's prefix; API
  // models, validators and inline role policies are scoped to their API or role): applied in parallel.
  const dirs = {} as Record<ModeName, string>;
  await Promise.all(
    targets.map(async ([name, target]) => {
      const t = Date.now();
      const dir = stackDir(outdir, target.gatewayStackId);
      await init(dir);
      await apply(dir);
      modes[name].environment = target.environment;
      modes[name].outputs = await outputs(dir);
      dirs[name] = dir;
      timings[`deploy-${name}`] = (Date.now() - t) / 1000;
    }),
  );
  timings.deploy = (Date.now() - t0) / 1000;
  apigateway = new APIGatewayClient(clientConfig());
  logs = new CloudWatchLogsClient(clientConfig());
  // The authorizer's audit lines and the forwarder's log lines go to stdout, as in Lambda (the
  // forwarder's through its worker thread's stdout, as Buffers); keep the test output readable.
  const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean;
  const functionLog = (chunk: string | Uint8Array) => String(chunk).split('\n').every((line) => line === '' || line.startsWith('{"audit"') || line.startsWith('{"log":"forwarder"'));
  silenced = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => (functionLog(chunk) ? true : write(chunk))) as typeof process.stdout.write);
  const direct = modes.direct;
  direct.served = await serveLocalGateway({
    config,
    environment: direct.environment,
    stackDir: dirs.direct,
    emulatorEndpoint: moto.endpoint,
    restApiId: String(direct.outputs.rest_api_id),
    meteringLedgerTable: String(direct.outputs.token_ledger_table_name),
    onAccessLog: (line) => direct.accessLog.push(line),
  });
  const forwarder = modes.forwarder;
  // No token budgets in local-forwarder (no ledger table output): nothing to meter.
  expect(forwarder.outputs.token_ledger_table_name).toBeUndefined();
  forwarder.served = await serveLocalGateway({
    config,
    environment: forwarder.environment,
    stackDir: dirs.forwarder,
    emulatorEndpoint: moto.endpoint,
    restApiId: String(forwarder.outputs.rest_api_id),
    // One development IdP (the same URL in both environments): one token works on both.
    idp: direct.served.idp,
    onAccessLog: (line) => forwarder.accessLog.push(line),
  });
  timings.ready = (Date.now() - t0) / 1000;
});

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  for (const client of clients) client.destroy();
  for (const client of dynamoClients) client.destroy();
  await modes.forwarder.served?.stop();
  await modes.direct.served?.stop();
  silenced?.mockRestore();
  apigateway?.destroy();
  logs?.destroy();
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`local gateway e2e timings (s): ${JSON.stringify(timings)}\n`);
});

function clientConfig() {
  return { endpoint: moto!.endpoint, region: 'us-east-1', credentials: EMULATOR_SDK_CREDENTIALS };
}

function tokenFor(mode: Mode, request: DevTokenRequest): string {
  return mintDevToken(config, mode.environment, request);
}

/** A client as a user would configure it: endpoint override, Bearer token, no retries (to see each answer). */
function bedrockAt(mode: Mode, bearer: string): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: mode.served.endpoint, token: { token: bearer }, authSchemePreference: ['httpBearerAuth'], maxAttempts: 1 });
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

describe.each(MODES)('%s mode (environment %s)', (modeName, environmentName) => {
  const mode = () => modes[modeName];
  const served = () => mode().served;
  const token = (request: DevTokenRequest) => tokenFor(mode(), request);
  const bedrock = (bearer: string) => bedrockAt(mode(), bearer);

  test('Converse through the gateway: the stand-in answers and receives the stamped tenant metadata', async () => {
    const out = await bedrock(token({ tenant: 'acme' })).send(converse(HAIKU));
    expect(out.output?.message?.content?.[0]?.text).toBe(`Stand-in reply from ${HAIKU}: Hello from the e2e test`);
    expect(out.usage).toEqual({ inputTokens: 6, outputTokens: 21, totalTokens: 27 });
    const received = served().standIn.received.at(-1)!;
    expect(received).toMatchObject({ operation: 'Converse', modelId: HAIKU, status: 200 });
    expect(received.requestMetadata).toEqual({
      'gw-tenant': 'acme',
      'gw-sub': 'dev-user@acme',
      'gw-idp': 'cognito',
      'gw-tier': 'gold',
      'gw-env': environmentName,
      'gw-request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // The client's Authorization header never reaches Bedrock: the direct mode's call carries none
    // locally (API Gateway would sign it with its credentials role), the forwarder's is the
    // forwarder's own SigV4 signature (checked in the forwarder-only tests below).
    if (modeName === 'direct') expect(received.headers.authorization).toBeUndefined();
    else expect(received.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\S+\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/);
  });

  test('InvokeModel through the gateway: the metadata travels in X-Amzn-Bedrock-Request-Metadata', async () => {
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] });
    const out = await bedrock(token({ tenant: 'acme' })).send(new InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', accept: 'application/json', body }));
    const answer = JSON.parse(Buffer.from(out.body).toString('utf8'));
    expect(answer).toMatchObject({ type: 'message', role: 'assistant', model: HAIKU, stop_reason: 'end_turn' });
    const received = served().standIn.received.at(-1)!;
    expect(received).toMatchObject({ operation: 'InvokeModel', modelId: HAIKU, body });
    expect(received.requestMetadata).toMatchObject({ 'gw-tenant': 'acme', 'gw-tier': 'gold', 'gw-idp': 'cognito' });
  });

  test('InvokeModel without a JSON content type is refused with 415, as the stack (passthrough NEVER) refuses it', async () => {
    const result = await failure(bedrock(token({ tenant: 'acme' })).send(new InvokeModelCommand({ modelId: HAIKU, body: '{}' })));
    expect(result).toEqual({ name: 'ValidationException', status: 415, message: 'Unsupported media type: send Content-Type application/json' });
  });

  test('each call writes one model invocation log record to the stack\'s invocation log group on the emulator, in Bedrock\'s format, naming the stack\'s caller', async () => {
    await served().standIn.flushLogs();
    // direct: the group the stack's logging configuration names (its output); local-forwarder has no
    // invocation logging of its own (no tokenBudgets, no output): the stand-in's default group.
    const group = modeName === 'direct' ? String(mode().outputs.invocation_log_group_name) : DEFAULT_INVOCATION_LOG_GROUP;
    expect(group).toBe(modeName === 'direct' ? '/aws/bedrock/bedrock-gw-local/model-invocations' : '/aws/bedrock/modelinvocations');
    expect(mode().outputs.invocation_log_group_name).toBe(modeName === 'direct' ? group : undefined);
    expect(served().standIn.invocationLogGroup).toBe(group);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    const events = [];
    for (const stream of streams.logStreams ?? []) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream.logStreamName!, startFromHead: true }));
      events.push(...(page.events ?? []).map((e) => JSON.parse(e.message!)));
    }
    // Only this mode's records are in its group.
    expect(events.map((e) => e.requestMetadata?.['gw-env'])).toEqual(served().standIn.records.map(() => environmentName));
    expect(events).toHaveLength(served().standIn.records.length);
    expect(events.length).toBeGreaterThan(0);
    // The caller Bedrock logs: a session of the direct integration's credentials role (what the
    // stack's subscription filter pattern selects), or the forwarder's role session (assumed on the emulator).
    const caller =
      modeName === 'direct'
        ? 'arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-bedrock-invoke/local-gateway'
        : 'arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-forwarder-forwarder-role/bedrock-gw-local-forwarder-forwarder';
    expect(new Set(events.map((e) => e.identity.arn))).toEqual(new Set([caller]));
    const converseRecord = events.find((e) => e.operation === 'Converse');
    expect(converseRecord).toMatchObject({
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
      accountId: '123456789012',
      region: 'us-east-1',
      modelId: HAIKU,
      identity: { arn: caller },
      input: { inputTokenCount: 6, cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 },
      output: { outputTokenCount: 21 },
      requestMetadata: { 'gw-tenant': 'acme', 'gw-tier': 'gold' },
    });
  });

  test('a model outside the tenant\'s allowlist: AccessDeniedException (403), the stand-in never called', async () => {
    const before = served().standIn.received.length;
    // hooli is bronze: haiku and titan only.
    const result = await failure(bedrock(token({ tenant: 'hooli' })).send(converse(SONNET)));
    expect(result).toEqual({ name: 'AccessDeniedException', status: 403, message: 'Access denied: this caller may not invoke this model through the gateway' });
    expect(served().standIn.received.length).toBe(before);
  });

  test('bad, expired and foreign tokens: 401', async () => {
    const unauthorized = { name: 'AccessDeniedException', status: 401, message: 'Unauthorized: send a valid, unexpired Bearer token in the Authorization header' };
    // Not a JWT at all: refused by the identity validation expression, before the authorizer runs.
    const runner = [...served().gateway.authorizers.values()][0];
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
    served().gateway.usage.resetThrottles();
  });

  test('quota spent: ServiceQuotaExceededException (429)', async () => {
    served().gateway.usage.exhaustQuota(apiKeyValue(mode().environment, 'globex'));
    const result = await failure(bedrock(token({ tenant: 'globex' })).send(converse(HAIKU)));
    expect(result).toEqual({ name: 'ServiceQuotaExceededException', status: 429, message: "Quota exceeded: the tenant's request quota for this period is spent" });
  });

  test('Bedrock\'s 429 and 503 pass through as such; an unexpected status becomes 502', async () => {
    const client = bedrock(token({ tenant: 'acme' }));
    expect(await failure(client.send(converse(HAIKU, 'please [stand-in:throttle]')))).toEqual({ name: 'ThrottlingException', status: 429, message: 'Too many requests, please wait before trying again.' });
    expect(await failure(client.send(converse(HAIKU, '[stand-in:not-ready]')))).toMatchObject({ name: 'ModelNotReadyException', status: 429 });
    expect(await failure(client.send(converse(HAIKU, '[stand-in:unavailable]')))).toEqual({ name: 'ServiceUnavailableException', status: 503, message: 'The service is unavailable (stand-in trigger).' });
    expect(await failure(client.send(converse(HAIKU, '[stand-in:validation]')))).toMatchObject({ name: 'ValidationException', status: 400 });
    // A status Bedrock never sends (418): 502 in both modes (the direct mode's integration
    // responses map it; the forwarder replaces it), Bedrock's error type and message kept.
    expect(await failure(client.send(converse(HAIKU, '[stand-in:teapot]')))).toEqual({ name: 'TeapotException', status: 502, message: 'An unexpected status (stand-in trigger).' });
  });

  test('a request body the method model refuses: ValidationException (400) before the integration', async () => {
    const before = served().standIn.received.length;
    const result = await failure(bedrock(token({ tenant: 'acme' })).send(new ConverseCommand({ modelId: HAIKU, messages: [] })));
    expect(result).toEqual({ name: 'ValidationException', status: 400, message: 'Invalid request body: [must NOT have fewer than 1 items at /messages]' });
    expect(served().standIn.received.length).toBe(before);
  });

  test('the same token on two models and both routes: one authorizer call, each answer right (the cached policy is cache-safe)', async () => {
    const runner = [...served().gateway.authorizers.values()][0];
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
    const key = keys.items!.find((k) => k.value === apiKeyValue(mode().environment, 'acme'))!;
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

  test('unknown routes get the stack\'s MISSING_AUTHENTICATION_TOKEN response (404); percent-encoded model ids are matched', async () => {
    const res = await fetch(`${served().endpoint}/model/${encodeURIComponent(HAIKU)}/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    const ok = await fetch(`${served().endpoint}/model/${encodeURIComponent(HAIKU)}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token({ tenant: 'acme' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'raw http' }] }] }),
    });
    expect(ok.status).toBe(200);
  });

  test('one access log line per request, in the stage\'s format', async () => {
    const before = mode().accessLog.length;
    await bedrock(token({ tenant: 'acme' })).send(converse(HAIKU));
    expect(mode().accessLog.length).toBe(before + 1);
    const line = mode().accessLog.at(-1)!;
    expect(line).toMatch(/^\{"requestId":"[0-9a-f-]{36}",/);
    expect(line).toContain('"httpMethod":"POST","resourcePath":"/model/{modelId}/converse"');
    expect(line).toContain('"status":"200"');
    expect(line).toContain('"integrationStatus":"200"');
    expect(line).toContain(`"tenantId":"acme","sub":"dev-user@acme","role":"developer","tier":"gold","idp":"cognito","env":"${environmentName}"`);
    expect(line).toMatch(/"apiKeyId":"[a-z0-9]+"/);
  });

  test('the SDK example npm start prints runs as printed and gets a model answer', async () => {
    const dir = path.join(REPO_ROOT, '.local', `e2e-snippet-${modeName}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'example.js');
    writeFileSync(file, sdkExample(served().endpoint, token({ tenant: 'acme' }), HAIKU));
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [file], { cwd: REPO_ROOT, env: { ...process.env, NODE_PATH: path.join(REPO_ROOT, 'node_modules') } }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    rmSync(dir, { recursive: true, force: true });
    expect(output.trim()).toBe(`Stand-in reply from ${HAIKU}: Hello`);
  });
});

/**
 * Token budgets exist in the direct mode's environment only: `local` owns the emulator's Bedrock
 * invocation logging and meters it; `local-forwarder` has no tokenBudgets (synth warns so), and
 * metering is the same code whichever mode made the call (it reads Bedrock's invocation log).
 */
describe('direct mode only', () => {
  test('token budget: the served gateway meters each invocation log record as a subscription filter delivers it; the tenant over budget is refused on its next request', async () => {
    // hooli is bronze: 2,000,000 tokens (input + output) a day. One long generation spends it.
    const client = bedrockAt(modes.direct, tokenFor(modes.direct, { tenant: 'hooli', subject: 'budget' }));
    const keyId = async () => (await apigateway.send(new GetApiKeysCommand({ includeValues: true }))).items!.find((k) => k.value === apiKeyValue(modes.direct.environment, 'hooli'))!;
    expect((await keyId()).enabled).toBe(true);
    await client.send(converse(HAIKU, 'write a long story [stand-in:output-tokens=2000000]'));
    const record = modes.direct.served.standIn.records.at(-1)!;
    expect(record.requestMetadata?.['gw-tenant']).toBe('hooli');
    // Metered before the answer left the stand-in: the key is already disabled on the emulator.
    expect((await keyId()).enabled).toBe(false);
    // The next request is refused by the key's state, although the authorizer's Allow is cached.
    const runner = [...modes.direct.served.gateway.authorizers.values()][0];
    const calls = runner.invocations;
    expect(await failure(client.send(converse(HAIKU)))).toEqual({ name: 'ServiceQuotaExceededException', status: 429, message: INVALID_API_KEY_MESSAGE });
    expect(runner.invocations).toBe(calls);
    // Delivery is at least once: the same batch again counts nothing and disables nothing.
    const dynamodb = new DynamoDBClient(clientConfig());
    dynamoClients.push(dynamodb);
    const meter = createMeteringHandler(buildMeteringSettings(config, modes.direct.environment), { dynamodb, apiGateway: apigateway, tableName: String(modes.direct.outputs.token_ledger_table_name), log: () => undefined });
    const again = await meter(subscriptionFilterEvent([record], { logGroup: String(modes.direct.outputs.invocation_log_group_name), filterName: 'bedrock-gw-local-metering' }));
    expect(again.counts).toMatchObject({ Records: 1, Metered: 1, KeysDisabled: 0 });
    expect(again.ledger.applied).toBe(0);
    expect(again.disabled).toEqual([]);
    // Other tenants are not affected.
    await expect(bedrockAt(modes.direct, tokenFor(modes.direct, { tenant: 'acme' })).send(converse(HAIKU))).resolves.toMatchObject({ stopReason: 'end_turn' });
  });
});

/**
 * Forwarder mode only: the direct mode's call is signed by API Gateway with its credentials role
 * on AWS, which the local gateway does not reproduce (docs/local-gateway.md), so only the
 * forwarder's signature can be checked here. Its stand-in verifies every request with
 * `verifySigV4` (signing name `bedrock`, region us-east-1, the forwarder's role session) and
 * refuses a bad signature as Bedrock does.
 */
describe('forwarder mode only: the stand-in verifies the SigV4 signature of every call the forwarder makes', () => {
  const forwarder = () => modes.forwarder;
  const session = () => [...forwarder().served.signing!.sessions.values()][0];

  test('signed by the forwarder\'s role session for bedrock in us-east-1, the session token included; a model id with ":" is signed double-encoded', async () => {
    const signing = forwarder().served.signing!;
    expect([...signing.sessions.keys()]).toEqual(['bedrock-gw-local-forwarder-forwarder']);
    // STS session credentials (moto's AssumeRole): the access key and a session token.
    expect(session()).toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/), sessionToken: expect.any(String) });
    await bedrockAt(forwarder(), tokenFor(forwarder(), { tenant: 'acme' })).send(converse(HAIKU));
    const verdict = signing.verdicts.at(-1)!;
    expect(verdict).toMatchObject({ ok: true, accessKeyId: session().accessKeyId, service: 'bedrock', region: 'us-east-1' });
    const canonical = verdict.ok ? verdict.canonicalRequest.split('\n') : [];
    // On the wire `...-v1%3A0`, in the canonical request each segment encoded once more.
    expect(forwarder().served.standIn.received.at(-1)!.headers).toMatchObject({ 'x-amz-security-token': session().sessionToken });
    expect(canonical.slice(0, 2)).toEqual(['POST', '/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse']);
    expect(canonical.at(-2)!.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'content-type']));
    // Every call of the shared tests above was verified too, InvokeModel (metadata header) included.
    expect(signing.verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(forwarder().served.standIn.received.filter((r) => r.operation === 'InvokeModel').length).toBeGreaterThan(0);
    expect(signing.verdicts.length).toBe(forwarder().served.standIn.received.length);
    // The credentials live in the forwarder's own environment (its worker thread), not in this process's.
    expect([process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SESSION_TOKEN, process.env.GATEWAY_BEDROCK_ENDPOINT]).not.toContain(session().accessKeyId);
    expect(process.env.GATEWAY_BEDROCK_ENDPOINT).toBeUndefined();
  });

  test('signed with a secret Bedrock does not hold: 403 InvalidSignatureException from the stand-in, passed through by the forwarder; an unknown key: 403 UnrecognizedClientException', async () => {
    const signing = forwarder().served.signing!;
    const client = bedrockAt(forwarder(), tokenFor(forwarder(), { tenant: 'acme', subject: 'sigv4' }));
    const original = signing.accepted[0];
    const records = forwarder().served.standIn.records.length;
    try {
      // The stand-in holds another secret for the forwarder's key: the signature cannot match.
      signing.accepted[0] = { accessKeyId: original.accessKeyId, secretAccessKey: 'not-the-secret-the-forwarder-signs-with' };
      expect(await failure(client.send(converse(HAIKU)))).toEqual({
        name: 'InvalidSignatureException',
        status: 403,
        message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      });
      expect(signing.verdicts.at(-1)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
      signing.accepted[0] = { accessKeyId: 'ASIAOTHERSESSION0000', secretAccessKey: original.secretAccessKey };
      expect(await failure(client.send(new InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', body: '{"inputText":"hi"}' })))).toEqual({
        name: 'UnrecognizedClientException',
        status: 403,
        message: 'The security token included in the request is invalid.',
      });
      expect(signing.verdicts.at(-1)).toMatchObject({ ok: false, reason: 'unknown-access-key' });
    } finally {
      signing.accepted[0] = original;
    }
    // Refused calls are not invocations: no log record. With the right secret again, it answers.
    expect(forwarder().served.standIn.records.length).toBe(records);
    await expect(client.send(converse(HAIKU))).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(signing.verdicts.at(-1)).toMatchObject({ ok: true });
  });
});
