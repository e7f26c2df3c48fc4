/**
 * The development identity provider of emulator environments (`emulator.developmentIdp`): for
 * each configured provider `<id>` it serves `<url>/idp/<id>/jwks.json` (and a discovery document)
 * on loopback, and signs tokens with that provider's claim shapes (Cognito: `client_id` and
 * `token_use`; OIDC: `aud`; the tenant and role claims the config names), so the real authorizer
 * bundle applies the same rules to them as to the real provider's tokens.
 *
 * The signing key is generated on first use and kept in `.local/dev-idp/` (git-ignored, mode
 * 0600): tokens stay valid across restarts of `npm start`, and no key is ever committed.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Environment, GatewayConfig, IdentityProvider } from '../gateway-config/schema';
import { developmentIssuer } from '../gateway-config/tenant-table';
import { LOOPBACK, listenOnLoopback } from './loopback';

export const DEV_IDP_KEY_DIR = path.resolve(__dirname, '..', '.local', 'dev-idp');
/** @default token lifetime: one hour. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
export const DEFAULT_DEV_ROLE = 'developer';

export interface DevSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

/** The development key in `dir` (created there on first use). */
export function devSigningKey(dir: string = DEV_IDP_KEY_DIR): DevSigningKey {
  const file = path.join(dir, 'signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // Written whole under a private name, then linked into place: link fails if another process
    // got there first, and then every process uses that one key (never half a file, never two keys).
    const scratch = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
    writeFileSync(scratch, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(scratch, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(scratch);
    }
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  // A kid derived from the key: a regenerated key gets a new kid.
  const kid = `dev-${String(jwk.n).slice(0, 16)}`;
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

export class DevIdpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevIdpError';
  }
}

export interface DevTokenRequest {
  readonly tenant: string;
  /** Which configured provider the token imitates. @default the tenant's first */
  readonly idp?: string;
  /** @default developer */
  readonly role?: string;
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** Subject. @default `dev-user@<tenant>` */
  readonly subject?: string;
  /** Seconds since the epoch. @default now */
  readonly now?: number;
}

/** The development IdP base URL of an environment, or a clear error. */
export function developmentIdpUrl(environment: Environment): string {
  const url = environment.emulator?.developmentIdp?.url;
  if (url === undefined) throw new DevIdpError(`environment ${environment.name} has no development identity provider (emulator.developmentIdp): only emulator environments can have one`);
  return url;
}

/** Signs a development token for `request.tenant` as the environment's development IdP would issue it. */
export function mintDevToken(config: GatewayConfig, environment: Environment, request: DevTokenRequest, key: DevSigningKey = devSigningKey()): string {
  const baseUrl = developmentIdpUrl(environment);
  const tenant = config.tenants.find((t) => t.id === request.tenant);
  if (!tenant) throw new DevIdpError(`--tenant ${JSON.stringify(request.tenant)}: no such tenant; the config has ${config.tenants.map((t) => t.id).join(', ')}`);
  const idpId = request.idp ?? tenant.identityProviders[0];
  const idp = config.identityProviders.find((p) => p.id === idpId);
  if (!idp) throw new DevIdpError(`--idp ${JSON.stringify(idpId)}: no such identity provider; the config has ${config.identityProviders.map((p) => p.id).join(', ')}`);
  if (!idp.algorithms.includes('RS256')) throw new DevIdpError(`identity provider ${idp.id} does not accept RS256, the development IdP's algorithm (it accepts ${idp.algorithms.join(', ')})`);
  const ttl = request.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl === 0) throw new DevIdpError(`--ttl ${JSON.stringify(request.ttlSeconds)}: must be a whole number of seconds (negative gives an expired token)`);
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const role = request.role ?? DEFAULT_DEV_ROLE;
  const payload: Record<string, unknown> = {
    iss: developmentIssuer(baseUrl, idp.id),
    sub: request.subject ?? `dev-user@${tenant.id}`,
    iat: Math.min(now, now + ttl),
    exp: now + ttl,
    [idp.claims.tenant]: tenant.id,
    [idp.claims.role]: idp.kind === 'cognito' ? [role] : role,
    ...audienceClaims(idp),
  };
  return signJwt(payload, key, idp.requiredTyp);
}

function audienceClaims(idp: IdentityProvider): Record<string, unknown> {
  if (idp.kind === 'cognito') return idp.tokenUse === 'access' ? { token_use: 'access', client_id: idp.audiences[0] } : { token_use: 'id', aud: idp.audiences[0] };
  return { aud: idp.audiences[0] };
}

export function signJwt(payload: Record<string, unknown>, key: DevSigningKey, typ?: string): string {
  const header = { alg: 'RS256', kid: key.kid, typ: typ ?? 'JWT' };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** Serves the JWKS and discovery document of every provider under `/idp/<id>/`. */
export class DevIdpServer {
  private server: Server | undefined;
  /** JWKS requests served (tests). */
  requests = 0;

  constructor(
    private readonly providerIds: readonly string[],
    private readonly key: DevSigningKey = devSigningKey(),
  ) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the development IdP is not listening');
    return `http://${LOOPBACK}:${address.port}`;
  }

  /** Listens on `port` (0: a free one). */
  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      const match = /^\/idp\/([^/]+)\/(jwks\.json|\.well-known\/openid-configuration)$/.exec(req.url ?? '');
      if (req.method !== 'GET' || !match || !this.providerIds.includes(match[1])) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not found"}');
        return;
      }
      this.requests++;
      const issuer = developmentIssuer(this.url, match[1]);
      const body = match[2] === 'jwks.json' ? { keys: [this.key.publicJwk] } : { issuer, jwks_uri: `${issuer}/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await listenOnLoopback(server, port);
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
