/**
 * The example config's identity providers (config/identity-providers.ts) as running services on
 * 127.0.0.1: per provider host, a server publishing the discovery document and the JWKS at the
 * exact paths the provider uses, and signing keys. Tokens are shaped as each provider's
 * documentation shows them (claims, header parameters), so a test passing here is a recipe a
 * user can follow. The configured https URLs stay as they are; a host map (`--resolve`) sends
 * their requests to the local servers.
 */
import type { GatewayConfig, IdentityProvider } from '../../../gateway-config/schema';
import { buildAuthorizerSettings } from '../../../gateway-config/tenant-table';
import type { EmbeddedAuthorizerSettings } from '../../../functions/authorizer/settings';
import { discoveryUrl } from '../../../token-diagnostics/check-idp';
import { resolveSettings, resolvingFetch } from '../../../token-diagnostics/cli';
import type { FetchLike } from '../../../token-diagnostics/jwks';
import { exampleConfig } from '../../helpers/config';
import { IdpServer } from '../../helpers/idp-server';
import { generateSigningKey, jwks, mint, type SigningKey } from '../../functions/authorizer/support/jwt';
import { NOW, NOW_MS } from '../../functions/authorizer/support/world';

export { NOW, NOW_MS };

export type ProviderId = 'cognito' | 'okta' | 'entra';

export interface Providers {
  readonly config: GatewayConfig;
  readonly idps: Record<ProviderId, IdentityProvider>;
  readonly keys: Record<ProviderId, SigningKey>;
  readonly servers: Record<ProviderId, IdpServer>;
  /** Provider host -> local server origin. */
  readonly resolve: ReadonlyMap<string, string>;
  readonly fetch: FetchLike;
  /** The dev environment's authorizer settings as the stack bundles them, JWKS hosts resolved locally. */
  readonly settings: EmbeddedAuthorizerSettings;
  /** Serves the discovery document and JWKS each provider publishes (again, after a test changed them). */
  publishAsProvidersDo(): void;
  close(): Promise<void>;
}

const path = (url: string) => new URL(url).pathname;

/** Discovery documents as the providers publish them (abridged to the members that matter). */
export function discoveryDocument(id: ProviderId, idp: IdentityProvider): Record<string, unknown> {
  switch (id) {
    case 'cognito':
      return {
        authorization_endpoint: 'https://example.auth.us-east-1.amazoncognito.com/oauth2/authorize',
        id_token_signing_alg_values_supported: ['RS256'],
        issuer: idp.issuer,
        jwks_uri: idp.jwksUri,
        response_types_supported: ['code', 'token'],
        scopes_supported: ['openid', 'email', 'phone', 'profile'],
        subject_types_supported: ['public'],
        token_endpoint: 'https://example.auth.us-east-1.amazoncognito.com/oauth2/token',
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        userinfo_endpoint: 'https://example.auth.us-east-1.amazoncognito.com/oauth2/userInfo',
      };
    case 'okta':
      return {
        issuer: idp.issuer,
        authorization_endpoint: `${idp.issuer}/v1/authorize`,
        token_endpoint: `${idp.issuer}/v1/token`,
        userinfo_endpoint: `${idp.issuer}/v1/userinfo`,
        jwks_uri: `${idp.issuer}/v1/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'groups'],
      };
    case 'entra': {
      const tenant = new URL(idp.issuer).pathname.split('/')[1];
      return {
        token_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
        jwks_uri: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
        authorization_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`,
        tenant_region_scope: 'NA',
      };
    }
  }
}

