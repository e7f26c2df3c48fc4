/**
 * The tenant stamp: the entries the gateway writes into every Bedrock call's request metadata
 * (Converse body `requestMetadata`, InvokeModel header `X-Amzn-Bedrock-Request-Metadata`), so
 * Bedrock's model invocation logs attribute every call to a tenant and a caller.
 *
 * One definition for every side: the authorizer puts the encoded values into its context, the
 * stack generates the mapping templates and the access log format from `STAMPED_ENTRIES` and
 * `AUTHORIZER_CONTEXT_KEYS`, and a Lambda forwarder can stamp the same entries with
 * `stampedEntries`. Imported by Lambda bundles: no dependencies beyond `node:crypto`.
 *
 * Bedrock's limits (bedrock-runtime API model, `RequestMetadata`): at most 16 entries; keys of
 * 1-256 and values of 0-256 characters, each matching `[a-zA-Z0-9\s:_@$#=/+,-.]`.
 */
import { createHash } from 'node:crypto';

/** Keys under this prefix belong to the gateway: whatever a client sends under it is replaced. */
export const STAMP_KEY_PREFIX = 'gw-';

/** Bedrock's request metadata limits. */
export const BEDROCK_REQUEST_METADATA = {
  maxEntries: 16,
  maxKeyLength: 256,
  maxValueLength: 256,
  /** One character of a key or value (Java/ECMAScript regex class; `,-.` is the range `,` `-` `.`). */
  characterClass: '[a-zA-Z0-9\\s:_@$#=/+,.-]',
} as const;

/**
 * The authorizer's context keys (`$context.authorizer.<key>` in templates and access logs).
 * Every value is a string already encoded with `encodeStampValue`, so it can be written into
 * JSON, a header or Bedrock's metadata without further escaping.
 */
export const AUTHORIZER_CONTEXT_KEYS = {
  /** Tenant id from the tenant table (config ids are already in the safe set). */
  tenant: 'tenantId',
  /** The token's `sub`, encoded. */
  subject: 'sub',
  /** The role claim (arrays joined with `,`), encoded. */
  role: 'role',
  /** Configured tier of the tenant (never the token's). */
  tier: 'tier',
  /** Identity provider id from config. */
  idp: 'idp',
  /** Environment name. */
  environment: 'env',
} as const;

export type AuthorizerContextField = keyof typeof AUTHORIZER_CONTEXT_KEYS;
export type AuthorizerContext = { readonly [K in (typeof AUTHORIZER_CONTEXT_KEYS)[AuthorizerContextField]]: string };

/** Where a stamped value comes from: an authorizer context key, or API Gateway's request id. */
export type StampSource = { readonly kind: 'authorizer'; readonly field: AuthorizerContextField } | { readonly kind: 'request-id' };

export interface StampedEntry {
  /** Metadata key, always under `STAMP_KEY_PREFIX`. */
  readonly key: string;
  readonly source: StampSource;
  readonly description: string;
}

/**
 * What the gateway stamps, in this order. Six of Bedrock's 16 entries; a client may send at
 * most `CLIENT_METADATA_ENTRIES` of its own.
 */
export const STAMPED_ENTRIES: readonly StampedEntry[] = [
  { key: 'gw-tenant', source: { kind: 'authorizer', field: 'tenant' }, description: 'tenant id' },
  { key: 'gw-sub', source: { kind: 'authorizer', field: 'subject' }, description: "caller's subject (token sub), encoded" },
  { key: 'gw-idp', source: { kind: 'authorizer', field: 'idp' }, description: 'identity provider id' },
  { key: 'gw-tier', source: { kind: 'authorizer', field: 'tier' }, description: "tenant's configured tier" },
  { key: 'gw-env', source: { kind: 'authorizer', field: 'environment' }, description: 'gateway environment' },
  { key: 'gw-request-id', source: { kind: 'request-id' }, description: "API Gateway request id (joins the gateway's access log line)" },
];

/** Entries a client may put in Converse `requestMetadata` itself (its `gw-` keys count too, though they are replaced). */
export const CLIENT_METADATA_ENTRIES = BEDROCK_REQUEST_METADATA.maxEntries - STAMPED_ENTRIES.length;

