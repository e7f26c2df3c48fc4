/**
 * The authorizer tests' world: five identity providers shaped like Cognito (access and ID
 * tokens), Okta, Entra ID v2 and a generic RFC 9068 issuer, each with its own JWKS served over
 * HTTP on 127.0.0.1, a tenant table, a frozen clock, and a harness that runs the real handler
 * and captures its audit lines.
 */
import type { AuditLine } from '../../../../functions/authorizer/audit';
import { createHandler, type HandlerOptions, type TokenAuthorizerHandler } from '../../../../functions/authorizer/handler';
import type { AuthorizerResponse } from '../../../../functions/authorizer/policy';
import type { AuthorizerSettings, EmbeddedAuthorizerSettings, IdentityProviderSettings } from '../../../../functions/authorizer/settings';
import { packTenantTable } from '../../../../functions/authorizer/tenant-table';
import { JwksServer } from '../../../helpers/jwks-server';
import { generateSigningKey, jwks, mint, type MintOptions, type SigningKey } from './jwt';

/** Frozen clock: 2025-06-15T12:00:00Z. */
export const NOW_MS = Date.UTC(2025, 5, 15, 12, 0, 0);
export const NOW = NOW_MS / 1000;

export const API_PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev';

export const MODELS = {
  haiku: 'anthropic.claude-3-haiku-20240307-v1:0',
  sonnet: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  titan: 'amazon.titan-text-express-v1',
  llama: 'meta.llama3-8b-instruct-v1:0',
  profile: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
} as const;

export const ROUTES = ['converse', 'invoke'] as const;

/** A method ARN as API Gateway builds it; `encoding` is how the client sent the model id's `:`. */
export function methodArn(model: string, route = 'converse', encoding: 'raw' | 'upper' | 'lower' = 'upper', verb = 'POST'): string {
  const segment = encoding === 'raw' ? model : model.replaceAll(':', encoding === 'upper' ? '%3A' : '%3a');
  return `${API_PREFIX}/${verb}/model/${segment}/${route}`;
}

export const ISSUERS = {
  cognito: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1',
  cognitoId: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool2',
  okta: 'https://example.okta.com/oauth2/default',
  entra: 'https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/v2.0',
  rfc9068: 'https://auth.example.com/',
} as const;

export const AUDIENCES = {
  cognitoClient: '7abcdefghijklmnopqrstuvwx1',
  cognitoIdClient: '3idtokenclient0000000000001',
  okta: 'api://default',
  entraUri: 'api://bedrock-gateway',
  entraAppId: '00000000-0000-4000-8000-0000000000aa',
  rfc9068: 'https://gateway.example.com',
} as const;

export type IdpName = keyof typeof ISSUERS;

export interface World {
  readonly servers: Record<IdpName, JwksServer>;
  readonly keys: {
    readonly cognito: SigningKey;
    readonly cognitoId: SigningKey;
    readonly okta: SigningKey;
    /** Entra publishes several keys; tokens carry `kid`. */
    readonly entra: SigningKey;
    readonly entraSecond: SigningKey;
    /** ES256, accepted by the Entra-shaped IdP as a configured extra algorithm. */
    readonly entraEc: SigningKey;
    readonly rfc9068: SigningKey;
  };
  readonly settings: EmbeddedAuthorizerSettings;
  close(): Promise<void>;
}

/** The IdP settings; `jwksUri` filled from the world's servers. */
export function identityProviders(uris: Record<IdpName, string>): IdentityProviderSettings[] {
  return [
    {
      id: 'cognito',
      kind: 'cognito',
      issuer: ISSUERS.cognito,
      jwksUri: uris.cognito,
      audiences: [AUDIENCES.cognitoClient],
      algorithms: ['RS256'],
      tokenUse: 'access',
      claims: { tenant: 'custom:tenant_id', role: 'cognito:groups', tier: 'custom:tier' },
      clockToleranceSeconds: 5,
    },
    {
      id: 'cognito-id',
      kind: 'cognito',
      issuer: ISSUERS.cognitoId,
      jwksUri: uris.cognitoId,
      audiences: [AUDIENCES.cognitoIdClient],
      algorithms: ['RS256'],
      tokenUse: 'id',
      claims: { tenant: 'custom:tenant_id', role: 'cognito:groups', tier: 'custom:tier' },
      clockToleranceSeconds: 5,
    },
    {
      id: 'okta',
      kind: 'oidc',
      issuer: ISSUERS.okta,
      jwksUri: uris.okta,
      audiences: [AUDIENCES.okta],
      algorithms: ['RS256'],
      tokenUse: 'access',
      claims: { tenant: 'tenant', role: 'groups', tier: 'tier' },
      clockToleranceSeconds: 5,
    },
    {
      id: 'entra',
      kind: 'oidc',
      issuer: ISSUERS.entra,
      jwksUri: uris.entra,
      audiences: [AUDIENCES.entraUri, AUDIENCES.entraAppId],
      algorithms: ['RS256', 'ES256'],
      tokenUse: 'access',
      claims: { tenant: 'extn.tenant', role: 'roles' },
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: 86400,
    },
    {
      id: 'rfc9068',
      kind: 'oidc',
      issuer: ISSUERS.rfc9068,
      jwksUri: uris.rfc9068,
      audiences: [AUDIENCES.rfc9068],
      algorithms: ['ES256'],
      tokenUse: 'access',
      requiredTyp: 'at+jwt',
      claims: { tenant: 'tenant_id', role: 'roles', tier: 'tier' },
      clockToleranceSeconds: 0,
    },
  ];
}

