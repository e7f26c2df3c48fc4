/**
 * JWKS endpoint failures fail closed (401) within a bounded time and recover when the endpoint
 * does; key rotation works; unknown-kid spam costs the IdP at most one refetch per cooldown.
 * Real HTTP on 127.0.0.1, real jose, no mocks. `jwksTimeoutMs` is 300 ms here.
 */
import { randomUUID } from 'node:crypto';
import { JwksServer } from '../../helpers/jwks-server';
import type { HandlerOptions } from '../../../functions/authorizer/handler';
import { generateSigningKey, jwks, mint, type SigningKey } from './support/jwt';
import { bearer, cognitoAccessClaims, harness, testSettings, type Harness, type IdpName } from './support/world';

const JWKS_TIMEOUT_MS = 300;
/** Well under any Lambda timeout; generous over 300 ms for a loaded CI machine. */
const BOUND_MS = 1500;

let keyA: SigningKey;
let keyB: SigningKey;

beforeAll(() => {
  keyA = generateSigningKey('RS256', 'key-a');
  keyB = generateSigningKey('RS256', 'key-b');
});

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
});

/** A handler whose every IdP uses `server` (only the Cognito-shaped one is exercised). */
async function setup(options: HandlerOptions = {}, keys: SigningKey[] = [keyA]): Promise<{ server: JwksServer; h: Harness }> {
  const server = await JwksServer.start(jwks(...keys));
  servers.push(server);
  const uris = Object.fromEntries((['cognito', 'cognitoId', 'okta', 'entra', 'rfc9068'] as IdpName[]).map((n) => [n, server.jwksUri])) as Record<IdpName, string>;
  return { server, h: harness(testSettings(uris, { jwksTimeoutMs: JWKS_TIMEOUT_MS }), options) };
}

const tokenFor = (key: SigningKey) => bearer(mint(key, cognitoAccessClaims('acme')));

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

async function expectAllowed(h: Harness, token: string): Promise<void> {
  const outcome = await h.call(token);
  expect(outcome.status).toBe('policy');
  expect(h.lastLine()).toMatchObject({ decision: 'allow', reason: 'ALLOWED' });
}

describe('JWKS endpoint failures fail closed and recover', () => {
  it('endpoint down (connection refused): 401, then accepted once it is back', async () => {
    const { server, h } = await setup();
    await server.close();
    const { value, ms } = await timed(() => h.call(tokenFor(keyA)));
    expect(value).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ decision: 'unauthorized', reason: 'JWKS_UNAVAILABLE', detail: 'ECONNREFUSED', idp: 'cognito' });
    expect(ms).toBeLessThan(BOUND_MS);

    await server.reopen();
    await expectAllowed(h, tokenFor(keyA));
  });

  it('5xx: 401, then accepted once the endpoint answers 200', async () => {
    const { server, h } = await setup();
    server.mode = 'error';
    expect(await h.call(tokenFor(keyA))).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ reason: 'JWKS_UNAVAILABLE', detail: 'ERR_JOSE_GENERIC' });
    server.mode = 'ok';
    await expectAllowed(h, tokenFor(keyA));
  });

  it('non-JSON body: 401, then recovers', async () => {
    const { server, h } = await setup();
    server.mode = 'non-json';
    expect(await h.call(tokenFor(keyA))).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ reason: 'JWKS_UNAVAILABLE', detail: 'ERR_JOSE_GENERIC' });
    server.mode = 'ok';
    await expectAllowed(h, tokenFor(keyA));
  });

  it('JSON that is not a key set: 401', async () => {
    const { server, h } = await setup();
    server.mode = 'not-jwks';
    expect(await h.call(tokenFor(keyA))).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ reason: 'JWKS_UNAVAILABLE', detail: 'ERR_JWKS_INVALID' });
  });

  it('slow endpoint: 401 after about jwksTimeoutMs, never hanging the authorizer; then recovers', async () => {
    const { server, h } = await setup();
    server.mode = 'hang';
    const { value, ms } = await timed(() => h.call(tokenFor(keyA)));
    expect(value).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ reason: 'JWKS_UNAVAILABLE', detail: 'ERR_JWKS_TIMEOUT' });
    expect(ms).toBeGreaterThanOrEqual(JWKS_TIMEOUT_MS - 20);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(h.lastLine().latencyMs).toBeLessThan(BOUND_MS);

    server.mode = 'ok';
    await expectAllowed(h, tokenFor(keyA));
  });

  it('concurrent requests during a slow fetch share one fetch and all fail within the bound', async () => {
    const { server, h } = await setup();
    server.mode = 'hang';
    const { value, ms } = await timed(() => Promise.all(Array.from({ length: 10 }, () => h.call(tokenFor(keyA)))));
    expect(value).toEqual(Array.from({ length: 10 }, () => ({ status: 401 })));
    expect(ms).toBeLessThan(BOUND_MS);
    expect(server.requests).toBe(1);
  });

  it('a stale key set with the endpoint down fails closed, and recovers with it', async () => {
    const { server, h } = await setup({ jwksCacheMaxAgeMs: 100 });
    await expectAllowed(h, tokenFor(keyA));
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await h.call(tokenFor(keyA))).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ reason: 'JWKS_UNAVAILABLE', detail: 'ECONNREFUSED' });
    await server.reopen();
    await expectAllowed(h, tokenFor(keyA));
  });
});

