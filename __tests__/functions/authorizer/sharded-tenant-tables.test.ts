/**
 * A sharded environment's authorizer reads each shard's tenant table from S3
 * (functions/authorizer/sharded-tenant-tables.ts, s3-object.ts, tenant-table-bucket.ts): against a
 * real HTTP endpoint on 127.0.0.1 that checks every request's SigV4 signature independently, it
 * fetches a shard's object on first need only, keeps it, checks it again by ETag after its maximum
 * age, and fails closed (401, reason TENANT_TABLE_UNAVAILABLE, no token in the audit line) when the
 * object cannot be read or is not a tenant table of this environment.
 */
import { TokenRejectedError } from '../../../functions/authorizer/errors';
import { createHandler } from '../../../functions/authorizer/handler';
import { s3ObjectUrl } from '../../../functions/authorizer/s3-object';
import { shardedTenantLookup, ShardedTenantTableStore, TenantTableUnavailableError, type ShardedTenantTables } from '../../../functions/authorizer/sharded-tenant-tables';
import { tenantTableFetchFromEnvironment } from '../../../functions/authorizer/tenant-table-bucket';
import { TenantTable } from '../../../functions/authorizer/tenant-table';
import type { Environment, GatewayConfig } from '../../../gateway-config/schema';
import { buildAuthorizerSettings, buildShardTenantTable } from '../../../gateway-config/tenant-table';
import { tenantShard, tenantTableKey } from '../../../gateway-config/tenant-shards';
import { validateConfig } from '../../../gateway-config/validate';
import { generatedConfigInput, generatedTenantId } from '../../helpers/generated-config';
import { S3ObjectServer } from '../../helpers/s3-object-server';
import { bearer, harness, identityProviders, methodArn, startWorld, validTokens, type World } from './support/world';

const SHARDS = 3;
const BUCKET = 'bedrock-gw-dev-tables-20260101';
const CREDENTIALS = { accessKeyId: 'ASIATESTSHARDS', secretAccessKey: 'shard-table-secret', sessionToken: 'session-token-of-the-role' };

function sharded(tenants: number, edit?: (config: ReturnType<typeof generatedConfigInput>) => void): { config: GatewayConfig; environment: Environment } {
  const input = generatedConfigInput({ tenants });
  input.environments[0].tenantShards = SHARDS;
  edit?.(input);
  const config = validateConfig(input);
  return { config, environment: config.environments[0] };
}

let s3: S3ObjectServer;
const { config, environment } = sharded(30);
const whole = new TenantTable(buildAuthorizerSettings(config, environment, { embedTenants: true }).tenants);
const spec = buildAuthorizerSettings(config, environment).tenants as ShardedTenantTables;

function publish(target: { config: GatewayConfig; environment: Environment } = { config, environment }): void {
  for (let shard = 0; shard < SHARDS; shard++) s3.put(BUCKET, tenantTableKey(shard), JSON.stringify(buildShardTenantTable(target.config, target.environment, shard)));
}

function lambdaEnvironment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    GATEWAY_TENANT_TABLE_BUCKET: BUCKET,
    AWS_REGION: 'us-east-1',
    GATEWAY_S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
    ...overrides,
  };
}

/** A store on the endpoint, with a clock the test moves. */
function store(options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  let now = 1_000_000;
  const s = new ShardedTenantTableStore(spec, 'dev', tenantTableFetchFromEnvironment(options.env ?? lambdaEnvironment(), options.timeoutMs ?? 1_000), () => now);
  return { store: s, advance: (ms: number) => (now += ms) };
}

async function unavailable(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TenantTableUnavailableError) return err.detail;
    throw err;
  }
  throw new Error('expected TenantTableUnavailableError');
}

/** A tenant id of each shard. */
const ofShard = (shard: number) => config.tenants.find((t) => tenantShard(t.id, SHARDS) === shard)!.id;

beforeEach(async () => {
  s3 = await S3ObjectServer.start({ credentials: [CREDENTIALS], region: 'us-east-1' });
  publish();
});
afterEach(async () => s3.stop());