export function testSettings(uris: Record<IdpName, string>, overrides: Partial<EmbeddedAuthorizerSettings> = {}): EmbeddedAuthorizerSettings {
  return {
    environment: 'test',
    maxTokenBytes: 8192,
    // Generous: a loaded CI machine can take longer than 300 ms to serve the first JWKS fetch;
    // the timeout tests (jwks-failures.test.ts) set their own short bound.
    jwksTimeoutMs: 5000,
    routes: [...ROUTES],
    identityProviders: identityProviders(uris),
    tenants: packTenantTable({
      acme: { apiKey: 'bag-acme-key', tier: 'gold', enabled: true, models: [MODELS.sonnet, MODELS.haiku].sort(), identityProviders: ['cognito', 'cognito-id', 'okta'] },
      globex: { apiKey: 'bag-globex-key', tier: 'silver', enabled: true, models: [MODELS.haiku], identityProviders: ['entra', 'rfc9068'] },
      hooli: { apiKey: 'bag-hooli-key', tier: 'bronze', enabled: true, models: [MODELS.titan], identityProviders: ['okta', 'entra'] },
      initech: { apiKey: 'bag-initech-key', tier: 'silver', enabled: false, models: [MODELS.haiku], identityProviders: ['cognito'] },
      umbrella: { apiKey: 'bag-umbrella-key', tier: 'silver', enabled: true, models: [MODELS.llama, MODELS.profile].sort(), identityProviders: ['cognito', 'rfc9068'] },
      vacant: { apiKey: 'bag-vacant-key', tier: 'bronze', enabled: true, models: [], identityProviders: ['cognito'] },
    }),
    ...overrides,
  };
}

export async function startWorld(): Promise<World> {
  const keys = {
    cognito: generateSigningKey('RS256', 'cognito-key-1'),
    cognitoId: generateSigningKey('RS256', 'cognito-id-key-1'),
    okta: generateSigningKey('RS256', 'okta-key-1'),
    entra: generateSigningKey('RS256', 'entra-key-1'),
    entraSecond: generateSigningKey('RS256', 'entra-key-2'),
    entraEc: generateSigningKey('ES256', 'entra-ec-1'),
    rfc9068: generateSigningKey('ES256', 'rfc9068-key-1'),
  };
  const servers: Record<IdpName, JwksServer> = {
    cognito: await JwksServer.start(jwks(keys.cognito)),
    cognitoId: await JwksServer.start(jwks(keys.cognitoId)),
    okta: await JwksServer.start(jwks(keys.okta)),
    entra: await JwksServer.start(jwks(keys.entra, keys.entraSecond, keys.entraEc)),
    rfc9068: await JwksServer.start(jwks(keys.rfc9068)),
  };
  const uris = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, s.jwksUri])) as Record<IdpName, string>;
  return {
    servers,
    keys,
    settings: testSettings(uris),
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}

// ---- Claims as each IdP issues them (abridged to what matters, plus typical extras). ----

export function cognitoAccessClaims(tenant: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: 'a1b2c3d4-0000-4000-8000-00000000cafe',
    'cognito:groups': ['developers', 'admins'],
    iss: ISSUERS.cognito,
    version: 2,
    client_id: AUDIENCES.cognitoClient,
    origin_jti: 'b7e1c8f0-0000-4000-8000-000000000001',
    token_use: 'access',
    scope: 'openid bedrock/invoke',
    auth_time: NOW - 60,
    exp: NOW + 3600,
    iat: NOW - 60,
    jti: 'c1d2e3f4-0000-4000-8000-000000000002',
    username: 'alice',
    'custom:tenant_id': tenant,
    ...extra,
  };
}

export function cognitoIdClaims(tenant: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: 'a1b2c3d4-0000-4000-8000-00000000beef',
    'cognito:groups': ['analysts'],
    email_verified: true,
    iss: ISSUERS.cognitoId,
    'cognito:username': 'bob',
    origin_jti: 'b7e1c8f0-0000-4000-8000-000000000003',
    aud: AUDIENCES.cognitoIdClient,
    token_use: 'id',
    auth_time: NOW - 60,
    exp: NOW + 3600,
    iat: NOW - 60,
    jti: 'c1d2e3f4-0000-4000-8000-000000000004',
    email: 'bob@example.com',
    'custom:tenant_id': tenant,
    ...extra,
  };
}

