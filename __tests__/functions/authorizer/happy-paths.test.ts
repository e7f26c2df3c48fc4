/**
 * Valid tokens as Cognito (access and ID), Okta, Entra ID v2 and an RFC 9068 issuer mint them,
 * RS256 and ES256, verified against JWKS served over HTTP: the exact Allow response, and the
 * policy's behaviour on every route of every model (it is cached per token and reused).
 */
import { mint } from './support/jwt';
import { evaluatePolicy } from './support/policy-evaluator';
import {
  API_PREFIX,
  bearer,
  cognitoAccessClaims,
  entraAccessClaims,
  harness,
  methodArn,
  MODELS,
  ROUTES,
  startWorld,
  validTokens,
  type Harness,
  type Outcome,
  type World,
} from './support/world';
import type { AuthorizerResponse } from '../../../functions/authorizer/policy';

let world: World;
let h: Harness;

beforeAll(async () => {
  world = await startWorld();
  h = harness(world.settings);
});
afterAll(async () => world.close());

function policyOf(outcome: Outcome): AuthorizerResponse {
  if (outcome.status !== 'policy') throw new Error('expected a policy, got 401');
  return outcome.response;
}

/** Every method ARN the tenant's models can appear under, in every encoding, on every route. */
function arnsFor(models: readonly string[], routes: readonly string[] = ROUTES): string[] {
  return models.flatMap((m) => routes.flatMap((r) => (['raw', 'upper', 'lower'] as const).map((e) => methodArn(m, r, e))));
}

const ALL_MODELS = Object.values(MODELS);

describe('Cognito access token (RS256)', () => {
  it('returns the Allow response for exactly the tenant models on every route, with the quota key and context', async () => {
    const token = validTokens(world).cognito();
    const response = policyOf(await h.call(bearer(token), methodArn(MODELS.haiku, 'converse')));

    const resources = [MODELS.sonnet, MODELS.haiku]
      .sort()
      .flatMap((m) => [m, m.replaceAll(':', '%3A'), m.replaceAll(':', '%3a')].flatMap((f) => ROUTES.map((r) => `${API_PREFIX}/POST/model/${f}/${r}`)));
    expect(response).toEqual({
      principalId: 'cognito:a1b2c3d4-0000-4000-8000-00000000cafe',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources }] },
      context: { tenantId: 'acme', sub: 'a1b2c3d4-0000-4000-8000-00000000cafe', role: 'developers,admins', tier: 'gold', idp: 'cognito', env: 'test' },
      usageIdentifierKey: 'bag-acme-key',
    });
    expect(Object.values(response.context ?? {}).every((v) => typeof v === 'string')).toBe(true);
  });

  it('allows the raw, %3A and %3a forms of the model id on converse and invoke', async () => {
    const token = validTokens(world).cognito();
    for (const arn of arnsFor([MODELS.haiku, MODELS.sonnet])) {
      const outcome = await h.call(bearer(token), arn);
      expect(evaluatePolicy(policyOf(outcome), arn)).toBe('Allow');
      expect(h.lastLine()).toMatchObject({ decision: 'allow', reason: 'ALLOWED', methodArn: arn });
    }
  });

  it('caches nothing per route: a policy made on converse allows invoke on the tenant models and denies every other model', async () => {
    const response = policyOf(await h.call(bearer(validTokens(world).cognito()), methodArn(MODELS.haiku, 'converse')));
    const own: string[] = [MODELS.haiku, MODELS.sonnet];
    for (const arn of arnsFor(own)) expect(evaluatePolicy(response, arn)).toBe('Allow');
    for (const arn of arnsFor(ALL_MODELS.filter((m) => !own.includes(m)))) expect(evaluatePolicy(response, arn)).toBe('Deny');
    // Nothing but the gateway routes: no other verb, route, stage or API.
    expect(evaluatePolicy(response, methodArn(MODELS.haiku, 'converse', 'upper', 'GET'))).toBe('Deny');
    expect(evaluatePolicy(response, methodArn(MODELS.haiku, 'converse-stream'))).toBe('Deny');
    expect(evaluatePolicy(response, methodArn(MODELS.haiku).replace('/dev/', '/prod/'))).toBe('Deny');
    expect(evaluatePolicy(response, methodArn(MODELS.haiku).replace('abcdef1234', 'zzzzzz9999'))).toBe('Deny');
  });

  it('gives the same response whichever route or model the token is first presented on', async () => {
    const token = validTokens(world).cognito();
    const onConverse = policyOf(await h.call(bearer(token), methodArn(MODELS.haiku, 'converse')));
    const onInvoke = policyOf(await h.call(bearer(token), methodArn(MODELS.sonnet, 'invoke', 'raw')));
    const onForeignModel = policyOf(await h.call(bearer(token), methodArn(MODELS.titan, 'invoke')));
    expect(onInvoke).toEqual(onConverse);
    expect(onForeignModel).toEqual(onConverse);
  });

  it('accepts a token within the clock tolerance after exp, and a token without kid when one key matches', async () => {
    const expiredWithinTolerance = validTokens(world).cognito({ exp: Math.floor(Date.UTC(2025, 5, 15, 12, 0, 0) / 1000) - 3 });
    expect((await h.call(bearer(expiredWithinTolerance))).status).toBe('policy');
    const noKid = mint(world.keys.cognito, cognitoAccessClaims('acme'), { header: { kid: undefined } });
    expect(evaluatePolicy(policyOf(await h.call(bearer(noKid))), methodArn(MODELS.haiku))).toBe('Allow');
  });

  it('accepts the Bearer scheme case-insensitively', async () => {
    const token = validTokens(world).cognito();
    expect((await h.call(`bearer ${token}`)).status).toBe('policy');
    expect((await h.call(`BEARER  ${token}`)).status).toBe('policy');
  });
});