export async function startProviders(): Promise<Providers> {
  const config = exampleConfig();
  const find = (id: ProviderId) => {
    const idp = config.identityProviders.find((p) => p.id === id);
    if (idp === undefined) throw new Error(`the example config has no identity provider ${id}`);
    return idp;
  };
  const idps: Record<ProviderId, IdentityProvider> = { cognito: find('cognito'), okta: find('okta'), entra: find('entra') };
  const keys: Record<ProviderId, SigningKey> = {
    // Key ids as each provider writes them: Cognito base64 of a digest, Okta and Entra opaque strings.
    cognito: generateSigningKey('RS256', 'a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ0123456='),
    okta: generateSigningKey('RS256', 'okta-8Hd2Zt0sQw'),
    entra: generateSigningKey('RS256', 'nOo3ZDrODXEK1jKWhXslHR_KXEg'),
  };
  const servers: Record<ProviderId, IdpServer> = { cognito: await IdpServer.start(), okta: await IdpServer.start(), entra: await IdpServer.start() };
  const resolve = new Map((Object.keys(idps) as ProviderId[]).map((id) => [new URL(idps[id].issuer).hostname, servers[id].origin]));
  const publishAsProvidersDo = () => {
    for (const id of Object.keys(idps) as ProviderId[]) {
      servers[id].json(path(discoveryUrl(idps[id].issuer)), discoveryDocument(id, idps[id])).json(path(idps[id].jwksUri), jwks(keys[id]));
    }
  };
  publishAsProvidersDo();
  const dev = config.environments.find((e) => e.name === 'dev');
  if (dev === undefined) throw new Error('the example config has no dev environment');
  return {
    config,
    idps,
    keys,
    servers,
    resolve,
    fetch: resolvingFetch(resolve),
    settings: resolveSettings(buildAuthorizerSettings(config, dev, { embedTenants: true }), resolve),
    publishAsProvidersDo,
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}

// ---- Tokens as each provider issues them ----

/** Cognito headers carry kid and alg only (developer guide, "Understanding the access token"). */
const COGNITO_HEADER = { typ: undefined };
/** Okta access token headers: alg and kid (OIDC & OAuth 2.0 API reference, "Access token header"). */
const OKTA_HEADER = { typ: undefined };

export const COGNITO_USER_CLIENT = '4example0app0client0id0abc';
export const COGNITO_M2M_CLIENT = '5example0m2m0client0id0xyz';

/** A user's Cognito access token, plus what a pre token generation trigger added (`added`). */
export function cognitoAccessToken(p: Providers, added: Record<string, unknown> = {}): string {
  return mint(
    p.keys.cognito,
    {
      sub: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      'cognito:groups': ['ml-engineers'],
      iss: p.idps.cognito.issuer,
      version: 2,
      client_id: COGNITO_USER_CLIENT,
      origin_jti: 'aaaaaaaa-bbbb-4ccc-8ddd-000000000001',
      event_id: 'aaaaaaaa-bbbb-4ccc-8ddd-000000000002',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin openid',
      auth_time: NOW - 60,
      exp: NOW + 3600,
      iat: NOW - 60,
      jti: 'aaaaaaaa-bbbb-4ccc-8ddd-000000000003',
      username: 'alice',
      ...added,
    },
    { header: COGNITO_HEADER },
  );
}

/** A client-credentials (M2M) Cognito access token: `sub` is the app client id, no username or groups. */
export function cognitoM2MToken(p: Providers, added: Record<string, unknown> = {}): string {
  return mint(
    p.keys.cognito,
    {
      sub: COGNITO_M2M_CLIENT,
      token_use: 'access',
      scope: 'bedrock-gateway/invoke',
      auth_time: NOW - 5,
      iss: p.idps.cognito.issuer,
      exp: NOW + 3600,
      iat: NOW - 5,
      version: 2,
      jti: 'aaaaaaaa-bbbb-4ccc-8ddd-000000000004',
      client_id: COGNITO_M2M_CLIENT,
      ...added,
    },
    { header: COGNITO_HEADER },
  );
}

/** A user's Cognito ID token: custom attributes are in it without any trigger; `aud` is the app client id. */
export function cognitoIdToken(p: Providers, tenant: string | undefined, extra: Record<string, unknown> = {}): string {
  return mint(
    p.keys.cognito,
    {
      sub: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      'cognito:groups': ['ml-engineers'],
      email_verified: true,
      iss: p.idps.cognito.issuer,
      'cognito:username': 'alice',
      origin_jti: 'aaaaaaaa-bbbb-4ccc-8ddd-000000000001',
      aud: COGNITO_USER_CLIENT,
      event_id: 'aaaaaaaa-bbbb-4ccc-8ddd-000000000002',
      token_use: 'id',
      auth_time: NOW - 60,
      exp: NOW + 3600,
      iat: NOW - 60,
      jti: 'aaaaaaaa-bbbb-4ccc-8ddd-000000000005',
      email: 'alice@example.com',
      'custom:tenant_id': tenant,
      'custom:tier': 'gold',
      ...extra,
    },
    { header: COGNITO_HEADER },
  );
}

/** An Okta custom authorization server access token with the custom `tenant` and `groups` claims. */
export function oktaAccessToken(p: Providers, extra: Record<string, unknown> = {}): string {
  return mint(
    p.keys.okta,
    {
      ver: 1,
      jti: 'AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE',
      iss: p.idps.okta.issuer,
      aud: 'api://bedrock-gateway',
      iat: NOW - 30,
      exp: NOW + 3600,
      cid: '0oa1example2client3',
      uid: '00u1example2user34',
      scp: ['openid', 'bedrock.invoke'],
      sub: 'carol@example.com',
      tenant: 'globex',
      groups: ['Everyone', 'bedrock-users'],
      ...extra,
    },
    { header: OKTA_HEADER },
  );
}

/** An Entra ID v2.0 access token for the gateway's app registration, with app roles and the directory extension. */
export function entraAccessToken(p: Providers, extra: Record<string, unknown> = {}): string {
  const tenant = new URL(p.idps.entra.issuer).pathname.split('/')[1];
  return mint(
    p.keys.entra,
    {
      aud: p.idps.entra.audiences[0],
      iss: p.idps.entra.issuer,
      iat: NOW - 120,
      nbf: NOW - 120,
      exp: NOW + 4200,
      aio: 'AWQAm/8TAAAA-example',
      azp: '00000000-0000-4000-8000-0000000000bb',
      azpacr: '0',
      name: 'Dan Example',
      oid: '00000000-0000-4000-8000-0000000000cc',
      preferred_username: 'dan@example.com',
      rh: 'I',
      roles: ['Gateway.Invoke'],
      scp: 'access_as_user',
      sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ',
      tid: tenant,
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
      'extn.tenant': 'umbrella',
      ...extra,
    },
    { header: { typ: 'JWT' } },
  );
}
