/**
 * explain-token: why does the gateway refuse (or accept) this token?
 *
 * The outcome is never computed here: the environment's real authorizer (`createHandler` with
 * the bundled settings) decides on a method ARN built like API Gateway's, and its audit line is
 * captured. This module then explains, check by check in the authorizer's own order, what it
 * looked at. The check the audit line's reason points to is the one shown as failed; checks
 * before it passed (the authorizer got past them), checks after it were never reached. Each
 * check is also evaluated on its own, for the values and words; should that reading ever
 * disagree with the authorizer, the authorizer wins and the report says so (`consistent: false`).
 *
 * The token and its signature are never part of the result.
 */
import { compactVerify, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import type { AuditLine, Decision } from '../functions/authorizer/audit';
import { DenyReason, UnauthorizedReason } from '../functions/authorizer/errors';
import { createHandler } from '../functions/authorizer/handler';
import { explainRefusal, parseMethodArn, tenantResources } from '../functions/authorizer/policy';
import type { EmbeddedAuthorizerSettings, IdentityProviderSettings, TenantEntry } from '../functions/authorizer/settings';
import { TenantTable } from '../functions/authorizer/tenant-table';
import { decodeJsonSegment } from '../functions/authorizer/verify';
import { describeIssuerDifference } from './issuer-difference';
import { describeKey, readJwks, selectKey, type FetchLike, type JwksReading } from './jwks';
import { gatewayMethodArn } from './method-arn';
import { flavorOfIssuer, providerRecipe, RECIPE_ANCHORS, recipeLink, roleClaimRecipe, tenantClaimRecipe } from './recipes';

/** The checks, in the order the authorizer makes them. */
export const CHECKS = [
  { id: 'format', title: 'token format' },
  { id: 'issuer', title: 'issuer (iss)' },
  { id: 'header', title: 'algorithm (alg, crit)' },
  { id: 'signature', title: 'signature' },
  { id: 'typ', title: 'type header (typ)' },
  { id: 'required', title: 'required claims' },
  { id: 'audience', title: 'audience (aud)' },
  { id: 'lifetime', title: 'lifetime (exp, nbf, iat)' },
  { id: 'token-use', title: 'token use (token_use, client_id)' },
  { id: 'issued-at', title: 'issued at (iat)' },
  { id: 'subject', title: 'subject (sub)' },
  { id: 'claims', title: 'tenant, role and tier claims' },
  { id: 'tenant', title: 'tenant' },
  { id: 'route', title: 'route and model' },
] as const;

export type CheckId = (typeof CHECKS)[number]['id'];

/** `pass`: the authorizer got past it; `fail`: it stopped here; `skip`: not applicable; `not-reached`: it stopped earlier. */
export type CheckStatus = 'pass' | 'fail' | 'skip' | 'not-reached';

export interface CheckReport {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  readonly summary: string;
  readonly details: readonly string[];
}

export interface TenantLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly quota: { readonly limit: number; readonly period: string };
}

export interface ExplainOptions {
  readonly settings: EmbeddedAuthorizerSettings;
  /** The JWT (a leading `Bearer ` is tolerated). */
  readonly token: string;
  readonly region: string;
  readonly stage: string;
  /** Model id; when absent, the first model the token's tenant may call, else the first catalogue model. */
  readonly model?: string;
  /** @default 'converse' */
  readonly route?: string;
  /** Catalogue model ids, for the default model. */
  readonly catalogue?: readonly string[];
  /** Effective limits per tenant id (from the config), shown with the tenant. */
  readonly limits?: Readonly<Record<string, TenantLimits>>;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Used to read the provider's JWKS for the explanation. @default global fetch */
  readonly fetch?: FetchLike;
}

export interface Explanation {
  readonly environment: string;
  readonly request: {
    readonly model: string;
    /** Where the model came from: `--model`, the token's tenant, or the catalogue. */
    readonly modelSource: 'option' | 'tenant' | 'catalogue';
    readonly route: string;
    readonly methodArn: string;
  };
  readonly outcome: {
    /** `allow`: API Gateway passes the call on to Bedrock (subject to the usage plan). */
    readonly status: 401 | 403 | 'allow';
    readonly decision: Decision;
    readonly reason: string;
    readonly detail: string | null;
  };
  /** The audit line the authorizer wrote, without its latency. */
  readonly audit: Omit<AuditLine, 'latencyMs'>;
  readonly checks: readonly CheckReport[];
  /** What to change, in words, with the recipe to follow. */
  readonly fixes: readonly string[];
  /** False when explain-token's own reading of a check disagreed with the authorizer (never expected). */
  readonly consistent: boolean;
}