/**
 * Characters kept as they are. A subset of Bedrock's class: no whitespace (ambiguous in logs),
 * no `$` or `#` (template metacharacters), no `=` (the escape character).
 */
const SAFE = /^[A-Za-z0-9._:@/+,-]*$/;
const SAFE_CHAR = /[A-Za-z0-9._:@/+,-]/;
/** Marks a value shortened to fit 256 characters; never produced by the escape itself. */
export const TRUNCATION_MARK = '#';
const HASH_LENGTH = 43;

/**
 * Encodes any string so that it matches Bedrock's value pattern and length: every UTF-8 byte of
 * a character outside `[A-Za-z0-9._:@/+,-]` becomes `=XX` (uppercase hex), `=` included, so
 * `auth0|123` is `auth0=7C123` and `é` is `=C3=A9`. Reversible with `decodeStampValue`.
 *
 * Above 256 characters the encoded value is cut after the last whole character that fits in 212,
 * and `#` plus the base64url SHA-256 of the original's UTF-8 bytes (43 characters) is appended:
 * at most 256 characters, deterministic, distinct for distinct inputs, readable prefix. The
 * authorizer's audit line keeps the full subject.
 */
export function encodeStampValue(value: string): string {
  if (value.length <= BEDROCK_REQUEST_METADATA.maxValueLength && SAFE.test(value)) return value;
  // One piece per character, so a shortened value never splits an escape or a character.
  const pieces: string[] = [];
  let length = 0;
  for (const char of value) {
    const piece = SAFE_CHAR.test(char) ? char : escapeCharacter(char);
    pieces.push(piece);
    length += piece.length;
  }
  if (length <= BEDROCK_REQUEST_METADATA.maxValueLength) return pieces.join('');
  const room = BEDROCK_REQUEST_METADATA.maxValueLength - TRUNCATION_MARK.length - HASH_LENGTH;
  let prefix = '';
  for (const piece of pieces) {
    if (prefix.length + piece.length > room) break;
    prefix += piece;
  }
  return `${prefix}${TRUNCATION_MARK}${createHash('sha256').update(value, 'utf8').digest('base64url')}`;
}

function escapeCharacter(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/**
 * The original string of an encoded value; for a shortened value (`...#<hash>`), the original's
 * prefix up to the mark. Throws on input `encodeStampValue` cannot produce.
 */
export function decodeStampValue(encoded: string): string {
  const mark = encoded.indexOf(TRUNCATION_MARK);
  const body = mark === -1 ? encoded : encoded.slice(0, mark);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '=') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw new Error(`not a stamp value: bad escape at ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (SAFE_CHAR.test(body[i])) bytes.push(body.charCodeAt(i));
    else throw new Error(`not a stamp value: ${JSON.stringify(body[i])} at ${i}`);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The authorizer's context, every value encoded. */
export function authorizerContext(fields: { readonly [K in AuthorizerContextField]: string }): AuthorizerContext {
  return {
    tenantId: encodeStampValue(fields.tenant),
    sub: encodeStampValue(fields.subject),
    role: encodeStampValue(fields.role),
    tier: encodeStampValue(fields.tier),
    idp: encodeStampValue(fields.idp),
    env: encodeStampValue(fields.environment),
  };
}

/** The stamped entries for one request, from the authorizer's (already encoded) context and the request id. */
export function stampedEntries(context: Readonly<Record<string, string | undefined>>, requestId: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const entry of STAMPED_ENTRIES) {
    entries[entry.key] = entry.source.kind === 'request-id' ? encodeStampValue(requestId) : (context[AUTHORIZER_CONTEXT_KEYS[entry.source.field]] ?? '');
  }
  return entries;
}

/**
 * True when a metadata key is the gateway's (a client's value under it is replaced). The prefix
 * matches in any case: Bedrock's key pattern allows upper case, and `GW-tenant` beside the real
 * `gw-tenant` would be a look-alike in the invocation log.
 */
export const isReservedMetadataKey = (key: string): boolean => key.toLowerCase().startsWith(STAMP_KEY_PREFIX);
