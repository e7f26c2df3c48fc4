/**
 * JWT verification with jose, one verifier per configured identity provider. Everything an
 * attacker controls is checked before any key lookup, and keys come only from the JWKS URL in
 * the settings: never from `jku`, `x5u`, `x5c` or an embedded `jwk`.
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { createRemoteKeySet, type RemoteKeySet } from './remote-jwks';
import { TokenRejectedError, UnauthorizedReason } from './errors';
import type { AuthorizerSettings, IdentityProviderSettings } from './settings';

export interface VerifierOptions {
  /** Clock in epoch milliseconds; tests freeze it. @default Date.now */
  readonly now?: () => number;
  /** jose `cooldownDuration`: after a fetch, an unknown `kid` waits this long before the next. @default 30000 */
  readonly jwksCooldownMs?: number;
  /** jose `cacheMaxAge`: a key set older than this is refetched. @default 600000 */
  readonly jwksCacheMaxAgeMs?: number;
}

export interface VerifiedToken {
  readonly idp: IdentityProviderSettings;
  readonly payload: JWTPayload;
  readonly subject: string;
}

/** What the verifier learned before it accepted or refused, for the audit line. */
export interface VerificationTrace {
  /** The token's `iss` as claimed (unverified until `verify` resolves), shortened. */
  issuer?: string;
  idp?: string;
}

/** Header parameters that name or carry a key. Legitimate IdP tokens carry none of them. */
const KEY_REFERENCE_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;
const MAX_KID_LENGTH = 256;
const MAX_LOGGED_ISSUER = 256;
/** Claims OpenID Connect defines only for ID tokens: an access-token provider must not see them. */
const ID_TOKEN_ONLY_CLAIMS = ['nonce', 'at_hash', 'c_hash'] as const;
/** Margin over jose's own fetch timeout before the backstop deadline fires. */
const DEADLINE_MARGIN_MS = 50;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Strictly decodes one base64url JWS segment into a JSON object, or returns undefined.
 * `Buffer.from(.., 'base64url')` silently skips invalid characters, hence the explicit check.
 */
export function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies with jose against one provider's JWKS and pinned options, then applies the provider's token-type rules. */
class IdentityProviderVerifier {
  private readonly jwks: RemoteKeySet;
  private readonly options: JWTVerifyOptions;
  private readonly getKey: JWTVerifyGetKey;

  constructor(
    readonly idp: IdentityProviderSettings,
    jwksTimeoutMs: number,
    options: VerifierOptions,
  ) {
    // Created once per provider and kept for the life of the container: the key set and imported
    // keys are cached, refetches on unknown `kid` rate-limited by the cooldown (jose's semantics,
    // without loading fetch at cold start: remote-jwks.ts).
    this.jwks = createRemoteKeySet(new URL(idp.jwksUri), {
      timeoutDuration: jwksTimeoutMs,
      ...(options.jwksCooldownMs !== undefined ? { cooldownDuration: options.jwksCooldownMs } : {}),
      ...(options.jwksCacheMaxAgeMs !== undefined ? { cacheMaxAge: options.jwksCacheMaxAgeMs } : {}),
    });
    // Cognito access tokens carry `client_id`, not `aud`: checked after jose, below.
    const checksAud = idp.kind === 'oidc' || idp.tokenUse === 'id';
    this.options = {
      algorithms: [...idp.algorithms],
      issuer: idp.issuer,
      ...(checksAud ? { audience: [...idp.audiences] } : {}),
      // jose accepts a token without `exp` unless told to require it.
      requiredClaims: ['exp', 'sub'],
      clockTolerance: idp.clockToleranceSeconds,
      ...(idp.maxTokenAgeSeconds !== undefined ? { maxTokenAge: idp.maxTokenAgeSeconds } : {}),
      ...(idp.requiredTyp !== undefined ? { typ: idp.requiredTyp } : {}),
    };
    const jwks = this.jwks;
    const deadlineMs = jwksTimeoutMs + DEADLINE_MARGIN_MS;
    this.getKey = async (header, token) => {
      // Warm path: a fresh cached set needs no I/O unless the kid is unknown, and that refetch is
      // bounded by jose's own timeout. The extra timer is only armed when a fetch is certain.
      // Its errors are mapped by asTokenRejected, saving a promise per call here.
      if (jwks.fresh && !jwks.reloading) return jwks(header, token);
      return withDeadline(jwks(header, token), deadlineMs).catch(rethrowKeyLookupError);
    };
  }

  async verify(token: string, nowMs: number | undefined): Promise<VerifiedToken> {
    const options = nowMs === undefined ? this.options : { ...this.options, currentDate: new Date(nowMs) };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, options));
    } catch (err) {
      throw asTokenRejected(err);
    }
    this.checkTokenType(payload);
    // jose checks `iat` only together with maxTokenAge; a token issued in the future is never valid.
    const nowSeconds = Math.floor((nowMs ?? Date.now()) / 1000);
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + this.idp.clockToleranceSeconds) {
      throw new TokenRejectedError(UnauthorizedReason.IAT_IN_FUTURE);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new TokenRejectedError(UnauthorizedReason.SUBJECT_MISSING);
    return { idp: this.idp, payload, subject: payload.sub };
  }

  /** An ID token must not pass where an access token is required, and vice versa. */
  private checkTokenType(payload: JWTPayload): void {
    const { idp } = this;
    const tokenUse = payload.token_use;
    if (idp.kind === 'cognito') {
      if (tokenUse !== idp.tokenUse) throw new TokenRejectedError(UnauthorizedReason.TOKEN_USE_MISMATCH, 'token_use');
      if (idp.tokenUse === 'access' && !(typeof payload.client_id === 'string' && idp.audiences.includes(payload.client_id))) {
        throw new TokenRejectedError(UnauthorizedReason.CLIENT_ID_MISMATCH);
      }
      return;
    }
    if (tokenUse !== undefined && tokenUse !== idp.tokenUse) throw new TokenRejectedError(UnauthorizedReason.TOKEN_USE_MISMATCH, 'token_use');
    if (idp.tokenUse === 'access') {
      const idOnly = ID_TOKEN_ONLY_CLAIMS.find((claim) => Object.hasOwn(payload, claim));
      if (idOnly !== undefined) throw new TokenRejectedError(UnauthorizedReason.TOKEN_USE_MISMATCH, idOnly);
    }
  }
}

