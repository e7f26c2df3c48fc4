/**
 * The local gateway's parts without an emulator: the stack model read from the synthesized
 * `local` stack, the development IdP only in emulator stacks, the authorizer's cache TTL and
 * policy evaluation, usage plan arithmetic, and an AWS_PROXY integration to a fixture Lambda
 * package (the generic path the forwarder will be served through).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { crc32, gunzipSync } from 'node:zlib';
import { loadConfig, DEFAULT_CONFIG_DIR } from '../../gateway-config/load';
import { trustedEndpoints } from '../../gateway-config/tenant-table';
import { evaluatePolicy, matchesWildcard, type AuthorizerResult } from '../../local-gateway/authorizer-runner';
import { BedrockStandIn, buildInvocationLogRecord, subscriptionFilterEvent } from '../../local-gateway/bedrock-stand-in';
import { DevIdpServer, mintDevToken } from '../../local-gateway/dev-idp';
import { lambdaEnvironment, loadLambdaFunction, readZip } from '../../local-gateway/lambda-bundle';
import { integrationRoleSessionArn, meteringSubscription } from '../../local-gateway/serve';
import { LocalGateway } from '../../local-gateway/server';
import { loadStackModel, type StackModel } from '../../local-gateway/stack-model';
import { quotaPeriodStart, StackApiKeyStates, UsagePlanEnforcer } from '../../local-gateway/usage-plans';
import { freeLoopbackPort } from '../../scripts/lib/moto';
import { synthApp, type SynthesizedApp } from '../helpers/synth-app';

let app: SynthesizedApp;
let idpUrl: string;

beforeAll(async () => {
  idpUrl = `http://127.0.0.1:${await freeLoopbackPort()}`;
  process.env.GATEWAY_DEV_IDP_URL = idpUrl;
  app = await synthApp();
}, 300_000);

const savedIdpUrl = process.env.GATEWAY_DEV_IDP_URL;
afterAll(() => {
  if (savedIdpUrl === undefined) delete process.env.GATEWAY_DEV_IDP_URL;
  else process.env.GATEWAY_DEV_IDP_URL = savedIdpUrl;
  if (app) rmSync(path.dirname(app.outdir), { recursive: true, force: true });
});

describe('stack model', () => {
  let model: StackModel;
  beforeAll(() => {
    model = loadStackModel(app.stacks['gateway-local']);
  });

  test('routes, authorizer, responses, plans and access log format come from the Terraform JSON', () => {
    expect(model.routes.map((r) => `${r.httpMethod} ${r.resourcePath} ${r.authorization} key=${r.apiKeyRequired} validate=${r.validateBody} ${r.integration?.type}`)).toEqual([
      'POST /model/{modelId}/converse CUSTOM key=true validate=true AWS',
      'POST /model/{modelId}/invoke CUSTOM key=true validate=true AWS',
    ]);
    const [authorizer] = [...model.authorizers.values()];
    expect(authorizer).toMatchObject({ name: 'bedrock-gw-local-jwt', type: 'TOKEN', ttlSeconds: 60, identitySource: 'method.request.header.Authorization' });
    expect(model.functions.get(authorizer.functionAddress)?.archive).toMatch(/assets\/authorizer_function_bundle_[A-Z0-9]+\/[A-F0-9]+\/archive\.zip$/);
    expect([...model.gatewayResponses.keys()].sort()).toEqual([
      'ACCESS_DENIED', 'BAD_REQUEST_BODY', 'DEFAULT_4XX', 'DEFAULT_5XX', 'INVALID_API_KEY', 'MISSING_AUTHENTICATION_TOKEN', 'QUOTA_EXCEEDED', 'THROTTLED', 'UNAUTHORIZED', 'UNSUPPORTED_MEDIA_TYPE',
    ]);
    const converse = model.routes[0].integration!;
    expect(converse.uri).toMatch(/:apigateway:us-east-1:bedrock-runtime:path\/model\/\{modelId\}\/converse$/);
    expect(converse.responses.map((r) => r.statusCode).sort()).toEqual(['200', '400', '403', '404', '408', '424', '429', '500', '502', '503']);
    expect(model.usagePlans.map((p) => [p.name, p.throttle, p.quota, p.keyAddresses.length])).toEqual([
      ['bedrock-gw-local-tenant-umbrella', { rateLimit: 25, burstLimit: 50 }, { limit: 500000, period: 'WEEK', offset: 0 }, 1],
      ['bedrock-gw-local-tier-bronze', { rateLimit: 2, burstLimit: 5 }, { limit: 1000, period: 'DAY', offset: 0 }, 1],
      ['bedrock-gw-local-tier-gold', { rateLimit: 50, burstLimit: 100 }, { limit: 2000000, period: 'MONTH', offset: 0 }, 1],
      ['bedrock-gw-local-tier-silver', { rateLimit: 10, burstLimit: 20 }, { limit: 100000, period: 'WEEK', offset: 0 }, 2],
    ]);
    expect(model.accessLogFormat).toMatch(/^\{"requestId":"\$context\.requestId",/);
  });

  test('invocation logging and the integration role come from the Terraform JSON; the stand-in\'s records pass the stack\'s subscription filter pattern', () => {
    expect(model.invocationLogging).toEqual({
      logGroupName: '/aws/bedrock/bedrock-gw-local/model-invocations',
      configuredByStack: true,
      subscriptionFilters: [{
        name: 'bedrock-gw-local-metering',
        filterPattern: '{ ($.schemaType = "ModelInvocationLog") && ($.identity.arn = "arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-bedrock-invoke/*") }',
        destinationAddress: expect.stringMatching(/^aws_lambda_function\.token-budgets_metering_function_/),
      }],
    });
    expect(model.integrationRoleName).toBe('bedrock-gw-local-bedrock-invoke');
    expect(integrationRoleSessionArn(model.integrationRoleName!)).toBe('arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-bedrock-invoke/local-gateway');
    const subscription = meteringSubscription(model);
    expect([subscription.name, subscription.logGroup]).toEqual(['bedrock-gw-local-metering', '/aws/bedrock/bedrock-gw-local/model-invocations']);
    const record = (identityArn: string) => JSON.stringify(buildInvocationLogRecord({ requestId: 'r', operation: 'Converse', modelId: 'm', inputTokens: 1, outputTokens: 1, accountId: '123456789012', region: 'us-east-1', identityArn, timestamp: new Date(0) }));
    expect(subscription.passes(record(integrationRoleSessionArn(model.integrationRoleName!)))).toBe(true);
    // The caller the stand-in named before it read the stack: the deployed filter drops it.
    expect(subscription.passes(record('arn:aws:sts::123456789012:assumed-role/bedrock-gateway/local'))).toBe(false);
    // Forwarder mode: no AWS integration role, no invocation logging of its own (no tokenBudgets).
    const forwarder = loadStackModel(app.stacks['gateway-local-forwarder']);
    expect([forwarder.invocationLogging, forwarder.integrationRoleName]).toEqual([undefined, undefined]);
    expect(() => meteringSubscription(forwarder)).toThrow(`stack ${app.stacks['gateway-local-forwarder']} has no model invocation logging (no logging configuration, no output invocation_log_group_name): there is nothing to meter`);
    // An existing (not managed) configuration: the group named in the config, the account's configuration left alone.
    expect(loadStackModel(app.stacks['gateway-prod']).invocationLogging).toMatchObject({ logGroupName: '/aws/bedrock/model-invocations', configuredByStack: false });
  });
});

describe('development identity provider', () => {
  const bundledSettings = (stack: string) => {
    const model = loadStackModel(app.stacks[stack]);
    const [authorizer] = [...model.authorizers.values()];
    return readZip(readFileSync(model.functions.get(authorizer.functionAddress)!.archive)).get('index.js')!.toString('utf8');
  };

  test('the local authorizer trusts the loopback issuers, one per configured provider', () => {
    const code = bundledSettings('gateway-local');
    for (const id of ['cognito', 'entra', 'okta']) expect(code).toContain(`${idpUrl}/idp/${id}/jwks.json`);
    expect(code).not.toContain('cognito-idp.us-east-1.amazonaws.com');
  });

  test.each(['gateway-dev', 'gateway-prod'])('%s never trusts it: its bundle names only the real issuers', (stack) => {
    const code = bundledSettings(stack);
    expect(code).not.toContain('127.0.0.1');
    expect(code).not.toContain('/idp/cognito');
    expect(code).toContain('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01/.well-known/jwks.json');
  });

  test('trustedEndpoints keeps the real endpoints outside emulator environments', () => {
    const { config } = loadConfig(DEFAULT_CONFIG_DIR);
    const dev = config.environments.find((e) => e.name === 'dev')!;
    expect(trustedEndpoints(dev, config.identityProviders[0])).toEqual({ issuer: config.identityProviders[0].issuer, jwksUri: config.identityProviders[0].jwksUri });
  });

  test('tokens carry each provider\'s claim shape; bad requests name what was wrong', () => {
    const { config } = loadConfig(DEFAULT_CONFIG_DIR);
    const local = config.environments.find((e) => e.name === 'local')!;
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString('utf8'));
    expect(claims(mintDevToken(config, local, { tenant: 'acme', role: 'admin', now: 1000 }))).toEqual({
      iss: `${idpUrl}/idp/cognito`, sub: 'dev-user@acme', iat: 1000, exp: 4600, 'custom:tenant_id': 'acme', 'cognito:groups': ['admin'], token_use: 'access', client_id: '4example0app0client0id0abc',
    });
    expect(claims(mintDevToken(config, local, { tenant: 'globex', now: 1000, ttlSeconds: 60 }))).toEqual({
      iss: `${idpUrl}/idp/okta`, sub: 'dev-user@globex', iat: 1000, exp: 1060, tenant: 'globex', groups: 'developer', aud: 'api://bedrock-gateway',
    });
    expect(() => mintDevToken(config, local, { tenant: 'acme', idp: 'auth0' })).toThrow('--idp "auth0": no such identity provider; the config has cognito, entra, okta');
    const dev = config.environments.find((e) => e.name === 'dev')!;
    expect(() => mintDevToken(config, dev, { tenant: 'acme' })).toThrow('environment dev has no development identity provider (emulator.developmentIdp): only emulator environments can have one');
  });
});

describe('authorizer policy and usage plans', () => {
  const arn = 'arn:aws:execute-api:us-east-1:123456789012:abc/local/POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse';
  const policy = (...statements: Array<[string, string]>): AuthorizerResult => ({ principalId: 'p', policyDocument: { Statement: statements.map(([Effect, Resource]) => ({ Effect, Action: 'execute-api:Invoke', Resource })) } });

  test('IAM wildcards: * spans slashes, ? is one character, the whole ARN must match', () => {
    expect(matchesWildcard('arn:aws:execute-api:us-east-1:123456789012:abc/*', arn)).toBe(true);
    expect(matchesWildcard('arn:aws:execute-api:us-east-1:123456789012:abc/local/POST/model/anthropic.claude-3-haiku-20240307-v1?3A0/converse', arn)).toBe(true);
    expect(matchesWildcard('arn:aws:execute-api:us-east-1:123456789012:abc/local/POST/model/anthropic.claude-3-haiku-20240307-v1:0/converse', arn)).toBe(false);
    expect(matchesWildcard('arn:aws:execute-api:us-east-1:123456789012:abc/local/POST/model/*/invoke', arn)).toBe(false);
  });

  test('an explicit Deny wins over an Allow', () => {
    expect(evaluatePolicy(policy(['Allow', '*']), arn)).toEqual({ allowed: true, explicitDeny: false });
    expect(evaluatePolicy(policy(['Allow', '*'], ['Deny', `${arn.split('/POST')[0]}/*`]), arn)).toEqual({ allowed: false, explicitDeny: true });
    expect(evaluatePolicy(policy(['Allow', 'arn:aws:execute-api:*:*:other/*']), arn)).toEqual({ allowed: false, explicitDeny: false });
  });

  test('quota periods start at 00:00 UTC; WEEK on the offset weekday (0 = Sunday); MONTH on the 1st + offset', () => {
    const wednesday = Date.UTC(2026, 11, 2, 15, 30);
    expect(new Date(quotaPeriodStart('DAY', 0, wednesday)).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(new Date(quotaPeriodStart('WEEK', 0, wednesday)).toISOString()).toBe('2026-11-29T00:00:00.000Z');
    expect(new Date(quotaPeriodStart('WEEK', 1, wednesday)).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(new Date(quotaPeriodStart('MONTH', 0, wednesday)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(quotaPeriodStart('MONTH', 5, wednesday)).toISOString()).toBe('2026-11-06T00:00:00.000Z');
  });

  test('token bucket: burst, then refill at the rate; quota counted per period; unknown keys refused', async () => {
    const model = loadStackModel(app.stacks['gateway-local']);
    let now = Date.UTC(2026, 11, 2, 12);
    const usage = new UsagePlanEnforcer(model, new StackApiKeyStates(model.apiKeys), () => now);
    const bronze = [...model.apiKeys.values()].find((k) => k.name === 'bedrock-gw-local-hooli')!.value;
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push((await usage.admit(bronze)).ok);
    expect(outcomes).toEqual([true, true, true, true, true, false]);
    expect(await usage.admit(bronze)).toMatchObject({ ok: false, responseType: 'THROTTLED', message: 'Too Many Requests' });
    now += 500; // rate 2/s: one token back
    expect(await usage.admit(bronze)).toMatchObject({ ok: true, remainingQuota: 1000 - 6 });
    expect(await usage.admit(bronze)).toMatchObject({ ok: false, responseType: 'THROTTLED' });
    usage.exhaustQuota(bronze);
    now += 10_000;
    expect(await usage.admit(bronze)).toMatchObject({ ok: false, responseType: 'QUOTA_EXCEEDED', message: 'Limit Exceeded' });
    now = Date.UTC(2026, 11, 3, 0, 0, 1); // the next day
    expect(await usage.admit(bronze)).toMatchObject({ ok: true, remainingQuota: 999 });
    expect(await usage.admit('not-a-key')).toEqual({ ok: false, responseType: 'INVALID_API_KEY', message: 'Forbidden' });
  });
});

describe('served without an emulator', () => {
  let standIn: BedrockStandIn;
  let idp: DevIdpServer;
  let gateway: LocalGateway;
  let now = Date.now();
  let config: ReturnType<typeof loadConfig>['config'];

  beforeAll(async () => {
    ({ config } = loadConfig(DEFAULT_CONFIG_DIR));
    const local = config.environments.find((e) => e.name === 'local')!;
    expect(local.emulator?.developmentIdp?.url).toBe(idpUrl);
    idp = await new DevIdpServer(config.identityProviders.map((p) => p.id)).start(Number(new URL(idpUrl).port));
    standIn = await new BedrockStandIn().start();
    gateway = await new LocalGateway(loadStackModel(app.stacks['gateway-local']), { bedrockEndpoint: standIn.endpoint, now: () => now }).start();
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await gateway?.stop();
    await standIn?.stop();
    await idp?.stop();
  });

  test('the authorizer result is cached per token for the TTL (60 s), then the function runs again', async () => {
    const local = config.environments.find((e) => e.name === 'local')!;
    const bearer = `Bearer ${mintDevToken(config, local, { tenant: 'acme', subject: 'ttl' })}`;
    const runner = [...gateway.authorizers.values()][0];
    const call = () => fetch(`${gateway.endpoint}/model/amazon.titan-text-express-v1/invoke`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: '{"inputText":"hi"}' });
    const before = runner.invocations;
    expect((await call()).status).toBe(200);
    now += 59_000;
    expect((await call()).status).toBe(200);
    expect(runner.invocations - before).toBe(1);
    now += 2_000;
    expect((await call()).status).toBe(200);
    expect(runner.invocations - before).toBe(2);
  });

  test('a request without a token: the UNAUTHORIZED gateway response, without calling the function', async () => {
    const runner = [...gateway.authorizers.values()][0];
    const before = runner.invocations;
    const res = await fetch(`${gateway.endpoint}/model/x.y/converse`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await res.json()).toEqual({ message: 'Unauthorized: send a valid, unexpired Bearer token in the Authorization header', requestId: res.headers.get('x-amzn-requestid') });
    expect(runner.invocations).toBe(before);
  });

  /** A second gateway on the same stack (or a variant of it), stopped after `run`. */
  const withGateway = async (model: StackModel, bedrockEndpoint: string, run: (g: LocalGateway) => Promise<void>) => {
    const other = await new LocalGateway(model, { bedrockEndpoint }).start();
    try {
      await run(other);
    } finally {
      await other.stop();
    }
  };
  const bearerFor = (subject: string) => `Bearer ${mintDevToken(config, config.environments.find((e) => e.name === 'local')!, { tenant: 'acme', subject })}`;
  const invoke = (g: LocalGateway, bearer: string, query = '') =>
    fetch(`${g.endpoint}/model/amazon.titan-text-express-v1/invoke${query}`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: '{"inputText":"hi"}' });
  /** status, x-amzn-ErrorType and body of a gateway response (its requestId is the answer's). */
  const answer = async (res: Response) => [res.status, res.headers.get('x-amzn-errortype'), await res.json(), res.headers.get('x-amzn-requestid')];
  const localModel = () => loadStackModel(app.stacks['gateway-local']);
  /** The stack with every integration's timeout set to `ms`. */
  const withTimeout = (model: StackModel, ms: number): StackModel => ({ ...model, routes: model.routes.map((r) => (r.integration ? { ...r, integration: { ...r.integration, timeoutMs: ms } } : r)) });

  test('a body over 10 MB: REQUEST_TOO_LARGE, the stack\'s DEFAULT_4XX (413, ValidationException), before the authorizer runs', async () => {
    const runner = [...gateway.authorizers.values()][0];
    const before = runner.invocations;
    const res = await fetch(`${gateway.endpoint}/model/amazon.titan-text-express-v1/invoke`, { method: 'POST', headers: { authorization: bearerFor('large'), 'content-type': 'application/json' }, body: `{"inputText":"${'x'.repeat(10 * 1024 * 1024)}"}` });
    const id = res.headers.get('x-amzn-requestid');
    expect(await answer(res)).toEqual([413, 'ValidationException', { message: 'Request Too Long', requestId: id }, id]);
    expect(runner.invocations).toBe(before);
  });

  test('Bedrock endpoint refusing connections (a closed loopback port): INTEGRATION_FAILURE, the stack\'s DEFAULT_5XX (504, InternalServerException)', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    await withGateway(localModel(), closed, async (g) => {
      const res = await invoke(g, bearerFor('closed'));
      const id = res.headers.get('x-amzn-requestid');
      expect(await answer(res)).toEqual([504, 'InternalServerException', { message: 'Internal server error', requestId: id }, id]);
    });
  });

  test('Bedrock endpoint that never answers, integration timeout 300 ms: INTEGRATION_TIMEOUT, the stack\'s DEFAULT_5XX (504, InternalServerException)', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer(() => undefined);
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      await withGateway(withTimeout(localModel(), 300), `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, async (g) => {
        const started = Date.now();
        const res = await invoke(g, bearerFor('silent'));
        const id = res.headers.get('x-amzn-requestid');
        expect(await answer(res)).toEqual([504, 'InternalServerException', { message: 'Endpoint request timed out', requestId: id }, id]);
        expect(Date.now() - started).toBeLessThan(5000);
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('an authorizer that throws anything but Unauthorized: AUTHORIZER_FAILURE, the stack\'s DEFAULT_5XX (500, InternalServerException, message null)', async () => {
    const model = localModel();
    const [authorizer] = [...model.authorizers.values()];
    const dir = mkdtempSync(path.join(tmpdir(), 'bag-failing-authorizer-'));
    try {
      writeFileSync(path.join(dir, 'auth.zip'), storedZip({ 'index.js': "exports.handler = async () => { throw new Error('the tenant table is unreachable'); };" }));
      const functions = new Map(model.functions);
      functions.set(authorizer.functionAddress, { ...functions.get(authorizer.functionAddress)!, archive: path.join(dir, 'auth.zip'), handler: 'index.handler' });
      await withGateway({ ...model, functions }, standIn.endpoint, async (g) => {
        const received = standIn.received.length;
        const res = await invoke(g, bearerFor('failing'));
        const id = res.headers.get('x-amzn-requestid');
        expect(await answer(res)).toEqual([500, 'InternalServerException', { message: null, requestId: id }, id]);
        expect(standIn.received.length).toBe(received);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the method ARN the authorizer receives: the deployed API id, the stage, the verb and the path as sent (the model id percent-encoded)', async () => {
    const runner = [...gateway.authorizers.values()][0];
    const authorize = jest.spyOn(runner, 'authorize');
    try {
      const bearer = bearerFor('arn');
      const res = await fetch(`${gateway.endpoint}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}' });
      expect(res.status).toBe(200);
      expect(authorize.mock.calls).toEqual([[bearer, 'arn:aws:execute-api:us-east-1:123456789012:local/local/POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse']]);
    } finally {
      authorize.mockRestore();
    }
  });

  test('integration query string: integration.request.querystring.* and $context.requestOverride.querystring reach the integration request', async () => {
    const model = localModel();
    const routes = model.routes.map((r) =>
      r.resourcePath.endsWith('/invoke') && r.integration
        ? {
            ...r,
            integration: {
              ...r.integration,
              requestParameters: { ...r.integration.requestParameters, 'integration.request.querystring.trace': 'method.request.querystring.trace', 'integration.request.querystring.variant': "'a'" },
              requestTemplates: { 'application/json': `#set($context.requestOverride.querystring.variant = "b & c")${r.integration.requestTemplates['application/json']}` },
            },
          }
        : r,
    );
    const urls: string[] = [];
    const capture = createServer((req, res) => {
      urls.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[]}'));
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    try {
      await withGateway({ ...model, routes }, `http://127.0.0.1:${(capture.address() as AddressInfo).port}`, async (g) => {
        expect((await invoke(g, bearerFor('query'), '?trace=on%20now&ignored=1')).status).toBe(200);
        expect((await invoke(g, bearerFor('query'))).status).toBe(200);
      });
      expect(urls).toEqual(['/model/amazon.titan-text-express-v1/invoke?trace=on%20now&variant=b%20%26%20c', '/model/amazon.titan-text-express-v1/invoke?variant=b%20%26%20c']);
    } finally {
      await new Promise<void>((resolve) => capture.close(() => resolve()));
    }
  });

  test('outside the stage: 404 with the stack\'s MISSING_AUTHENTICATION_TOKEN response', async () => {
    const res = await fetch(`${gateway.endpoint.replace(/\/local$/, '/other')}/model/x.y/converse`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect((await res.json()).message).toBe('Not found: the gateway serves POST /model/{modelId}/converse and POST /model/{modelId}/invoke only');
  });
});