/** Runs the real authorizer on the token and explains its decision. */
export async function explainToken(options: ExplainOptions): Promise<Explanation> {
  const { settings } = options;
  const token = options.token.trim().replace(/^bearer\s+/i, '');
  const nowMs = (options.now ?? Date.now)();
  const route = options.route ?? 'converse';
  const fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));

  const decoded = decode(token);
  const idp = typeof decoded.payload?.iss === 'string' ? settings.identityProviders.find((p) => p.issuer === decoded.payload?.iss) : undefined;
  const { model, modelSource } = chooseModel(options, decoded.payload, idp);
  const methodArn = gatewayMethodArn({ region: options.region, stage: options.stage, model, route });

  // The decision: the real handler, the environment's settings, the audit line captured.
  const lines: string[] = [];
  const handler = createHandler(settings, { now: () => nowMs, audit: (line) => lines.push(line) });
  await handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn }).catch(() => undefined);
  if (lines.length !== 1) throw new Error(`the authorizer wrote ${lines.length} audit lines; expected exactly one`);
  const { latencyMs: _latency, ...audit } = JSON.parse(lines[0]) as AuditLine;

  const jwks = idp !== undefined && decoded.header !== undefined ? await readJwks(idp.jwksUri, fetchImpl, settings.jwksTimeoutMs) : undefined;
  const context: Context = { settings, token, decoded, idp, jwks, nowSeconds: Math.floor(nowMs / 1000), methodArn, limits: options.limits };
  const failed = failedCheck(audit.reason, audit.detail, decoded.header);
  const fixes: string[] = [];
  const checks: CheckReport[] = [];
  let consistent = true;
  let stoppedAt: string | undefined;

  for (const { id, title } of CHECKS) {
    const evaluation = await evaluate(id, context);
    if (stoppedAt !== undefined) {
      const details = evaluation.ok === false ? [`on its own this would also fail${verified(audit.decision) ? '' : ' (unverified token)'}: ${evaluation.summary}`] : [];
      checks.push({ id, title, status: 'not-reached', summary: `not checked: the authorizer stopped at "${stoppedAt}"`, details });
      continue;
    }
    if (id === failed) {
      stoppedAt = title;
      if (evaluation.ok === false) {
        checks.push({ id, title, status: 'fail', summary: evaluation.summary, details: evaluation.details ?? [] });
        fixes.push(...(evaluation.fixes ?? []));
      } else {
        consistent = false;
        checks.push({
          id,
          title,
          status: 'fail',
          summary: `the authorizer refused here with ${audit.reason}${audit.detail === null ? '' : ` (${audit.detail})`}`,
          details: [`note: explain-token's own reading of this check found nothing wrong (${evaluation.summary}); the authorizer's decision stands`],
        });
      }
      continue;
    }
    if (evaluation.ok === false) {
      // The authorizer got past this check: its decision stands, the disagreement is reported.
      consistent = false;
      checks.push({ id, title, status: 'pass', summary: 'passed (the authorizer got past this check)', details: [`note: explain-token's own reading disagrees: ${evaluation.summary}`] });
      continue;
    }
    checks.push({ id, title, status: evaluation.ok === null ? 'skip' : 'pass', summary: evaluation.summary, details: evaluation.details ?? [] });
    if (audit.decision === 'allow') fixes.push(...(evaluation.fixes ?? []));
  }
  if (failed === undefined && audit.decision !== 'allow') {
    fixes.push(`the authorizer refused with ${audit.reason}, which no check explains: this is a fault in the authorizer, not in the token`);
  }

  return {
    environment: settings.environment,
    request: { model, modelSource, route, methodArn },
    outcome: { status: audit.decision === 'unauthorized' ? 401 : audit.decision === 'deny' ? 403 : 'allow', decision: audit.decision, reason: audit.reason, detail: audit.detail },
    audit,
    checks,
    fixes,
    consistent,
  };
}

const verified = (decision: Decision) => decision !== 'unauthorized';

// ---- Which check the audit line's reason points to ----

const FORMAT_DETAILS = new Set(['segments', 'header', 'payload']);