describe('Cognito ID token (RS256, aud + token_use=id)', () => {
  it('is accepted by the IdP configured for ID tokens', async () => {
    const response = policyOf(await h.call(bearer(validTokens(world).cognitoId()), methodArn(MODELS.sonnet, 'invoke')));
    expect(evaluatePolicy(response, methodArn(MODELS.sonnet, 'invoke'))).toBe('Allow');
    expect(response.principalId).toBe('cognito-id:a1b2c3d4-0000-4000-8000-00000000beef');
    expect(response.context).toEqual({ tenantId: 'acme', sub: 'a1b2c3d4-0000-4000-8000-00000000beef', role: 'analysts', tier: 'gold', idp: 'cognito-id', env: 'test' });
    expect(response.usageIdentifierKey).toBe('bag-acme-key');
  });
});

describe('Okta access token (RS256, aud=api://default)', () => {
  it('allows the tenant model, which has no colon, on both routes', async () => {
    const response = policyOf(await h.call(bearer(validTokens(world, 'hooli').okta()), methodArn(MODELS.titan, 'converse')));
    expect(response.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: [`${API_PREFIX}/POST/model/${MODELS.titan}/converse`, `${API_PREFIX}/POST/model/${MODELS.titan}/invoke`],
      },
    ]);
    expect(response.context).toEqual({ tenantId: 'hooli', sub: 'carol@example.com', role: 'Everyone,ml-engineers', tier: 'bronze', idp: 'okta', env: 'test' });
    expect(response.usageIdentifierKey).toBe('bag-hooli-key');
  });
});

describe('Entra ID v2 access token', () => {
  it('RS256 with the app id URI audience', async () => {
    const response = policyOf(await h.call(bearer(validTokens(world, 'globex').entra()), methodArn(MODELS.haiku, 'invoke')));
    expect(evaluatePolicy(response, methodArn(MODELS.haiku, 'invoke'))).toBe('Allow');
    expect(response.context).toEqual({ tenantId: 'globex', sub: 'Zx9-entra-pairwise-subject-0000000000000', role: 'Gateway.Invoke', tier: 'silver', idp: 'entra', env: 'test' });
  });

  it('RS256 signed by the second published key, with the app id (GUID) audience', async () => {
    const token = mint(world.keys.entraSecond, entraAccessClaims('globex', { aud: '00000000-0000-4000-8000-0000000000aa' }));
    expect(evaluatePolicy(policyOf(await h.call(bearer(token))), methodArn(MODELS.haiku))).toBe('Allow');
  });

  it('ES256 where the provider is configured for it', async () => {
    const token = mint(world.keys.entraEc, entraAccessClaims('hooli'));
    const response = policyOf(await h.call(bearer(token), methodArn(MODELS.titan)));
    expect(evaluatePolicy(response, methodArn(MODELS.titan))).toBe('Allow');
    expect(response.usageIdentifierKey).toBe('bag-hooli-key');
  });
});

describe('RFC 9068 access token (ES256, typ at+jwt required)', () => {
  it('is accepted with the typ header the provider requires', async () => {
    const response = policyOf(await h.call(bearer(validTokens(world, 'umbrella').rfc9068()), methodArn(MODELS.profile, 'invoke')));
    expect(evaluatePolicy(response, methodArn(MODELS.profile, 'invoke'))).toBe('Allow');
    expect(evaluatePolicy(response, methodArn(MODELS.llama, 'converse', 'raw'))).toBe('Allow');
    expect(evaluatePolicy(response, methodArn(MODELS.haiku))).toBe('Deny');
    expect(response.context).toEqual({ tenantId: 'umbrella', sub: 'service-account-7', role: 'batch', tier: 'silver', idp: 'rfc9068', env: 'test' });
  });
});

describe('tier comes from config, never from the token', () => {
  it('a token claiming a higher tier gets its configured tier, and the mismatch is logged', async () => {
    const token = validTokens(world).cognito({ 'custom:tier': 'platinum' });
    const response = policyOf(await h.call(bearer(token)));
    expect(response.context?.tier).toBe('gold');
    expect(response.usageIdentifierKey).toBe('bag-acme-key');
    expect(h.lastLine()).toMatchObject({ decision: 'allow', reason: 'ALLOWED', tier: 'gold', claimedTier: 'platinum' });
  });

  it('a matching tier claim logs no mismatch', async () => {
    await h.call(bearer(validTokens(world).cognito({ 'custom:tier': 'gold' })));
    expect(h.lastLine()).toMatchObject({ decision: 'allow', tier: 'gold', claimedTier: null });
  });
});

describe('JWKS reuse across invocations', () => {
  it('fetches each key set once for many calls (one remote JWKS per issuer, module scope)', async () => {
    const fresh = harness(world.settings);
    const before = world.servers.okta.requests;
    const token = validTokens(world, 'hooli').okta();
    for (let i = 0; i < 20; i += 1) expect((await fresh.call(bearer(token), methodArn(MODELS.titan))).status).toBe('policy');
    expect(world.servers.okta.requests - before).toBe(1);
  });
});
