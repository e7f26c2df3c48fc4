/**
 * Test signing keys and a JWT minter with full control over header, payload and signature, so
 * the bad-input corpus can build what a hostile client would send. Real crypto throughout.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export type SigningAlg = 'RS256' | 'ES256';

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK as a JWKS would publish it. */
  readonly jwk: Record<string, unknown>;
}

export function generateSigningKey(alg: SigningAlg, kid: string): SigningKey {
  const { privateKey, publicKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, jwk };
}

export function jwks(...keys: SigningKey[]): { keys: Record<string, unknown>[] } {
  return { keys: keys.map((k) => k.jwk) };
}

export function b64url(value: string | Buffer | object): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
  return bytes.toString('base64url');
}

/** RS256 / ES256 (JOSE raw r||s) signature over `signingInput`. */
export function signatureFor(key: SigningKey, signingInput: string): Buffer {
  return key.alg === 'RS256'
    ? sign('sha256', Buffer.from(signingInput), key.privateKey)
    : sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
}

export interface MintOptions {
  /** Merged over `{ alg: key.alg, kid: key.kid, typ: 'JWT' }`; a value of `undefined` removes the parameter. */
  readonly header?: Record<string, unknown>;
}

/** A compact JWS signed by `key`. */
export function mint(key: SigningKey, payload: Record<string, unknown>, options: MintOptions = {}): string {
  const header = stripUndefined({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header });
  const signingInput = `${b64url(header)}.${b64url(stripUndefined(payload))}`;
  return `${signingInput}.${b64url(signatureFor(key, signingInput))}`;
}

/** A compact JWS whose signature is HMAC-SHA256 keyed with `secret` (the classic RS/HS confusion). */
export function mintHs256(secret: string | Buffer, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const signingInput = `${b64url({ alg: 'HS256', ...header })}.${b64url(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** A compact JWS with an arbitrary header and signature segment. */
export function mintRaw(header: Record<string, unknown> | string, payload: Record<string, unknown> | string, signature = ''): string {
  const encode = (part: Record<string, unknown> | string) => (typeof part === 'string' ? part : b64url(part));
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