export function failedCheck(reason: string, detail: string | null, header: Record<string, unknown> | undefined): CheckId | undefined {
  switch (reason) {
    case UnauthorizedReason.TOKEN_MISSING:
    case UnauthorizedReason.TOKEN_TOO_LARGE:
    case UnauthorizedReason.HEADER_KEY_REFERENCE:
    case UnauthorizedReason.KID_INVALID:
      return 'format';
    case UnauthorizedReason.TOKEN_MALFORMED:
      return detail !== null && FORMAT_DETAILS.has(detail) ? 'format' : 'signature';
    case UnauthorizedReason.ISSUER_UNKNOWN:
      return 'issuer';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'header';
    case 'ERR_JWS_INVALID':
      return header !== undefined && headerProblem(header) !== undefined ? 'header' : 'signature';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return header !== undefined && Object.hasOwn(header, 'crit') ? 'header' : 'signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case UnauthorizedReason.JWKS_UNAVAILABLE:
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWT_INVALID':
    case 'ERR_JWK_INVALID':
    case 'ERR_JWKS_INVALID':
      return 'signature';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
    case 'ERR_JWT_EXPIRED': {
      const [claim, why] = (detail ?? '').split(':');
      if (claim === 'typ') return 'typ';
      if (why === 'missing') return 'required';
      if (claim === 'aud') return 'audience';
      if (claim === 'iss') return 'issuer';
      if (claim === 'sub') return 'subject';
      return 'lifetime';
    }
    case UnauthorizedReason.TOKEN_USE_MISMATCH:
    case UnauthorizedReason.CLIENT_ID_MISMATCH:
      return 'token-use';
    case UnauthorizedReason.IAT_IN_FUTURE:
      return 'issued-at';
    case UnauthorizedReason.SUBJECT_MISSING:
      return 'subject';
    case DenyReason.TENANT_CLAIM_MISSING:
      return 'claims';
    case DenyReason.TENANT_UNKNOWN:
    case DenyReason.IDP_NOT_ALLOWED_FOR_TENANT:
    case DenyReason.TENANT_DISABLED:
    case DenyReason.TENANT_HAS_NO_MODELS:
      return 'tenant';
    case DenyReason.MODEL_NOT_ALLOWED:
    case DenyReason.MODEL_SEGMENT_MALFORMED:
    case DenyReason.MODEL_ENCODING_UNSUPPORTED:
    case DenyReason.ROUTE_NOT_ALLOWED:
    case DenyReason.METHOD_ARN_INVALID:
      return 'route';
    default:
      return undefined;
  }
}

// ---- Decoding (for the explanation only; the decision is the authorizer's) ----

interface Decoded {
  readonly segments: readonly string[];
  readonly header?: Record<string, unknown>;
  readonly payload?: Record<string, unknown>;
}

function decode(token: string): Decoded {
  const segments = token.split('.');
  if (segments.length !== 3) return { segments };
  return { segments, header: decodeJsonSegment(segments[0]), payload: decodeJsonSegment(segments[1]) };
}

function chooseModel(options: ExplainOptions, payload: Record<string, unknown> | undefined, idp: IdentityProviderSettings | undefined) {
  if (options.model !== undefined) return { model: options.model, modelSource: 'option' as const };
  const claimed = idp !== undefined && payload !== undefined && Object.hasOwn(payload, idp.claims.tenant) ? payload[idp.claims.tenant] : undefined;
  const table = new TenantTable(options.settings.tenants);
  const tenant = typeof claimed === 'string' ? table.get(claimed) : undefined;
  if (tenant !== undefined && tenant.models.length > 0) return { model: tenant.models[0], modelSource: 'tenant' as const };
  const fallback = options.catalogue?.[0] ?? [...table.entries()].find(([, t]) => t.models.length > 0)?.[1].models[0];
  if (fallback === undefined) throw new Error('no model to ask about: pass --model <id>');
  return { model: fallback, modelSource: 'catalogue' as const };
}

// ---- The checks, each on its own ----

interface Context {
  readonly settings: EmbeddedAuthorizerSettings;
  readonly token: string;
  readonly decoded: Decoded;
  readonly idp: IdentityProviderSettings | undefined;
  readonly jwks: JwksReading | undefined;
  readonly nowSeconds: number;
  readonly methodArn: string;
  readonly limits: Readonly<Record<string, TenantLimits>> | undefined;
}

interface Evaluation {
  /** null: not applicable to this provider or token. */
  readonly ok: boolean | null;
  readonly summary: string;
  readonly details?: readonly string[];
  readonly fixes?: readonly string[];
}

const KEY_REFERENCE_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'];
const ID_TOKEN_ONLY_CLAIMS = ['nonce', 'at_hash', 'c_hash'];
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const MAX_SHOWN = 120;

