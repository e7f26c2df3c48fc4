/**
 * A remote JSON Web Key Set with jose's `createRemoteJWKSet` semantics (cache max age, cooldown
 * before an unknown `kid` refetches, one fetch in flight, jose's error codes), fetched with
 * node:http / node:https instead of `fetch`. Why: jose's remote set builds a `Headers` object when
 * it is created, and the first `Headers` or `fetch` makes Node load undici (about 30 ms, measured
 * in `npm run bench:authorizer`), which the authorizer paid on every cold start. The transport
 * module is loaded on the first fetch only. Key import and matching stay jose's (`createLocalJWKSet`).
 */
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JWSHeaderParameters } from 'jose';

export interface RemoteKeySetOptions {
  /** Upper bound on one fetch, ms. @default 5000 */
  readonly timeoutDuration?: number;
  /** After a fetch, an unknown `kid` waits this long before the next fetch, ms. @default 30000 */
  readonly cooldownDuration?: number;
  /** A set older than this is refetched before use, ms. @default 600000 */
  readonly cacheMaxAge?: number;
}

type GetKey = ReturnType<typeof createLocalJWKSet>;

export interface RemoteKeySet {
  (protectedHeader: JWSHeaderParameters, token: FlattenedJWSInput): ReturnType<GetKey>;
  /** The cached set is younger than `cacheMaxAge`. */
  readonly fresh: boolean;
  /** A fetch is in flight. */
  readonly reloading: boolean;
}

const USER_AGENT = 'bedrock-ai-gateway-authorizer';
const MAX_JWKS_BYTES = 1024 * 1024;

/** GET `url`; resolves with the parsed JSON of a 200 answer, rejects as jose's fetch path would. */
async function fetchJwks(url: URL, timeoutMs: number): Promise<unknown> {
  const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn();
      }
    };
    const req = transport.get(url, { headers: { accept: 'application/json, application/jwk-set+json', 'user-agent': USER_AGENT } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        finish(() => reject(new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response')));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_JWKS_BYTES) {
          req.destroy();
          finish(() => reject(new errors.JOSEError('Failed to parse the JSON Web Key Set HTTP response as JSON')));
        } else chunks.push(chunk);
      });
      res.on('end', () => {
        finish(() => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (cause) {
            reject(new errors.JOSEError('Failed to parse the JSON Web Key Set HTTP response as JSON', { cause }));
          }
        });
      });
      res.on('error', (err) => finish(() => reject(new TypeError('fetch failed', { cause: err }))));
    });
    const timer = setTimeout(() => {
      finish(() => reject(new errors.JWKSTimeout()));
      req.destroy();
    }, timeoutMs);
    // Network errors carry their code on `cause`, as fetch's do (the verifier reads it).
    req.on('error', (err) => finish(() => reject(new TypeError('fetch failed', { cause: err }))));
  });
}

export function createRemoteKeySet(url: URL, options: RemoteKeySetOptions = {}): RemoteKeySet {
  const timeoutDuration = options.timeoutDuration ?? 5000;
  const cooldownDuration = options.cooldownDuration ?? 30000;
  const cacheMaxAge = options.cacheMaxAge ?? 600000;
  let local: GetKey | undefined;
  let fetchedAt: number | undefined;
  let pending: Promise<void> | undefined;
  const freshFor = (duration: number) => fetchedAt !== undefined && Date.now() < fetchedAt + duration;

  const reload = async (): Promise<void> => {
    pending ??= fetchJwks(url, timeoutDuration)
      .then((json) => {
        local = createLocalJWKSet(json as Parameters<typeof createLocalJWKSet>[0]);
        fetchedAt = Date.now();
      })
      .finally(() => {
        pending = undefined;
      });
    await pending;
  };

  const getKey = async (protectedHeader: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (!local || !freshFor(cacheMaxAge)) await reload();
    try {
      return await local!(protectedHeader, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey && !freshFor(cooldownDuration)) {
        await reload();
        return local!(protectedHeader, token);
      }
      throw err;
    }
  };
  return Object.defineProperties(getKey, {
    fresh: { get: () => freshFor(cacheMaxAge), enumerable: true },
    reloading: { get: () => pending !== undefined, enumerable: true },
  }) as unknown as RemoteKeySet;
}