test('buildInvocationLogRecord: Bedrock\'s model invocation log schema', () => {
  expect(
    buildInvocationLogRecord({
      requestId: 'r-1', operation: 'Converse', modelId: 'm', inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 1, requestMetadata: { 'gw-tenant': 'acme' },
      accountId: '123456789012', region: 'us-east-1', identityArn: 'arn:aws:sts::123456789012:assumed-role/r/s', timestamp: new Date(Date.UTC(2026, 0, 1)),
    }),
  ).toEqual({
    schemaType: 'ModelInvocationLog', schemaVersion: '1.0', timestamp: '2026-01-01T00:00:00.000Z', accountId: '123456789012', identity: { arn: 'arn:aws:sts::123456789012:assumed-role/r/s' },
    region: 'us-east-1', requestId: 'r-1', operation: 'Converse', modelId: 'm',
    input: { inputContentType: 'application/json', inputTokenCount: 3, cacheReadInputTokenCount: 1, cacheWriteInputTokenCount: 0 },
    output: { outputContentType: 'application/json', outputTokenCount: 4 },
    requestMetadata: { 'gw-tenant': 'acme' }, inferenceRegion: 'us-east-1',
  });
});

test('subscriptionFilterEvent: the records as CloudWatch Logs delivers them to a subscribed function', () => {
  const record = buildInvocationLogRecord({
    requestId: 'r-2', operation: 'InvokeModel', modelId: 'm', inputTokens: 1, outputTokens: 2,
    accountId: '123456789012', region: 'us-east-1', identityArn: 'arn:aws:sts::123456789012:assumed-role/r/s', timestamp: new Date(Date.UTC(2026, 0, 2)),
  });
  const event = subscriptionFilterEvent([record]);
  expect(JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'))).toEqual({
    messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/aws/bedrock/modelinvocations', logStream: 'aws/bedrock/modelinvocations', subscriptionFilters: ['metering'],
    logEvents: [{ id: 'r-2', timestamp: Date.UTC(2026, 0, 2), message: JSON.stringify(record) }],
  });
});