describe('key rotation and kid spam', () => {
  it('a new kid after the cooldown triggers exactly one refetch, and the retired key stops working', async () => {
    const { server, h } = await setup({ jwksCooldownMs: 200 });
    await expectAllowed(h, tokenFor(keyA));
    expect(server.requests).toBe(1);

    server.setKeys(jwks(keyB)); // the IdP rotates: key-b in, key-a retired
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expectAllowed(h, tokenFor(keyB));
    expect(server.requests).toBe(2);

    // key-a is gone from the fresh set; within the cooldown no further fetch is made for it.
    expect(await h.call(tokenFor(keyA))).toEqual({ status: 401 });
    expect(h.lastLine()).toMatchObject({ reason: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(server.requests).toBe(2);
  });

  it('overlapping rotation (old and new key both published) accepts both with no extra fetch', async () => {
    const { server, h } = await setup({}, [keyA, keyB]);
    await expectAllowed(h, tokenFor(keyA));
    await expectAllowed(h, tokenFor(keyB));
    expect(server.requests).toBe(1);
  });

  it('unknown-kid spam, sequential and concurrent, costs at most one refetch within the cooldown', async () => {
    const { server, h } = await setup(); // jose's default 30 s cooldown
    await expectAllowed(h, tokenFor(keyA));
    const spam = () => bearer(mint(generateSigningKeyCached(), cognitoAccessClaims('acme'), { header: { kid: randomUUID() } }));
    for (let i = 0; i < 25; i += 1) expect(await h.call(spam())).toEqual({ status: 401 });
    await Promise.all(Array.from({ length: 25 }, async () => expect(await h.call(spam())).toEqual({ status: 401 })));
    expect(h.lines.slice(1).every((l) => l.reason === 'ERR_JWKS_NO_MATCHING_KEY')).toBe(true);
    // The key set was fetched moments ago: jose is cooling down, so not a single refetch.
    expect(server.requests).toBe(1);
    await expectAllowed(h, tokenFor(keyA));
  });

  it('unknown-kid spam after the cooldown has elapsed costs exactly one refetch', async () => {
    const { server, h } = await setup({ jwksCooldownMs: 200 });
    await expectAllowed(h, tokenFor(keyA));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const spam = () => bearer(mint(generateSigningKeyCached(), cognitoAccessClaims('acme'), { header: { kid: randomUUID() } }));
    await Promise.all(Array.from({ length: 25 }, async () => expect(await h.call(spam())).toEqual({ status: 401 })));
    for (let i = 0; i < 25; i += 1) expect(await h.call(spam())).toEqual({ status: 401 });
    expect(server.requests).toBe(2);
  });

  it('unknown-kid spam with no key set cached yet costs one fetch, shared', async () => {
    const { server, h } = await setup();
    await Promise.all(
      Array.from({ length: 20 }, async () => expect(await h.call(bearer(mint(keyA, cognitoAccessClaims('acme'), { header: { kid: randomUUID() } })))).toEqual({ status: 401 })),
    );
    expect(server.requests).toBe(1);
  });
});

let spamKey: SigningKey | undefined;
function generateSigningKeyCached(): SigningKey {
  spamKey ??= generateSigningKey('RS256', 'spam');
  return spamKey;
}