export function oktaAccessClaims(tenant: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ver: 1,
    jti: 'AT.okta-0000000000000000000000000000',
    iss: ISSUERS.okta,
    aud: AUDIENCES.okta,
    iat: NOW - 30,
    exp: NOW + 3600,
    cid: '0oa1example2client3',
    uid: '00u1example2user3',
    scp: ['openid', 'bedrock.invoke'],
    auth_time: NOW - 30,
    sub: 'carol@example.com',
    tenant,
    groups: ['Everyone', 'ml-engineers'],
    ...extra,
  };
}

/** A v2.0 access token: its `aud` is always the API's application (client) id, never the api:// URI. */
export function entraAccessClaims(tenant: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: AUDIENCES.entraAppId,
    iss: ISSUERS.entra,
    iat: NOW - 120,
    nbf: NOW - 120,
    exp: NOW + 3600,
    aio: 'AWQAm/8TAAAA-example',
    azp: '00000000-0000-4000-8000-0000000000bb',
    azpacr: '1',
    name: 'Dan Example',
    oid: '00000000-0000-4000-8000-0000000000cc',
    preferred_username: 'dan@example.com',
    rh: '0.AAAA-example.',
    roles: ['Gateway.Invoke'],
    scp: 'access_as_user',
    sub: 'Zx9-entra-pairwise-subject-0000000000000',
    tid: '11111111-2222-4333-8444-555555555555',
    uti: 'example-uti',
    ver: '2.0',
    'extn.tenant': tenant,
    ...extra,
  };
}

export function rfc9068Claims(tenant: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUERS.rfc9068,
    exp: NOW + 600,
    aud: AUDIENCES.rfc9068,
    sub: 'service-account-7',
    client_id: 'svc-7',
    iat: NOW - 5,
    jti: 'rfc9068-jti-1',
    tenant_id: tenant,
    roles: 'batch',
    ...extra,
  };
}

/** Valid tokens per IdP for `tenant`. */
export function validTokens(world: World, tenant = 'acme') {
  const { keys } = world;
  return {
    cognito: (extra?: Record<string, unknown>, options?: MintOptions) => mint(keys.cognito, cognitoAccessClaims(tenant, extra), options),
    cognitoId: (extra?: Record<string, unknown>, options?: MintOptions) => mint(keys.cognitoId, cognitoIdClaims(tenant, extra), options),
    okta: (extra?: Record<string, unknown>, options?: MintOptions) => mint(keys.okta, oktaAccessClaims(tenant, extra), options),
    entra: (extra?: Record<string, unknown>, options?: MintOptions) => mint(keys.entra, entraAccessClaims(tenant, extra), options),
    rfc9068: (extra?: Record<string, unknown>, options?: MintOptions) =>
      mint(keys.rfc9068, rfc9068Claims(tenant, extra), { ...options, header: { typ: 'at+jwt', ...options?.header } }),
  };
}

// ---- The harness ----

export type Outcome =
  | { readonly status: 401 }
  | { readonly status: 'policy'; readonly response: AuthorizerResponse };

export interface Harness {
  readonly handler: TokenAuthorizerHandler;
  /** Raw audit lines, as written. */
  readonly raw: string[];
  readonly lines: AuditLine[];
  /** Runs the handler; a rejection must be exactly `Error("Unauthorized")`, anything else fails the test. */
  call(authorizationToken: string | undefined, arn?: string): Promise<Outcome>;
  lastLine(): AuditLine;
}

export function harness(settings: AuthorizerSettings, options: HandlerOptions = {}): Harness {
  const raw: string[] = [];
  const lines: AuditLine[] = [];
  const handler = createHandler(settings, {
    now: () => NOW_MS,
    ...options,
    audit: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line) as AuditLine);
    },
  });
  return {
    handler,
    raw,
    lines,
    async call(authorizationToken, arn = methodArn(MODELS.haiku)) {
      const event = { type: 'TOKEN' as const, methodArn: arn, ...(authorizationToken !== undefined ? { authorizationToken } : {}) };
      try {
        return { status: 'policy', response: await handler(event) };
      } catch (err) {
        if (!(err instanceof Error) || err.message !== 'Unauthorized' || Object.getPrototypeOf(err) !== Error.prototype) {
          throw new Error(`handler rejected with something other than Error("Unauthorized"): ${String(err)}`);
        }
        return { status: 401 };
      }
    },
    lastLine() {
      const line = lines.at(-1);
      if (line === undefined) throw new Error('no audit line written');
      return line;
    },
  };
}

export function bearer(token: string): string {
  return `Bearer ${token}`;
}