// ---- AWS_PROXY: a fixture stack with a TOKEN authorizer and a proxy Lambda ----

/** A zip of stored (uncompressed) entries, as a deployment package. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(nameBytes.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8); end.writeUInt16LE(Object.keys(files).length, 10); end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('AWS_PROXY integration to a Lambda package', () => {
  let dir: string;
  let gateway: LocalGateway;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bag-proxy-fixture-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'assets', 'auth.zip'), storedZip({
      'index.js': `exports.handler = async (e) => { if (e.authorizationToken !== 'Bearer good') throw new Error('Unauthorized');
        return { principalId: 'fixture', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: e.methodArn.split('/').slice(0, 2).join('/') + '/*' }] }, context: { tenantId: 'acme', tier: 'gold' } }; };`,
    }));
    writeFileSync(path.join(dir, 'assets', 'fwd.zip'), storedZip({
      'lib/main.js': `if (process.env.FIXTURE_FAIL_INIT) throw new Error('cold start failed: ' + process.env.FIXTURE_FAIL_INIT);
        exports.run = async (event, context) => event.queryStringParameters && event.queryStringParameters.show === 'env' ? { statusCode: 200, body: JSON.stringify({ env: process.env, memory: context.memoryLimitInMB }) } : ({ statusCode: 201, headers: { 'x-fixture': context.functionName }, body: JSON.stringify({ path: event.path, resource: event.resource, params: event.pathParameters, query: event.queryStringParameters, authorizer: event.requestContext.authorizer, body: JSON.parse(event.body), stage: event.requestContext.stage }) });`,
    }));
    const ref = (a: string) => `\${${a}}`;
    writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({
      provider: { aws: [{ region: 'eu-west-1' }] },
      resource: {
        aws_api_gateway_rest_api: { api: { name: 'fixture' } },
        aws_api_gateway_stage: { stage: { stage_name: 'v1', rest_api_id: ref('aws_api_gateway_rest_api.api.id') } },
        aws_api_gateway_resource: { fwd: { parent_id: ref('aws_api_gateway_rest_api.api.root_resource_id'), path_part: 'forward' }, item: { parent_id: ref('aws_api_gateway_resource.fwd.id'), path_part: '{item}' } },
        aws_lambda_function: {
          auth: { function_name: 'fixture-auth', handler: 'index.handler', filename: 'assets/auth.zip' },
          fwd: { function_name: 'fixture-forwarder', handler: 'lib/main.run', filename: 'assets/fwd.zip', timeout: 5, memory_size: 1024, environment: { variables: { FIXTURE_SETTING: 'from-the-stack' } } },
        },
        aws_api_gateway_authorizer: { jwt: { name: 'fixture-auth', type: 'TOKEN', authorizer_uri: ref('aws_lambda_function.auth.invoke_arn'), authorizer_result_ttl_in_seconds: 0 } },
        aws_api_gateway_method: { post: { rest_api_id: ref('aws_api_gateway_rest_api.api.id'), resource_id: ref('aws_api_gateway_resource.item.id'), http_method: 'POST', authorization: 'CUSTOM', authorizer_id: ref('aws_api_gateway_authorizer.jwt.id') } },
        aws_api_gateway_integration: {
          post: { rest_api_id: ref('aws_api_gateway_rest_api.api.id'), resource_id: ref('aws_api_gateway_method.post.resource_id'), http_method: ref('aws_api_gateway_method.post.http_method'), type: 'AWS_PROXY', integration_http_method: 'POST', uri: ref('aws_lambda_function.fwd.invoke_arn') },
        },
      },
    }));
    gateway = await new LocalGateway(loadStackModel(dir), { bedrockEndpoint: 'http://127.0.0.1:9' }).start();
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the function gets a REST (v1) proxy event with the authorizer\'s context; its response is returned as is', async () => {
    const res = await fetch(`${gateway.endpoint}/forward/a%3Ab?x=1`, { method: 'POST', headers: { authorization: 'Bearer good' }, body: '{"hello":"world"}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-fixture')).toBe('fixture-forwarder');
    expect(await res.json()).toEqual({
      path: '/forward/a%3Ab', resource: '/forward/{item}', params: { item: 'a:b' }, query: { x: '1' }, stage: 'v1',
      authorizer: { tenantId: 'acme', tier: 'gold', principalId: 'fixture', integrationLatency: expect.any(Number) },
      body: { hello: 'world' },
    });
  });

  test('the function runs in its own worker thread with exactly Lambda\'s environment: nothing of the serving process\'s leaks in, and its credentials stay out of it', async () => {
    const saved = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, BAG_SERVING_PROCESS_ONLY: process.env.BAG_SERVING_PROCESS_ONLY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDOFTHESERVINGPROCESS';
    process.env.BAG_SERVING_PROCESS_ONLY = 'yes';
    const credentials = { accessKeyId: 'ASIAFIXTURESESSION', secretAccessKey: 'fixture-secret', sessionToken: 'fixture-token' };
    const withRole = await new LocalGateway(loadStackModel(dir), {
      bedrockEndpoint: 'http://127.0.0.1:9',
      proxyFunctionEnvironment: (fn) => lambdaEnvironment(fn, 'eu-west-1', credentials, { GATEWAY_BEDROCK_ENDPOINT: 'http://127.0.0.1:9' }),
    }).start();
    try {
      const read = async (g: LocalGateway) => (await (await fetch(`${g.endpoint}/forward/x?show=env`, { method: 'POST', headers: { authorization: 'Bearer good' }, body: '{}' })).json()) as { env: Record<string, string>; memory: string };
      const lambdaVariables = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'fixture-forwarder', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', TZ: ':UTC', FIXTURE_SETTING: 'from-the-stack' };
      // The default (no proxyFunctionEnvironment): Lambda's variables and the stack's, no credentials.
      expect(await read(gateway)).toEqual({ env: lambdaVariables, memory: '1024' });
      expect((await read(withRole)).env).toEqual({ ...lambdaVariables, AWS_ACCESS_KEY_ID: 'ASIAFIXTURESESSION', AWS_SECRET_ACCESS_KEY: 'fixture-secret', AWS_SESSION_TOKEN: 'fixture-token', GATEWAY_BEDROCK_ENDPOINT: 'http://127.0.0.1:9' });
      // Nor does anything of the function's reach the serving process.
      expect([process.env.AWS_ACCESS_KEY_ID, process.env.FIXTURE_SETTING, process.env.GATEWAY_BEDROCK_ENDPOINT]).toEqual(['AKIDOFTHESERVINGPROCESS', undefined, undefined]);
    } finally {
      await withRole.stop();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  test('a function whose module fails to load (a failed cold start) answers 502 Internal server error, as API Gateway does for a Lambda init error', async () => {
    const failing = await new LocalGateway(loadStackModel(dir), {
      bedrockEndpoint: 'http://127.0.0.1:9',
      proxyFunctionEnvironment: (fn) => lambdaEnvironment(fn, 'eu-west-1', undefined, { FIXTURE_FAIL_INIT: 'on purpose' }),
    }).start();
    try {
      const res = await fetch(`${failing.endpoint}/forward/x`, { method: 'POST', headers: { authorization: 'Bearer good' }, body: '{}' });
      expect([res.status, res.headers.get('x-amzn-errortype'), await res.json()]).toEqual([502, 'InternalServerErrorException', { message: 'Internal server error' }]);
    } finally {
      await failing.stop();
    }
  });

  test('the fixture authorizer\'s Unauthorized is a 401 with API Gateway\'s default body', async () => {
    const res = await fetch(`${gateway.endpoint}/forward/x`, { method: 'POST', headers: { authorization: 'Bearer bad' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
  });
});

describe('a Lambda package\'s cold-start environment', () => {
  test('overrides are in place while the module loads (it reads them there), then the process\'s own values come back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bag-env-fixture-'));
    try {
      writeFileSync(path.join(dir, 'env.zip'), storedZip({ 'index.js': `const seen = { bucket: process.env.FIXTURE_BUCKET, endpoint: process.env.FIXTURE_ENDPOINT, kept: process.env.FIXTURE_KEPT };\nexports.handler = async () => seen;` }));
      process.env.FIXTURE_ENDPOINT = 'the process value';
      const fn = loadLambdaFunction(
        // The stack's value is a Terraform reference (known only after apply); the override is the deployed name.
        { address: 'aws_lambda_function.env', functionName: 'env-fixture', handler: 'index.handler', archive: path.join(dir, 'env.zip'), environment: { FIXTURE_BUCKET: '${aws_s3_bucket.tables.bucket}', FIXTURE_KEPT: 'from the stack' }, timeoutSeconds: 3, memoryMb: 128 },
        { FIXTURE_BUCKET: 'bedrock-gw-local-tables-abc', FIXTURE_ENDPOINT: 'http://127.0.0.1:5000' },
      );
      try {
        expect(await fn.handler({}, {} as never)).toEqual({ bucket: 'bedrock-gw-local-tables-abc', endpoint: 'http://127.0.0.1:5000', kept: 'from the stack' });
        expect([process.env.FIXTURE_BUCKET, process.env.FIXTURE_ENDPOINT, process.env.FIXTURE_KEPT]).toEqual([undefined, 'the process value', 'from the stack']);
      } finally {
        fn.dispose();
      }
    } finally {
      delete process.env.FIXTURE_ENDPOINT;
      delete process.env.FIXTURE_KEPT;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