/** A value as it appears in the report: JSON, shortened. */
export function shown(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

const at = (seconds: number) => (Number.isFinite(seconds) && Math.abs(seconds) < 8.64e12 ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : String(seconds));
const ago = (delta: number) => (delta >= 0 ? `${delta} s ago` : `in ${-delta} s`);

async function evaluate(id: CheckId, c: Context): Promise<Evaluation> {
  switch (id) {
    case 'format':
      return checkFormat(c);
    case 'issuer':
      return checkIssuer(c);
    case 'header':
      return withHeader(c, (header, idp) => checkHeader(header, idp));
    case 'signature':
      return checkSignature(c);
    case 'typ':
      return withHeader(c, (header, idp) => checkTyp(header, idp));
    case 'required':
      return withPayload(c, (payload, idp) => checkRequired(payload, idp));
    case 'audience':
      return withPayload(c, (payload, idp) => checkAudience(payload, idp));
    case 'lifetime':
      return withPayload(c, (payload, idp) => checkLifetime(payload, idp, c.nowSeconds));
    case 'token-use':
      return withPayload(c, (payload, idp) => checkTokenUse(payload, idp));
    case 'issued-at':
      return withPayload(c, (payload, idp) => checkIssuedAt(payload, idp, c.nowSeconds));
    case 'subject':
      return withPayload(c, (payload) => checkSubject(payload));
    case 'claims':
      return withPayload(c, (payload, idp) => checkClaims(payload, idp));
    case 'tenant':
      return withPayload(c, (payload, idp) => checkTenant(payload, idp, c));
    case 'route':
      return withPayload(c, (payload, idp) => checkRoute(payload, idp, c));
  }
}

const NO_PROVIDER: Evaluation = { ok: null, summary: 'not applicable: no identity provider was selected' };

function withHeader(c: Context, check: (header: Record<string, unknown>, idp: IdentityProviderSettings) => Evaluation): Evaluation {
  return c.decoded.header === undefined || c.idp === undefined ? NO_PROVIDER : check(c.decoded.header, c.idp);
}

function withPayload(c: Context, check: (payload: Record<string, unknown>, idp: IdentityProviderSettings) => Evaluation): Evaluation {
  return c.decoded.payload === undefined || c.idp === undefined ? NO_PROVIDER : check(c.decoded.payload, c.idp);
}

function checkFormat(c: Context): Evaluation {
  const { token, settings, decoded } = c;
  if (token.length === 0) return { ok: false, summary: 'no token given' };
  if (token.length > settings.maxTokenBytes) return { ok: false, summary: `the token is ${token.length} bytes, over maxTokenBytes (${settings.maxTokenBytes}); it is refused before parsing` };
  if (/\s/.test(token)) return { ok: false, summary: 'the token contains whitespace: pass exactly one token' };
  if (decoded.segments.length !== 3) {
    const jwe = decoded.segments.length === 5 ? ' (five segments: an encrypted JWE, which the gateway cannot read; ask the provider for a signed JWT)' : '';
    return { ok: false, summary: `the token has ${decoded.segments.length} segment${decoded.segments.length === 1 ? '' : 's'}, a signed JWT has 3${jwe}` };
  }
  if (decoded.header === undefined) return { ok: false, summary: 'the header segment is not strict base64url of a JSON object' };
  const keyReference = KEY_REFERENCE_HEADERS.find((name) => Object.hasOwn(decoded.header ?? {}, name));
  if (keyReference !== undefined) return { ok: false, summary: `the header carries "${keyReference}": keys are taken only from the configured JWKS, never from the token` };
  const { kid } = decoded.header;
  if (Object.hasOwn(decoded.header, 'kid') && !(typeof kid === 'string' && kid.length > 0 && kid.length <= 256)) return { ok: false, summary: `kid ${shown(kid)} is not a string of 1-256 characters` };
  if (decoded.payload === undefined) return { ok: false, summary: 'the payload segment is not strict base64url of a JSON object' };
  const header = ['alg', 'kid', 'typ'].filter((k) => Object.hasOwn(decoded.header ?? {}, k)).map((k) => `${k} ${shown(decoded.header?.[k])}`);
  return { ok: true, summary: `3 segments; header ${header.length > 0 ? header.join(', ') : '{}'}; payload is a JSON object` };
}

function checkIssuer(c: Context): Evaluation {
  const iss = c.decoded.payload?.iss;
  if (c.decoded.payload === undefined) return { ok: null, summary: 'not applicable: the payload could not be read' };
  const configured = c.settings.identityProviders.map((p) => p.issuer);
  if (typeof iss !== 'string') return { ok: false, summary: `iss is ${iss === undefined ? 'missing' : `not a string (${shown(iss)})`}`, details: [`configured issuers: ${configured.map((i) => shown(i)).join(', ')}`] };
  if (c.idp !== undefined) return { ok: true, summary: `iss ${shown(iss)} selects identity provider "${c.idp.id}" (kind ${c.idp.kind}, accepts ${c.idp.tokenUse} tokens)` };
  const details: string[] = [];
  const fixes: string[] = [];
  for (const issuer of configured) {
    const difference = describeIssuerDifference(issuer, iss);
    if (difference !== undefined) {
      details.push(`compared with ${shown(issuer)}: the token's iss ${difference}`);
      fixes.push(`the token's iss ${difference}`);
    }
  }
  if (details.length === 0) {
    details.push(`configured issuers: ${configured.map((i) => shown(i)).join(', ')}`);
    const flavor = flavorOfIssuer(iss);
    fixes.push(`add an identity provider with issuer ${shown(iss)} to config/identity-providers.ts if this issuer should be trusted (${recipeLink(providerRecipe(flavor))})`);
  }
  return { ok: false, summary: `iss ${shown(iss)} matches no configured issuer (compared exactly)`, details, fixes };
}

/** What jose refuses in the header before it looks up a key (crit, alg), or undefined. */
function headerProblem(header: Record<string, unknown>): string | undefined {
  if (Object.hasOwn(header, 'crit')) {
    const { crit } = header;
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((p) => typeof p !== 'string' || p.length === 0)) return `crit ${shown(crit)} is not a non-empty array of names`;
    const unknown = crit.find((p) => p !== 'b64');
    if (unknown !== undefined) return `crit names the extension ${shown(unknown)}, which the authorizer does not understand`;
    if (!crit.every((p) => Object.hasOwn(header, p))) return 'crit names a parameter the header does not carry';
  }
  if (typeof header.alg !== 'string' || header.alg.length === 0) return 'alg is missing';
  return undefined;
}

