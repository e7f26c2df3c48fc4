/**
 * Stable reason codes for every authorizer decision. Audit lines carry them, tests assert them,
 * dashboards filter on them: never rename one. Where jose raised the error, its `err.code`
 * (`ERR_JWT_EXPIRED`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`, ...) is the reason instead.
 */

/** The token is refused: API Gateway answers 401. */
export const UnauthorizedReason = {
  /** No `Authorization` value, or not `Bearer <token>`. */
  TOKEN_MISSING: 'TOKEN_MISSING',
  /** Longer than `maxTokenBytes`; refused before any parsing. */
  TOKEN_TOO_LARGE: 'TOKEN_TOO_LARGE',
  /** Not three base64url segments, or header/payload not a JSON object. */
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  /** `jku`, `x5u`, `jwk` or `x5c` in the header: keys are only ever taken from the configured JWKS. */
  HEADER_KEY_REFERENCE: 'HEADER_KEY_REFERENCE',
  /** `kid` present but not a short string. */
  KID_INVALID: 'KID_INVALID',
  /** `iss` missing or not one of the configured identity providers. */
  ISSUER_UNKNOWN: 'ISSUER_UNKNOWN',
  /** Cognito access token whose `client_id` is not a configured audience. */
  CLIENT_ID_MISMATCH: 'CLIENT_ID_MISMATCH',
  /** `token_use` (or an ID-token-only claim) says this is not the token type the provider accepts. */
  TOKEN_USE_MISMATCH: 'TOKEN_USE_MISMATCH',
  /** `iat` later than now plus the clock tolerance (jose checks `iat` only with `maxTokenAge`). */
  IAT_IN_FUTURE: 'IAT_IN_FUTURE',
  /** `sub` missing or empty: every decision must name a subject. */
  SUBJECT_MISSING: 'SUBJECT_MISSING',
  /** The JWKS could not be fetched or parsed (down, 5xx, not JSON, not a key set, over the time bound). */
  JWKS_UNAVAILABLE: 'JWKS_UNAVAILABLE',
  /**
   * Sharded environments: the tenant's shard table could not be read from S3 or is not a tenant
   * table of this environment (detail: shard and cause, e.g. `tenants-1: HTTP 403 AccessDenied`).
   */
  TENANT_TABLE_UNAVAILABLE: 'TENANT_TABLE_UNAVAILABLE',
  /** A bug, never bad input: still fail closed. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

/** The token is valid but may not call: a Deny policy or an Allow policy not covering the request (403). */
export const DenyReason = {
  TENANT_CLAIM_MISSING: 'TENANT_CLAIM_MISSING',
  TENANT_UNKNOWN: 'TENANT_UNKNOWN',
  TENANT_DISABLED: 'TENANT_DISABLED',
  /** The tenant exists but does not accept tokens from this identity provider. */
  IDP_NOT_ALLOWED_FOR_TENANT: 'IDP_NOT_ALLOWED_FOR_TENANT',
  TENANT_HAS_NO_MODELS: 'TENANT_HAS_NO_MODELS',
  MODEL_NOT_ALLOWED: 'MODEL_NOT_ALLOWED',
  /** The model segment of the method ARN is not valid percent-encoding. */
  MODEL_SEGMENT_MALFORMED: 'MODEL_SEGMENT_MALFORMED',
  /** An allowed model, but in an encoding other than raw, `%3A` or `%3a`. */
  MODEL_ENCODING_UNSUPPORTED: 'MODEL_ENCODING_UNSUPPORTED',
  /** Not `POST /model/{modelId}/<route>` for a configured route. */
  ROUTE_NOT_ALLOWED: 'ROUTE_NOT_ALLOWED',
  /** The method ARN is not an execute-api method ARN. */
  METHOD_ARN_INVALID: 'METHOD_ARN_INVALID',
} as const;

export const ALLOWED = 'ALLOWED';

export type UnauthorizedReasonCode = (typeof UnauthorizedReason)[keyof typeof UnauthorizedReason];
export type DenyReasonCode = (typeof DenyReason)[keyof typeof DenyReason];

/**
 * Why a token was refused. `reason` is one of `UnauthorizedReason` or a jose `err.code`;
 * `detail` narrows it (e.g. the failed claim) and never holds token material.
 */
export class TokenRejectedError extends Error {
  constructor(
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(detail === undefined ? reason : `${reason}: ${detail}`);
    this.name = 'TokenRejectedError';
  }
}