/** Picks the verifier by the token's `iss` among the configured issuers only. */
export class TokenVerifier {
  private readonly byIssuer = new Map<string, IdentityProviderVerifier>();
  private readonly now: (() => number) | undefined;

  constructor(settings: AuthorizerSettings, options: VerifierOptions = {}) {
    for (const idp of settings.identityProviders) {
      if (!this.byIssuer.has(idp.issuer)) this.byIssuer.set(idp.issuer, new IdentityProviderVerifier(idp, settings.jwksTimeoutMs, options));
    }
    this.now = options.now;
  }

  /** @throws TokenRejectedError */
  async verify(token: string, trace: VerificationTrace): Promise<VerifiedToken> {
    const segments = token.split('.');
    if (segments.length !== 3) throw new TokenRejectedError(UnauthorizedReason.TOKEN_MALFORMED, 'segments');
    const header = decodeJsonSegment(segments[0]);
    if (header === undefined) throw new TokenRejectedError(UnauthorizedReason.TOKEN_MALFORMED, 'header');
    const keyReference = KEY_REFERENCE_HEADERS.find((name) => Object.hasOwn(header, name));
    if (keyReference !== undefined) throw new TokenRejectedError(UnauthorizedReason.HEADER_KEY_REFERENCE, keyReference);
    // A non-string kid matches no key but would still cost a JWKS refetch: refuse it first.
    if (Object.hasOwn(header, 'kid') && !(typeof header.kid === 'string' && header.kid.length > 0 && header.kid.length <= MAX_KID_LENGTH)) {
      throw new TokenRejectedError(UnauthorizedReason.KID_INVALID);
    }
    const payload = decodeJsonSegment(segments[1]);
    if (payload === undefined) throw new TokenRejectedError(UnauthorizedReason.TOKEN_MALFORMED, 'payload');
    const iss = payload.iss;
    if (typeof iss !== 'string') throw new TokenRejectedError(UnauthorizedReason.ISSUER_UNKNOWN, 'iss missing');
    trace.issuer = iss.length > MAX_LOGGED_ISSUER ? `${iss.slice(0, MAX_LOGGED_ISSUER)}...` : iss;
    const verifier = this.byIssuer.get(iss);
    if (verifier === undefined) throw new TokenRejectedError(UnauthorizedReason.ISSUER_UNKNOWN);
    trace.idp = verifier.idp.id;
    return verifier.verify(token, this.now?.());
  }
}

/** jose's `err.code` (with the failed claim) where jose raised it; our own code otherwise. */
function asTokenRejected(err: unknown): TokenRejectedError {
  if (err instanceof TokenRejectedError) return err;
  const { code, claim, reason } = (err ?? {}) as { code?: unknown; claim?: unknown; reason?: unknown };
  if (isKeySetFetchError(err)) return keyLookupRejection(err);
  if (typeof code === 'string' && code.startsWith('ERR_')) {
    return new TokenRejectedError(code, typeof claim === 'string' ? `${claim}:${String(reason)}` : undefined);
  }
  return new TokenRejectedError(UnauthorizedReason.TOKEN_MALFORMED, err instanceof Error ? err.name : 'unknown');
}

/**
 * Errors only the JWKS fetch raises: jose's generic error (non-200, not JSON), a malformed key
 * set, jose's timeout, and the network errors of `fetch` (a TypeError whose cause has a code).
 */
function isKeySetFetchError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID' || code === 'ERR_JWKS_TIMEOUT') return true;
  return err instanceof TypeError && typeof (err.cause as { code?: unknown } | undefined)?.code === 'string';
}

function keyLookupRejection(err: unknown): TokenRejectedError {
  const code = (err as { code?: unknown })?.code;
  const causeCode = (err as { cause?: { code?: unknown } })?.cause?.code;
  const detail = typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : err instanceof Error ? err.name : 'unknown';
  return new TokenRejectedError(UnauthorizedReason.JWKS_UNAVAILABLE, detail);
}

/**
 * Key lookup failures on the path where a fetch is certain: "no such kid" stays jose's; several
 * matching keys (no `kid`) is refused rather than tried one by one; anything else is about
 * fetching the set.
 */
function rethrowKeyLookupError(err: unknown): never {
  if (err instanceof TokenRejectedError) throw err;
  const code = (err as { code?: unknown })?.code;
  if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JOSE_NOT_SUPPORTED' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
  throw keyLookupRejection(err);
}

/** Backstop on top of jose's fetch timeout, so no JWKS problem can hold a request longer. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TokenRejectedError(UnauthorizedReason.JWKS_UNAVAILABLE, 'deadline')), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