describe('reading a shard table', () => {
  it('fetches a shard only when one of its tenants is first looked up, signed with the role credentials, and gives every tenant its entry of the whole table', async () => {
    const { store: s } = store();
    expect(s3.requests).toEqual([]);
    expect(await s.get(ofShard(1))).toEqual(whole.get(ofShard(1)));
    expect(s3.requests.map((r) => [r.path, r.status])).toEqual([[`/${BUCKET}/tenant-tables/tenants-1.json`, 200]]);
    // The session token travels (and is signed: the endpoint verified the signature).
    expect(s3.requests[0].headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(s3.requests[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIATESTSHARDS\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);

    for (const tenant of config.tenants) expect([tenant.id, await s.get(tenant.id)]).toEqual([tenant.id, whole.get(tenant.id)]);
    expect(await s.get(generatedTenantId(999))).toBeUndefined();
    expect(await s.get('__proto__')).toBeUndefined();
    // One GET per shard, however many lookups.
    expect(s3.requests.map((r) => r.path).sort()).toEqual([0, 1, 2].map((k) => `/${BUCKET}/tenant-tables/tenants-${k}.json`));
  });

  it('shares one fetch between concurrent lookups of a shard', async () => {
    const { store: s } = store();
    const tenants = config.tenants.filter((t) => tenantShard(t.id, SHARDS) === 0).map((t) => t.id);
    const entries = await Promise.all(tenants.map((id) => s.get(id)));
    expect(entries).toEqual(tenants.map((id) => whole.get(id)));
    expect(s3.requests).toHaveLength(1);
  });

  it('keeps a table for its maximum age, then checks it by ETag (304 keeps it) and takes a changed one', async () => {
    const { store: s, advance } = store();
    const tenant = ofShard(2);
    await s.get(tenant);
    advance(59_999);
    await s.get(tenant);
    expect(s3.requests).toHaveLength(1);

    advance(1);
    expect(await s.get(tenant)).toEqual(whole.get(tenant));
    expect(s3.requests.map((r) => [r.status, r.headers['if-none-match']])).toEqual([
      [200, undefined],
      [304, expect.stringMatching(/^"[0-9a-f]{32}"$/)],
    ]);

    // The tenant is disabled in the config; its shard stack publishes the new table.
    const disabled = sharded(30, (input) => (input.tenants.find((t) => t.id === tenant)!.enabled = false));
    publish(disabled);
    advance(30_000);
    expect((await s.get(tenant))?.enabled).toBe(true);
    advance(30_000);
    expect(await s.get(tenant)).toEqual({ ...whole.get(tenant), enabled: false });
    expect(s3.requests.map((r) => r.status)).toEqual([200, 304, 200]);
  });
});

describe('failing closed', () => {
  it.each([
    ['access denied', { kind: 'status', status: 403, code: 'AccessDenied' } as const, 'tenants-0: HTTP 403 AccessDenied'],
    ['an S3 error', { kind: 'status', status: 503, code: 'SlowDown' } as const, 'tenants-0: HTTP 503 SlowDown'],
    ['not JSON', { kind: 'body', body: '<html>gateway timeout</html>' } as const, 'tenants-0: not JSON'],
    ['JSON but not a tenant table', { kind: 'body', body: '{"format":"tenant-table/1","rows":{}}' } as const, 'tenants-0: not a tenant table'],
    ['a table in another format', { kind: 'body', body: '{"format":"tenant-table/2"}' } as const, 'tenants-0: not a tenant table'],
  ])('refuses when the table cannot be used: %s', async (_name, fault, detail) => {
    const { store: s } = store();
    s3.fault = fault;
    expect(await unavailable(s.get(ofShard(0)))).toBe(detail);
    // Nothing cached: the next lookup tries again, and succeeds once the object is readable.
    s3.fault = undefined;
    expect(await s.get(ofShard(0))).toEqual(whole.get(ofShard(0)));
  });

  it('refuses a missing object, a table of another environment, an endpoint that does not answer in time', async () => {
    const { store: s } = store({ timeoutMs: 300 });
    s3.put(BUCKET, tenantTableKey(1), JSON.stringify({ ...buildShardTenantTable(config, environment, 1), keyScope: { salt: 'prod', environment: 'prod' } }));
    expect(await unavailable(s.get(ofShard(1)))).toBe('tenants-1: the table of environment "prod"');
    const other = store({ env: lambdaEnvironment({ GATEWAY_TENANT_TABLE_BUCKET: 'another-bucket' }) });
    expect(await unavailable(other.store.get(ofShard(0)))).toBe('tenants-0: HTTP 404 NoSuchKey');
    s3.fault = { kind: 'hang' };
    const started = Date.now();
    expect(await unavailable(s.get(ofShard(2)))).toBe('tenants-2: timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not serve the old table when a check after its maximum age fails', async () => {
    const { store: s, advance } = store();
    await s.get(ofShard(0));
    s3.fault = { kind: 'status', status: 500, code: 'InternalError' };
    advance(60_000);
    expect(await unavailable(s.get(ofShard(0)))).toBe('tenants-0: HTTP 500 InternalError');
    // Recovered: an unconditional GET (the failed check left no table to compare against).
    s3.fault = undefined;
    expect(await s.get(ofShard(0))).toEqual(whole.get(ofShard(0)));
    expect(s3.requests.map((r) => [r.status, r.headers['if-none-match'] === undefined])).toEqual([
      [200, true],
      [500, false],
      [200, true],
    ]);
  });

  it('refuses without credentials, and a wrong signature is refused by S3', async () => {
    const none = store({ env: lambdaEnvironment({ AWS_ACCESS_KEY_ID: undefined }) });
    expect(await unavailable(none.store.get(ofShard(0)))).toBe('tenants-0: no credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
    const wrong = store({ env: lambdaEnvironment({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }) });
    expect(await unavailable(wrong.store.get(ofShard(0)))).toBe('tenants-0: HTTP 403 SignatureDoesNotMatch');
  });
});

describe('the handler over sharded tables', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world.close());

  it('allows from the shard table, and answers 401 TENANT_TABLE_UNAVAILABLE naming tenant and shard (never the token) when it cannot be read', async () => {
    const idps = identityProviders(Object.fromEntries(Object.entries(world.servers).map(([name, s]) => [name, s.jwksUri])) as Parameters<typeof identityProviders>[0]);
    const settings = { ...buildAuthorizerSettings(config, environment), identityProviders: idps };
    const h = harness(settings, { tenants: shardedTenantLookup(settings, tenantTableFetchFromEnvironment(lambdaEnvironment(), 1_000)) });
    // t00002: gold (2 % 3), okta (2 % 3) in the generated pattern.
    const tenant = 't00002';
    const allowed = await h.call(bearer(validTokens(world, tenant).okta()), methodArn('anthropic.claude-3-haiku-20240307-v1:0'));
    expect([allowed.status, h.lastLine().decision, h.lastLine().reason, h.lastLine().tenant]).toEqual(['policy', 'allow', 'ALLOWED', tenant]);

    const other = config.tenants.find((t) => tenantShard(t.id, SHARDS) !== tenantShard(tenant, SHARDS) && t.identityProviders.includes('okta'))!.id;
    s3.fault = { kind: 'status', status: 403, code: 'AccessDenied' };
    const token = validTokens(world, other).okta();
    expect(await h.call(bearer(token), methodArn('anthropic.claude-3-haiku-20240307-v1:0'))).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ decision: 'unauthorized', reason: 'TENANT_TABLE_UNAVAILABLE', detail: `tenants-${tenantShard(other, SHARDS)}: HTTP 403 AccessDenied`, tenant: other, idp: 'okta' });
    expect(h.raw.join('\n')).not.toContain(token.split('.')[2]);
    // The shard already read keeps answering.
    expect((await h.call(bearer(validTokens(world, tenant).okta()), methodArn('anthropic.claude-3-haiku-20240307-v1:0'))).status).toBe('policy');
  });
});

describe('configuration', () => {
  it('needs a bucket and a region, and takes an endpoint override on loopback only', () => {
    expect(() => tenantTableFetchFromEnvironment(lambdaEnvironment({ GATEWAY_TENANT_TABLE_BUCKET: undefined }), 1_000)).toThrow(new Error('GATEWAY_TENANT_TABLE_BUCKET is not set: the sharded tenant tables have no bucket'));
    expect(() => tenantTableFetchFromEnvironment(lambdaEnvironment({ AWS_REGION: undefined }), 1_000)).toThrow(new Error('AWS_REGION is not set: the sharded tenant tables have no region'));
    for (const bad of ['https://s3.us-east-1.amazonaws.com', 'http://10.0.0.1:9000', 'file:///etc/passwd', 'nonsense']) {
      expect(() => tenantTableFetchFromEnvironment(lambdaEnvironment({ GATEWAY_S3_ENDPOINT: bad }), 1_000)).toThrow(new Error('GATEWAY_S3_ENDPOINT must be an http(s) URL on the loopback interface'));
    }
    expect(typeof tenantTableFetchFromEnvironment(lambdaEnvironment({ GATEWAY_S3_ENDPOINT: undefined }), 1_000)).toBe('function');
  });

  it('reads from the regional virtual-hosted endpoint on AWS, path-style on an emulator', () => {
    expect(s3ObjectUrl({ bucket: BUCKET, region: 'eu-west-1' }, 'tenant-tables/tenants-3.json').href).toBe(`https://${BUCKET}.s3.eu-west-1.amazonaws.com/tenant-tables/tenants-3.json`);
    expect(s3ObjectUrl({ bucket: BUCKET, region: 'cn-north-1' }, 'tenant-tables/tenants-0.json').href).toBe(`https://${BUCKET}.s3.cn-north-1.amazonaws.com.cn/tenant-tables/tenants-0.json`);
    expect(s3ObjectUrl({ bucket: BUCKET, region: 'us-east-1', endpoint: 'http://127.0.0.1:5000/' }, 'tenant-tables/tenants-0.json').href).toBe(`http://127.0.0.1:5000/${BUCKET}/tenant-tables/tenants-0.json`);
  });

  it('a handler over sharded settings needs the lookup; unsharded settings refuse one', () => {
    expect(() => createHandler(buildAuthorizerSettings(config, environment))).toThrow(new Error('sharded tenant tables: the handler needs a lookup that reads them (sharded-index.ts)'));
    expect(() => shardedTenantLookup(buildAuthorizerSettings(config, environment, { embedTenants: true }), tenantTableFetchFromEnvironment(lambdaEnvironment(), 1_000))).toThrow(
      new Error('sharded tenant tables: the settings carry the table itself (build the handler without a lookup)'),
    );
  });

  it('is a TokenRejectedError, so the handler refuses with 401 as for an unavailable JWKS', () => {
    expect(new TenantTableUnavailableError('acme', 'tenants-0: timeout')).toBeInstanceOf(TokenRejectedError);
  });
});