function checkHeader(header: Record<string, unknown>, idp: IdentityProviderSettings): Evaluation {
  const problem = headerProblem(header);
  if (problem !== undefined) return { ok: false, summary: problem };
  const alg = header.alg as string;
  if (!idp.algorithms.includes(alg)) {
    const symmetric = /^(HS|none)/i.test(alg) ? ' (symmetric and unsigned algorithms can never be configured)' : '';
    return {
      ok: false,
      summary: `alg ${shown(alg)} is not allowed for "${idp.id}" (configured: ${idp.algorithms.join(', ')})${symmetric}`,
      ...(symmetric === '' ? { fixes: [`if "${idp.id}" really signs with ${alg}, add it to algorithms in config/identity-providers.ts`] } : {}),
    };
  }
  return { ok: true, summary: `alg ${alg} is allowed (configured: ${idp.algorithms.join(', ')})` };
}

async function checkSignature(c: Context): Promise<Evaluation> {
  const { idp, jwks, decoded } = c;
  if (idp === undefined || decoded.header === undefined || jwks === undefined) return NO_PROVIDER;
  if (!jwks.ok) return { ok: false, summary: `the key set at ${jwks.url} could not be read: ${jwks.error}`, fixes: [`check that jwksUri of "${idp.id}" is right and reachable from the authorizer (npm run check-idp)`] };
  const header = decoded.header as JWSHeaderParameters;
  const published = jwks.keys.length === 0 ? 'none' : jwks.keys.map(describeKey).join('; ');
  const selection = await selectKey(jwks.jwks as JSONWebKeySet, header);
  if (!selection.ok) {
    if (selection.code === 'ERR_JWKS_NO_MATCHING_KEY') {
      return {
        ok: false,
        summary: `${jwks.url} publishes no key for ${header.kid === undefined ? 'a token without kid' : `kid ${shown(header.kid)}`} and alg ${shown(header.alg)}`,
        details: [`published keys: ${published}`],
        fixes: ['the token was signed by a key this provider does not publish: another issuer or user pool, a test key, or a key rotated away'],
      };
    }
    if (selection.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
      return { ok: false, summary: `the token has no kid and several keys in ${jwks.url} fit alg ${shown(header.alg)}; the authorizer does not try them one by one`, details: [`published keys: ${published}`] };
    }
    return { ok: false, summary: `no usable key in ${jwks.url}: ${selection.message}`, details: [`published keys: ${published}`] };
  }
  const keyName = header.kid === undefined ? 'the only fitting key' : `key kid ${shown(header.kid)}`;
  if (!BASE64URL.test(decoded.segments[2] ?? '')) return { ok: false, summary: 'the signature segment is not base64url' };
  try {
    await compactVerify(c.token, selection.key, { algorithms: [...idp.algorithms] });
    return { ok: true, summary: `verified with ${keyName} from ${jwks.url}` };
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
      return { ok: false, summary: `the signature does not verify with ${keyName} from ${jwks.url}: the token was altered, or signed by another key under the same kid` };
    }
    return { ok: false, summary: `jose refused the signature: ${err instanceof Error ? err.message : String(err)}` };
  }
}

const normalizeTyp = (value: string) => (value.includes('/') ? value.toLowerCase() : `application/${value.toLowerCase()}`);

function checkTyp(header: Record<string, unknown>, idp: IdentityProviderSettings): Evaluation {
  const typ = header.typ;
  const present = typ === undefined ? 'the token has no typ' : `the token's typ is ${shown(typ)}`;
  if (idp.requiredTyp === undefined) return { ok: null, summary: `no typ required by "${idp.id}" (${present})` };
  if (typeof typ === 'string' && normalizeTyp(typ) === normalizeTyp(idp.requiredTyp)) return { ok: true, summary: `typ ${shown(typ)} is the required ${shown(idp.requiredTyp)}` };
  const flavor = flavorOfIssuer(idp.issuer, idp.kind);
  const fixes = flavor === 'generic' ? [] : [`${flavor === 'cognito' ? 'Cognito' : flavor === 'okta' ? 'Okta' : 'Entra ID'} does not issue ${idp.requiredTyp} tokens: remove requiredTyp from "${idp.id}" (${recipeLink(providerRecipe(flavor))})`];
  return { ok: false, summary: `${present}, "${idp.id}" requires ${shown(idp.requiredTyp)}`, fixes };
}

const checksAudience = (idp: IdentityProviderSettings) => idp.kind === 'oidc' || idp.tokenUse === 'id';

