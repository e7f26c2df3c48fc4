/**
 * The normalized tenant table (functions/authorizer/tenant-table.ts, built by
 * gateway-config/tenant-table.ts) against today's: the table as it was built before normalization
 * is kept here as the oracle, and for generated configs (thousands of tenants, model overrides,
 * own plans, disabled tenants, several identity providers) every tenant must come out exactly as
 * it did, and the real handler must give exactly the same responses and audit lines over both, and
 * over the sharded tables (each shard's slice read from a signed S3 GET on 127.0.0.1, as a sharded
 * environment's authorizer reads it).
 */
import { tenantResources } from '../../../functions/authorizer/policy';
import type { AuthorizerSettings, TenantEntry } from '../../../functions/authorizer/settings';
import { packTenantTable, TenantTable, type PackedTenantTable } from '../../../functions/authorizer/tenant-table';
import { apiKeyValue, effectiveModels } from '../../../gateway-config/derive';
import type { Environment, GatewayConfig } from '../../../gateway-config/schema';
import { buildAuthorizerSettings, buildShardTenantTable } from '../../../gateway-config/tenant-table';
import { tenantTableKey } from '../../../gateway-config/tenant-shards';
import { tenantTableFetchFromEnvironment } from '../../../functions/authorizer/tenant-table-bucket';
import { shardedTenantLookup } from '../../../functions/authorizer/sharded-tenant-tables';
import { S3ObjectServer } from '../../helpers/s3-object-server';
import { validateConfig } from '../../../gateway-config/validate';
import { generatedConfigInput, generatedTenantId, seededRandom } from '../../helpers/generated-config';
import { API_PREFIX, bearer, harness, identityProviders, methodArn, ROUTES, startWorld, validTokens, type World } from './support/world';

/** Today's table (before normalization): tenant id -> full entry, every tenant with its own model list. */
function legacyTenantTable(config: GatewayConfig, environment: Environment): Record<string, TenantEntry> {
  const tenants = [...config.tenants].sort((a, b) => a.id.localeCompare(b.id));
  return Object.fromEntries(
    tenants.map((tenant) => [
      tenant.id,
      {
        apiKey: apiKeyValue(environment, tenant.id),
        tier: tenant.tier,
        enabled: tenant.enabled,
        models: effectiveModels(config, tenant),
        identityProviders: [...tenant.identityProviders],
      },
    ]),
  );
}

