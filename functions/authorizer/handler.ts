/**
 * The Lambda TOKEN authorizer: Bearer JWT -> verified identity -> tenant -> policy.
 * Refused tokens throw exactly `Error("Unauthorized")` (401); valid tokens that may not call get
 * a policy that does not cover the request (403); nothing a client sends can produce a 500.
 */
import { serializeAuditLine, stdoutSink, type AuditLine, type AuditSink, type Decision } from './audit';
import { authorizerContext } from '../shared/tenant-stamp';
import { ALLOWED, DenyReason, TokenRejectedError, UnauthorizedReason } from './errors';
import { buildAllowPolicy, buildDenyPolicy, explainRefusal, parseMethodArn, TenantPolicyCache, type AuthorizerResponse } from './policy';
import type { AuthorizerSettings } from './settings';
import { TenantDirectory, type TenantLookup } from './tenants';
import { TokenVerifier, type VerificationTrace, type VerifierOptions } from './verify';

export interface TokenAuthorizerEvent {
  readonly type: 'TOKEN';
  readonly authorizationToken?: string;
  readonly methodArn: string;
}

export interface HandlerOptions extends VerifierOptions {
  /** Where audit lines go. @default stdout */
  readonly audit?: AuditSink;
  /** Where tenants are looked up. @default the bundled table (sharded environments: `./sharded-index.ts` gives the S3 tables) */
  readonly tenants?: TenantLookup;
}

export type TokenAuthorizerHandler = (event: TokenAuthorizerEvent) => Promise<AuthorizerResponse>;

const BEARER_PREFIX = 'bearer ';
/** Room for the scheme and stray spaces around the token. */
const BEARER_SLACK = 16;

/** Builds the handler once per container: verifiers, JWKS caches and tenant lookups live here. */
export function createHandler(settings: AuthorizerSettings, options: HandlerOptions = {}): TokenAuthorizerHandler {
  const verifier = new TokenVerifier(settings, options);
  const tenants = new TenantDirectory(settings, options.tenants);
  const policies = new TenantPolicyCache(settings.routes);
  const sink = options.audit ?? stdoutSink;

  return async (event) => {
    const started = performance.now();
    const methodArn = typeof event?.methodArn === 'string' ? event.methodArn : null;
    const trace: VerificationTrace = {};
    const line: Mutable<AuditLine> = {
      audit: 'authorizer',
      environment: settings.environment,
      decision: 'unauthorized',
      reason: UnauthorizedReason.INTERNAL_ERROR,
      detail: null,
      tenant: null,
      subject: null,
      issuer: null,
      idp: null,
      tier: null,
      claimedTier: null,
      role: null,
      methodArn,
      latencyMs: 0,
    };
    const finish = (decision: Decision, reason: string, detail?: string): void => {
      line.decision = decision;
      line.reason = reason;
      line.detail = detail ?? null;
      line.issuer = trace.issuer ?? null;
      line.idp = trace.idp ?? null;
      line.latencyMs = Math.round((performance.now() - started) * 100) / 100;
      sink(serializeAuditLine(line));
    };

    try {
      const token = bearerToken(event?.authorizationToken, settings.maxTokenBytes);
      const { idp, payload, subject } = await verifier.verify(token, trace);
      line.subject = subject;
      const principalId = `${idp.id}:${subject}`;
      const resolution = await tenants.resolve(idp, payload);
      line.tenant = resolution.tenantId;
      line.role = resolution.role;
      const arn = parseMethodArn(methodArn);
      // Built only on the deny paths, not on every allowed call.
      const denyContext = () =>
        authorizerContext({ tenant: resolution.tenantId ?? '', subject, role: resolution.role, tier: '', idp: idp.id, environment: settings.environment });

      if (arn === undefined) {
        finish('deny', DenyReason.METHOD_ARN_INVALID);
        return buildDenyPolicy({ principalId, resource: methodArn ?? '*', context: denyContext() });
      }
      if (!resolution.ok) {
        // The same token always names the same tenant, so denying the whole stage is cache-safe.
        finish('deny', resolution.reason);
        return buildDenyPolicy({ principalId, resource: `${arn.prefix}/*`, context: denyContext() });
      }

      const { tenantId, tenant, role } = resolution;
      line.tier = tenant.tier;
      line.claimedTier = resolution.claimedTier ?? null;
      // Encoded for Bedrock's metadata pattern; the mapping templates stamp these values as they are.
      const context = authorizerContext({ tenant: tenantId, subject, role, tier: tenant.tier, idp: idp.id, environment: settings.environment });
      if (tenant.models.length === 0) {
        finish('deny', DenyReason.TENANT_HAS_NO_MODELS);
        return buildDenyPolicy({ principalId, resource: `${arn.prefix}/*`, context });
      }
      // Allowed or not, a tenant's response is the same: API Gateway caches it for every route.
      const { resources, set } = policies.get(arn.prefix, tenantId, tenant);
      if (set.has(methodArn as string)) finish('allow', ALLOWED);
      else finish('deny', explainRefusal(arn, tenant, settings.routes));
      return buildAllowPolicy({ principalId, resources, usageIdentifierKey: tenant.apiKey, context });
    } catch (err) {
      // A shard table that could not be read names the (verified) tenant it was read for.
      if (err instanceof TokenRejectedError && typeof (err as { tenantId?: unknown }).tenantId === 'string') line.tenant = (err as unknown as { tenantId: string }).tenantId;
      if (err instanceof TokenRejectedError) finish('unauthorized', err.reason, err.detail);
      else finish('unauthorized', UnauthorizedReason.INTERNAL_ERROR, err instanceof Error ? err.name : undefined);
      // Exactly this message: API Gateway maps it to 401. Anything else would be a 500.
      throw new Error('Unauthorized');
    }
  };
}

/**
 * The token from `Bearer <token>` (scheme case-insensitive), refused by size before anything
 * parses it. The cap counts UTF-16 code units, which equal bytes for every well-formed token;
 * anything non-ASCII under the cap is then refused as malformed.
 */
function bearerToken(header: unknown, maxTokenBytes: number): string {
  if (typeof header !== 'string' || header.length === 0) throw new TokenRejectedError(UnauthorizedReason.TOKEN_MISSING);
  if (header.length > maxTokenBytes + BEARER_SLACK) throw new TokenRejectedError(UnauthorizedReason.TOKEN_TOO_LARGE);
  if (header.length <= BEARER_PREFIX.length || header.slice(0, BEARER_PREFIX.length).toLowerCase() !== BEARER_PREFIX) {
    throw new TokenRejectedError(UnauthorizedReason.TOKEN_MISSING, 'scheme');
  }
  const token = header.slice(BEARER_PREFIX.length).trim();
  if (token.length === 0 || token.includes(' ')) throw new TokenRejectedError(UnauthorizedReason.TOKEN_MISSING, 'scheme');
  if (token.length > maxTokenBytes) throw new TokenRejectedError(UnauthorizedReason.TOKEN_TOO_LARGE);
  return token;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