/** jose's presence check order: iss, sub (option), aud, iat, then the required claims reversed. */
function requiredClaims(idp: IdentityProviderSettings): string[] {
  const presence = ['exp', 'sub'];
  if (idp.maxTokenAgeSeconds !== undefined) presence.push('iat');
  if (checksAudience(idp)) presence.push('aud');
  presence.push('iss');
  return [...new Set(presence.reverse())];
}

function checkRequired(payload: Record<string, unknown>, idp: IdentityProviderSettings): Evaluation {
  const required = requiredClaims(idp);
  const missing = required.filter((claim) => !Object.hasOwn(payload, claim));
  if (missing.length === 0) return { ok: true, summary: `present: ${required.join(', ')}` };
  const flavor = flavorOfIssuer(idp.issuer, idp.kind);
  const fixes = [`the token has no "${missing[0]}" claim, which "${idp.id}" requires (${recipeLink(providerRecipe(flavor))})`];
  return { ok: false, summary: `missing: ${missing.join(', ')} (required here: ${required.join(', ')})`, fixes };
}

function checkAudience(payload: Record<string, unknown>, idp: IdentityProviderSettings): Evaluation {
  if (!checksAudience(idp)) return { ok: null, summary: 'not checked: Cognito access tokens carry no aud (client_id is checked under token use)' };
  const { aud } = payload;
  const matches = typeof aud === 'string' ? idp.audiences.includes(aud) : Array.isArray(aud) && idp.audiences.some((a) => aud.includes(a));
  if (aud === undefined) return { ok: false, summary: 'aud is missing' };
  if (matches) return { ok: true, summary: `aud ${shown(aud)} is a configured audience (${idp.audiences.map((a) => shown(a)).join(', ')})` };
  const fixes: string[] = [];
  const flavor = flavorOfIssuer(idp.issuer, idp.kind);
  if (flavor === 'entra' && typeof aud === 'string' && aud.startsWith('api://')) {
    fixes.push(`Entra v2.0 access tokens carry the API's application (client) id as aud, never its api:// URI; this token is not a v2.0 token for the gateway's app registration (${recipeLink(RECIPE_ANCHORS.entra)})`);
  } else if (flavor === 'okta' && typeof aud === 'string' && aud === payload.cid) {
    fixes.push(`aud is the client id, as in an Okta ID token: send the access token, whose aud is the authorization server's audience (${recipeLink(RECIPE_ANCHORS.okta)})`);
  } else {
    fixes.push(`the token was issued for another audience; request it for ${idp.audiences.map((a) => shown(a)).join(' or ')}, or add ${shown(aud)} to audiences of "${idp.id}" if the gateway is that audience`);
  }
  return { ok: false, summary: `aud ${shown(aud)} is not a configured audience (${idp.audiences.map((a) => shown(a)).join(', ')})`, fixes };
}

function checkLifetime(payload: Record<string, unknown>, idp: IdentityProviderSettings, now: number): Evaluation {
  const tolerance = idp.clockToleranceSeconds;
  const { iat, nbf, exp } = payload;
  const maxAge = idp.maxTokenAgeSeconds;
  const skew = `clock tolerance ${tolerance} s, now ${at(now)}`;
  if ((iat !== undefined || maxAge !== undefined) && typeof iat !== 'number') return { ok: false, summary: `iat ${shown(iat)} is not a number` };
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') return { ok: false, summary: `nbf ${shown(nbf)} is not a number` };
    if (nbf > now + tolerance) return { ok: false, summary: `not valid before ${at(nbf)} (nbf, ${ago(now - nbf)}; ${skew})`, fixes: ['if the token is fresh, the clocks of the provider and the gateway disagree by more than the clock tolerance'] };
  }
  if (exp !== undefined) {
    if (typeof exp !== 'number') return { ok: false, summary: `exp ${shown(exp)} is not a number` };
    if (exp <= now - tolerance) return { ok: false, summary: `expired at ${at(exp)} (exp, ${ago(now - exp)}; ${skew})`, fixes: ['get a new token (a refresh token or a new sign-in); tokens are valid only until exp'] };
  }
  if (maxAge !== undefined && typeof iat === 'number') {
    const age = now - iat;
    if (age - tolerance > maxAge) return { ok: false, summary: `issued at ${at(iat)}, ${age} s ago: older than maxTokenAgeSeconds (${maxAge}; ${skew})` };
    if (age < -tolerance) return { ok: false, summary: `issued at ${at(iat)}, ${-age} s in the future (${skew})` };
  }
  const parts = [
    typeof exp === 'number' ? `exp ${at(exp)} (${ago(now - exp)})` : undefined,
    typeof nbf === 'number' ? `nbf ${at(nbf)}` : undefined,
    typeof iat === 'number' ? `iat ${at(iat)}` : undefined,
    maxAge !== undefined ? `max age ${maxAge} s` : undefined,
  ].filter((p) => p !== undefined);
  return { ok: true, summary: `${parts.join(', ')}; ${skew}` };
}