function generated(tenants: number, seed?: number, shards?: number): { config: GatewayConfig; environment: Environment } {
  const input = generatedConfigInput({ tenants, seed });
  if (shards !== undefined) input.environments[0].tenantShards = shards;
  // Real tenant ids that are also Object.prototype property names.
  input.tenants.push({ id: 'constructor', tier: 'gold', identityProviders: ['okta'] }, { id: 'tostring', tier: 'bronze', identityProviders: ['entra'], enabled: false });
  const config = validateConfig(input);
  return { config, environment: config.environments[0] };
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

describe('normalized tenant table', () => {
  it.each([
    ['the fixed pattern, 3,000 tenants', 3_000, undefined],
    ['random overrides, seed 1', 2_000, 1],
    ['random overrides, seed 2', 2_000, 2],
    ['random overrides, seed 3', 2_000, 3],
  ])('gives every tenant exactly as today: %s', (_name, count, seed) => {
    const { config, environment } = generated(count, seed);
    const legacy = legacyTenantTable(config, environment);
    // Through JSON, as the bundle carries it.
    const table = new TenantTable(JSON.parse(JSON.stringify(buildAuthorizerSettings(config, environment, { embedTenants: true }).tenants)) as PackedTenantTable);

    expect(table.size).toBe(Object.keys(legacy).length);
    expect(table.ids()).toEqual(Object.keys(legacy).sort());
    // Every key derived in the function (none carried), and equal to the Terraform key's value.
    expect(Object.keys(buildAuthorizerSettings(config, environment, { embedTenants: true }).tenants.apiKeys)).toEqual([]);
    const mismatches = Object.entries(legacy).filter(([id, entry]) => JSON.stringify(table.get(id)) !== JSON.stringify(entry));
    expect(mismatches).toEqual([]);
    // (some of each kind, or the property is vacuous)
    expect(Object.values(legacy).filter((e) => !e.enabled).length).toBeGreaterThan(10);
    expect(new Set(Object.values(legacy).map((e) => e.models.join())).size).toBeGreaterThan(4);
    expect(new Set(Object.values(legacy).map((e) => e.identityProviders.join())).size).toBeGreaterThan(3);
  });

  it('writes every model id, model list and identity-provider list once; tenants on their tier refer to it', () => {
    const { config, environment } = generated(3_000);
    const packed = buildAuthorizerSettings(config, environment, { embedTenants: true }).tenants;
    const json = JSON.stringify(packed);
    for (const model of config.models) expect([model.id, json.split(`"${model.id}"`).length - 1]).toEqual([model.id, 1]);
    expect(new Set(packed.modelLists.map((l) => l.join())).size).toBe(packed.modelLists.length);
    expect(new Set(packed.idpLists.map((l) => l.join())).size).toBe(packed.idpLists.length);
    // Every 10th tenant overrides its models (the generator's pattern); the rest refer to their tier.
    const own = Object.keys(packed.rows).filter((id) => packed.modelList[packed.rows[id]] !== -1);
    expect(own.length).toBe(300);
    expect(own.every((id) => id === 'constructor' || Number(id.slice(1)) % 10 === 0)).toBe(true);
    // One short row per tenant: the table grows by well under 100 bytes a tenant.
    const bigger = JSON.stringify(buildAuthorizerSettings(...(Object.values(generated(6_000)) as [GatewayConfig, Environment]), { embedTenants: true }).tenants);
    expect((bigger.length - json.length) / 3_000).toBeLessThan(100);
  });

  it('is deterministic: the same config gives the same JSON, whatever order the tenants are written in', () => {
    const { config, environment } = generated(500, 9);
    const reversed: GatewayConfig = { ...config, tenants: [...config.tenants].reverse() };
    expect(JSON.stringify(buildAuthorizerSettings(reversed, environment, { embedTenants: true }))).toBe(JSON.stringify(buildAuthorizerSettings(config, environment, { embedTenants: true })));
  });

  it('finds nothing for prototype property names, and finds real tenants of those names', () => {
    const entry: TenantEntry = { apiKey: 'k', tier: 'gold', enabled: true, models: ['m.a'], identityProviders: ['x'] };
    const table = new TenantTable(JSON.parse(JSON.stringify(packTenantTable({ acme: entry }))) as PackedTenantTable);
    for (const key of PROTOTYPE_KEYS) expect([key, table.get(key)]).toEqual([key, undefined]);
    expect(table.get('acme')).toEqual(entry);

    const named = new TenantTable(JSON.parse(JSON.stringify(packTenantTable(PROTOTYPE_KEYS.map((k, i) => [k, { ...entry, apiKey: `k${i}` }] as const)))) as PackedTenantTable);
    expect(PROTOTYPE_KEYS.map((k) => named.get(k)?.apiKey)).toEqual(PROTOTYPE_KEYS.map((_, i) => `k${i}`));
    expect(named.get('acme')).toBeUndefined();
  });

  it('refuses a table in another format, naming it', () => {
    expect(() => new TenantTable({ acme: {} } as unknown as PackedTenantTable)).toThrow(new Error('unsupported tenant table format: undefined'));
  });
});

describe('decisions over the normalized table', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world.close());

  it('are exactly today\'s for every tenant x identity provider x model x route (allow/deny, usageIdentifierKey, context, audit line), embedded and sharded', async () => {
    const { config, environment } = generated(300, 7);
    // The same config in 4 shards: the core's settings name the shards, each shard's table is an S3 object.
    const sharded = generated(300, 7, 4);
    const credentials = { accessKeyId: 'AKIDEQUIVALENCE', secretAccessKey: 'equivalence-secret' };
    const s3 = await S3ObjectServer.start({ credentials: [credentials], region: 'us-east-1' });
    for (let shard = 0; shard < 4; shard++) s3.put('tables', tenantTableKey(shard), JSON.stringify(buildShardTenantTable(sharded.config, sharded.environment, shard)));
    const fetchTenantTable = tenantTableFetchFromEnvironment(
      { GATEWAY_TENANT_TABLE_BUCKET: 'tables', AWS_REGION: 'us-east-1', GATEWAY_S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
      1_000,
    );
    const built = buildAuthorizerSettings(config, environment, { embedTenants: true });
    // The example's identity providers (cognito, entra, okta), served by the test world's JWKS.
    const idps = identityProviders(Object.fromEntries(Object.entries(world.servers).map(([name, s]) => [name, s.jwksUri])) as Parameters<typeof identityProviders>[0]);
    const base: Omit<AuthorizerSettings, 'tenants'> = { ...built, identityProviders: idps };
    const normalized = harness({ ...base, tenants: built.tenants });
    const shardedSettings = buildAuthorizerSettings(sharded.config, sharded.environment);
    expect(shardedSettings.tenants).toEqual({ format: 'tenant-table-shards/1', shards: 4, maxAgeSeconds: 60 });
    const fromShards = harness({ ...base, tenants: shardedSettings.tenants }, { tenants: shardedTenantLookup(shardedSettings, fetchTenantTable) });
    // The oracle: today's entries, packed without tier references (each tenant its own list).
    const oracle = harness({ ...base, tenants: packTenantTable(legacyTenantTable(config, environment)) });
    expect(JSON.stringify(packTenantTable(legacyTenantTable(config, environment)))).not.toBe(JSON.stringify(built.tenants));

    const random = seededRandom(11);
    const models = [...config.models.map((m) => m.id), 'cohere.command-r-v1:0'];
    const claims = [...config.tenants.map((t) => t.id), generatedTenantId(99_999), ...PROTOTYPE_KEYS];
    const outcomes = new Map<string, number>();
    let calls = 0;
    for (const tenant of claims) {
      const tokens = validTokens(world, tenant);
      for (const idp of ['cognito', 'okta', 'entra'] as const) {
        const token = bearer(tokens[idp]());
        for (const model of models) {
          const arn = methodArn(model, random() < 0.5 ? 'converse' : 'invoke', random() < 0.5 ? 'upper' : 'raw');
          const [expected, actual, viaShards] = [await oracle.call(token, arn), await normalized.call(token, arn), await fromShards.call(token, arn)];
          expect(actual).toEqual(expected);
          expect(normalized.lastLine()).toEqual({ ...oracle.lastLine(), latencyMs: normalized.lastLine().latencyMs });
          expect(viaShards).toEqual(expected);
          expect(fromShards.lastLine()).toEqual({ ...oracle.lastLine(), latencyMs: fromShards.lastLine().latencyMs });
          const key = `${oracle.lastLine().decision}:${oracle.lastLine().reason}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          calls++;
        }
      }
    }
    expect(calls).toBe((config.tenants.length + 1 + PROTOTYPE_KEYS.length) * 3 * models.length);
    // Each shard's object was read once (then kept), every request signed and answered 200.
    expect(s3.requests.map((r) => [r.path, r.status]).sort()).toEqual([0, 1, 2, 3].map((shard) => [`/tables/${tenantTableKey(shard)}`, 200]));
    await s3.stop();
    // Every kind of decision was exercised.
    expect([...outcomes.keys()].sort()).toEqual([
      'allow:ALLOWED',
      'deny:IDP_NOT_ALLOWED_FOR_TENANT',
      'deny:MODEL_NOT_ALLOWED',
      'deny:TENANT_DISABLED',
      'deny:TENANT_UNKNOWN',
    ]);
  }, 300_000);

  it('an allowed tenant on its tier\'s models gets the tier\'s models, its own API key and its context', async () => {
    const { config, environment } = generated(60);
    const built = buildAuthorizerSettings(config, environment, { embedTenants: true });
    const idps = identityProviders(Object.fromEntries(Object.entries(world.servers).map(([name, s]) => [name, s.jwksUri])) as Parameters<typeof identityProviders>[0]);
    const h = harness({ ...built, identityProviders: idps });
    // t00001: silver (1 % 3), entra (1 % 3), on silver's models.
    const outcome = await h.call(bearer(validTokens(world, 't00001').entra()), methodArn('amazon.titan-text-express-v1'));
    if (outcome.status !== 'policy') throw new Error('expected a policy');
    expect(outcome.response.usageIdentifierKey).toBe(apiKeyValue(environment, 't00001'));
    expect(outcome.response.policyDocument.Statement[0].Effect).toBe('Allow');
    const silver = [...config.tiers.find((t) => t.name === 'silver')!.models].sort();
    expect(outcome.response.policyDocument.Statement[0].Resource).toEqual(tenantResources(API_PREFIX, silver, ROUTES));
    expect(outcome.response.context).toMatchObject({ tenantId: 't00001', tier: 'silver', idp: 'entra', env: 'dev' });
  });
});
