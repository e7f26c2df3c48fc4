/**
 * Reading an identity provider's JSON Web Key Set for diagnostics: what the endpoint answered,
 * which keys it publishes, and which of them jose would pick for a token (the same selection
 * the authorizer's `createRemoteJWKSet` makes, since both use jose's local key set).
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';

export type FetchLike = (url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<Response>;

export type JwksReading =
  | { readonly ok: true; readonly url: string; readonly jwks: JSONWebKeySet; readonly keys: readonly PublishedKey[] }
  | { readonly ok: false; readonly url: string; readonly error: string };

export interface PublishedKey {
  readonly kid?: string;
  readonly kty?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly crv?: string;
}

/** Fetches a JSON document; the error names what went wrong (status, network code, timeout, not JSON). */
export async function fetchJson(url: string, fetchImpl: FetchLike, timeoutMs: number): Promise<{ ok: true; body: unknown } | { ok: false; error: string }> {
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    return { ok: false, error: networkError(err, timeoutMs) };
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, error: `HTTP ${response.status}` };
  }
  try {
    return { ok: true, body: JSON.parse(await response.text()) };
  } catch {
    return { ok: false, error: 'the answer is not JSON' };
  }
}

function networkError(err: unknown, timeoutMs: number): string {
  const name = (err as { name?: unknown })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof cause?.message === 'string' ? `${message} (${cause.message})` : message;
}

export async function readJwks(url: string, fetchImpl: FetchLike, timeoutMs: number): Promise<JwksReading> {
  const answer = await fetchJson(url, fetchImpl, timeoutMs);
  if (!answer.ok) return { ok: false, url, error: answer.error };
  const body = answer.body as { keys?: unknown };
  if (typeof body !== 'object' || body === null || !Array.isArray(body.keys) || !body.keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    return { ok: false, url, error: 'the answer is not a JSON Web Key Set (no "keys" array of objects)' };
  }
  const keys = (body.keys as Record<string, unknown>[]).map((k) => {
    const key: { -readonly [P in keyof PublishedKey]: PublishedKey[P] } = {};
    for (const field of ['kid', 'kty', 'alg', 'use', 'crv'] as const) if (typeof k[field] === 'string') key[field] = k[field] as string;
    return key;
  });
  return { ok: true, url, jwks: body as JSONWebKeySet, keys };
}

export function describeKey(key: PublishedKey): string {
  const parts = [key.kty ?? 'no kty', key.crv, key.alg, key.use === undefined ? undefined : `use ${key.use}`].filter((p) => p !== undefined);
  return `${key.kid === undefined ? 'key without kid' : `kid ${JSON.stringify(key.kid)}`} (${parts.join(', ')})`;
}

export type KeySelection =
  | { readonly ok: true; readonly key: CryptoKey | Uint8Array }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** The key jose selects for `header` from `jwks`, or jose's error code. */
export async function selectKey(jwks: JSONWebKeySet, header: JWSHeaderParameters): Promise<KeySelection> {
  try {
    const getKey = createLocalJWKSet(jwks);
    return { ok: true, key: await getKey(header, { payload: '', signature: '' }) };
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    return { ok: false, code: typeof code === 'string' ? code : 'ERROR', message: err instanceof Error ? err.message : String(err) };
  }
}