function checkTokenUse(payload: Record<string, unknown>, idp: IdentityProviderSettings): Evaluation {
  const tokenUse = payload.token_use;
  if (idp.kind === 'cognito') {
    if (tokenUse !== idp.tokenUse) {
      const fix =
        idp.tokenUse === 'access'
          ? tokenUse === 'id'
            ? `this is a Cognito ID token; send the access token (with the tenant claim added by a pre token generation trigger), or configure "${idp.id}" for ID tokens (${recipeLink(RECIPE_ANCHORS.cognitoIdTokens)})`
            : `Cognito access tokens carry token_use "access"`
          : `"${idp.id}" accepts Cognito ID tokens; send the ID token (${recipeLink(RECIPE_ANCHORS.cognitoIdTokens)})`;
      return { ok: false, summary: `token_use ${shown(tokenUse)}, "${idp.id}" accepts ${shown(idp.tokenUse)}`, fixes: [fix] };
    }
    if (idp.tokenUse === 'access') {
      const clientId = payload.client_id;
      if (!(typeof clientId === 'string' && idp.audiences.includes(clientId))) {
        return {
          ok: false,
          summary: `client_id ${shown(clientId)} is not one of the configured app clients (${idp.audiences.map((a) => shown(a)).join(', ')})`,
          fixes: [`add the app client id to audiences of "${idp.id}" if that app client may call the gateway`],
        };
      }
      return { ok: true, summary: `token_use "access"; client_id ${shown(clientId)} is a configured app client` };
    }
    return { ok: true, summary: 'token_use "id"' };
  }
  if (tokenUse !== undefined && tokenUse !== idp.tokenUse) return { ok: false, summary: `token_use ${shown(tokenUse)}, "${idp.id}" accepts ${idp.tokenUse} tokens` };
  if (idp.tokenUse === 'access') {
    const idOnly = ID_TOKEN_ONLY_CLAIMS.find((claim) => Object.hasOwn(payload, claim));
    if (idOnly !== undefined) {
      return {
        ok: false,
        summary: `the token carries "${idOnly}", a claim only ID tokens carry: this is an ID token where an access token is required`,
        fixes: ['send the access token the provider issued with it, not the ID token'],
      };
    }
    return { ok: true, summary: `an access token (no ${ID_TOKEN_ONLY_CLAIMS.join(', ')}${tokenUse === undefined ? '' : `; token_use ${shown(tokenUse)}`})` };
  }
  return { ok: true, summary: `accepted as an ${idp.tokenUse} token` };
}

function checkIssuedAt(payload: Record<string, unknown>, idp: IdentityProviderSettings, now: number): Evaluation {
  const { iat } = payload;
  if (typeof iat !== 'number') return { ok: null, summary: 'no numeric iat to check' };
  if (iat > now + idp.clockToleranceSeconds) {
    return { ok: false, summary: `issued at ${at(iat)}, ${iat - now} s in the future (clock tolerance ${idp.clockToleranceSeconds} s)`, fixes: ['the clocks of the provider and the gateway disagree, or the token was forged'] };
  }
  return { ok: true, summary: `iat ${at(iat)} is not in the future` };
}

function checkSubject(payload: Record<string, unknown>): Evaluation {
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0) return { ok: false, summary: `sub ${shown(sub)} is not a non-empty string` };
  return { ok: true, summary: `sub ${shown(sub)}` };
}

const own = (payload: Record<string, unknown>, name: string) => (Object.hasOwn(payload, name) ? payload[name] : undefined);

/** A machine (client-credentials) caller: Cognito's `sub` is then the app client id, Okta has no `uid`. */
const looksLikeMachine = (payload: Record<string, unknown>) => (typeof payload.client_id === 'string' && payload.sub === payload.client_id) || (typeof payload.cid === 'string' && payload.sub === payload.cid);

function checkClaims(payload: Record<string, unknown>, idp: IdentityProviderSettings): Evaluation {
  const tenantName = idp.claims.tenant;
  const tenant = own(payload, tenantName);
  const role = own(payload, idp.claims.role);
  const roleText =
    typeof role === 'string' ? shown(role) : Array.isArray(role) ? `${shown(role)} -> ${shown(role.filter((r) => typeof r === 'string').join(','))}` : undefined;
  const details = [
    roleText === undefined
      ? `role: claim "${idp.claims.role}" is ${role === undefined ? 'absent' : `not a string or array (${shown(role)})`}, so the role is "" (not a refusal; ${recipeLink(roleClaimRecipe(idp))})`
      : `role: claim "${idp.claims.role}" = ${roleText}`,
    idp.claims.tier === undefined
      ? 'tier: no tier claim configured; the tier comes from the tenant table'
      : own(payload, idp.claims.tier) === undefined
        ? `tier: claim "${idp.claims.tier}" is absent (the tier comes from the tenant table anyway)`
        : `tier: claim "${idp.claims.tier}" = ${shown(own(payload, idp.claims.tier))} (compared and logged, never trusted)`,
  ];
  if (typeof tenant === 'string' && tenant.length > 0) return { ok: true, summary: `tenant: claim "${tenantName}" = ${shown(tenant)}`, details };
  const state = tenant === undefined ? 'is missing' : tenant === '' ? 'is empty' : `is not a string (${shown(tenant)})`;
  const recipe = tenantClaimRecipe(idp, looksLikeMachine(payload));
  return {
    ok: false,
    summary: `tenant: claim "${tenantName}" ${state}`,
    details,
    fixes: [`the token needs the tenant in claim "${tenantName}" (claims.tenant of identity provider "${idp.id}"): ${recipeLink(recipe)}`],
  };
}

function tenantOf(payload: Record<string, unknown>, idp: IdentityProviderSettings, settings: EmbeddedAuthorizerSettings): { id: string; entry: TenantEntry | undefined } | undefined {
  const claimed = own(payload, idp.claims.tenant);
  if (typeof claimed !== 'string' || claimed.length === 0) return undefined;
  return { id: claimed, entry: new TenantTable(settings.tenants).get(claimed) };
}

function checkTenant(payload: Record<string, unknown>, idp: IdentityProviderSettings, c: Context): Evaluation {
  const tenant = tenantOf(payload, idp, c.settings);
  if (tenant === undefined) return { ok: null, summary: 'not applicable: no tenant claim' };
  const { id, entry } = tenant;
  if (entry === undefined) {
    const known = new TenantTable(c.settings.tenants).ids();
    const near = known.find((k) => k.toLowerCase() === id.toLowerCase());
    return {
      ok: false,
      summary: `tenant ${shown(id)} is not in the tenant table of environment "${c.settings.environment}"`,
      details: [`known tenants: ${known.slice(0, 20).join(', ')}${known.length > 20 ? `, ... (${known.length})` : ''}`],
      fixes: [near !== undefined ? `tenant ids are compared exactly: did you mean "${near}"?` : `add tenant "${id}" to config/tenants.ts, or fix the claim's value at the identity provider`],
    };
  }
  const details = [`tier ${entry.tier}; identity providers ${entry.identityProviders.join(', ')}`];
  const limits = c.limits?.[id];
  if (limits !== undefined) details.push(`limits: ${limits.rateLimit} requests/s, burst ${limits.burstLimit}, quota ${limits.quota.limit} per ${limits.quota.period}`);
  details.push(`models: ${entry.models.length === 0 ? 'none' : entry.models.join(', ')}`);
  const claimedTier = idp.claims.tier === undefined ? undefined : own(payload, idp.claims.tier);
  if (claimedTier !== undefined && claimedTier !== entry.tier) details.push(`the token claims tier ${shown(claimedTier)}; the configured tier ${entry.tier} applies (logged as claimedTier)`);
  if (!entry.identityProviders.includes(idp.id)) {
    return {
      ok: false,
      summary: `tenant "${id}" accepts tokens from ${entry.identityProviders.join(', ')} only, not from "${idp.id}"`,
      details,
      fixes: [`add "${idp.id}" to identityProviders of tenant "${id}" in config/tenants.ts if this provider may speak for it`],
    };
  }
  if (!entry.enabled) return { ok: false, summary: `tenant "${id}" is disabled`, details, fixes: [`tenant "${id}" has enabled: false in config/tenants.ts`] };
  if (entry.models.length === 0) return { ok: false, summary: `tenant "${id}" may call no model`, details };
  return { ok: true, summary: `tenant "${id}" is enabled and accepts "${idp.id}"`, details };
}

function checkRoute(payload: Record<string, unknown>, idp: IdentityProviderSettings, c: Context): Evaluation {
  const tenant = tenantOf(payload, idp, c.settings);
  const arn = parseMethodArn(c.methodArn);
  if (tenant?.entry === undefined || arn === undefined) return { ok: null, summary: 'not applicable: no known tenant' };
  const resources = tenantResources(arn.prefix, tenant.entry.models, c.settings.routes);
  const request = `${arn.verb} /${decodeURIComponent(arn.path)}`;
  if (resources.includes(c.methodArn)) return { ok: true, summary: `${request} is in tenant "${tenant.id}"'s allow list` };
  const reason = explainRefusal(arn, tenant.entry, c.settings.routes);
  const text =
    reason === DenyReason.MODEL_NOT_ALLOWED
      ? `model ${shown(decodeURIComponent(arn.path.split('/')[1] ?? ''))} is not one of tenant "${tenant.id}"'s models (${tenant.entry.models.join(', ')})`
      : reason === DenyReason.ROUTE_NOT_ALLOWED
        ? `${request} is not a gateway route (POST /model/{modelId}/${c.settings.routes.join('|')})`
        : `${request} is refused (${reason})`;
  return { ok: false, summary: text, fixes: reason === DenyReason.MODEL_NOT_ALLOWED ? [`call one of the tenant's models, or allow the model for tier ${tenant.entry.tier} or the tenant in config/`] : [] };
}
