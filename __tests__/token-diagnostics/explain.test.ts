/**
 * explain-token never contradicts the real decision: over a corpus with every reason code the
 * authorizer can give a token (five providers shaped like Cognito, Okta, Entra ID and an RFC 9068
 * issuer, JWKS on 127.0.0.1), the reported outcome is the authorizer's own on the same method ARN,
 * exactly one check fails and it is the one the reason points to, checks before it passed,
 * checks after it were not reached, and explain-token's own reading agrees everywhere. Neither the
 * text nor the JSON report ever holds the token or its signature.
 */
import type { EmbeddedAuthorizerSettings } from '../../functions/authorizer/settings';
import { CHECKS, explainToken, failedCheck, type Explanation } from '../../token-diagnostics/explain';
import { JwksServer } from '../helpers/jwks-server';
import { decodeJsonSegment } from '../../functions/authorizer/verify';
import { renderExplanation } from '../../token-diagnostics/render';
import { b64url, generateSigningKey, mint, mintHs256, mintRaw } from '../functions/authorizer/support/jwt';
import { evaluatePolicy } from '../functions/authorizer/support/policy-evaluator';
import {
  AUDIENCES,
  bearer,
  cognitoAccessClaims,
  cognitoIdClaims,
  entraAccessClaims,
  harness,
  ISSUERS,
  MODELS,
  NOW,
  NOW_MS,
  oktaAccessClaims,
  rfc9068Claims,
  startWorld,
  type World,
} from '../functions/authorizer/support/world';

let world: World;
/** A JWKS URL on a loopback port nothing listens on. */
let downJwksUri: string;

beforeAll(async () => {
  world = await startWorld();
  const down = await JwksServer.start();
  downJwksUri = down.jwksUri;
  await down.close();
});
afterAll(async () => world.close());

interface Case {
  readonly name: string;
  readonly token: () => string;
  readonly reason: string;
  readonly model?: string;
  readonly route?: string;
  readonly settings?: () => EmbeddedAuthorizerSettings;
}

const cognito = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => mint(world.keys.cognito, cognitoAccessClaims('acme', extra), { header });
const okta = (extra: Record<string, unknown> = {}) => mint(world.keys.okta, oktaAccessClaims('hooli', extra));
const entra = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => mint(world.keys.entra, entraAccessClaims('globex', extra), { header });
const withHeader = (token: string, header: Record<string, unknown>, signature = '') => `${b64url(header)}.${token.split('.')[1]}.${signature}`;

const cases: Case[] = [
  { name: 'valid Cognito access token', token: () => cognito(), reason: 'ALLOWED' },
  { name: 'valid Entra v2.0 token, invoke route', token: () => entra(), reason: 'ALLOWED', route: 'invoke' },
  { name: 'valid RFC 9068 ES256 token', token: () => mint(world.keys.rfc9068, rfc9068Claims('umbrella'), { header: { typ: 'at+jwt' } }), reason: 'ALLOWED' },
  { name: 'valid Cognito ID token', token: () => mint(world.keys.cognitoId, cognitoIdClaims('acme')), reason: 'ALLOWED' },
  // format
  { name: 'one segment', token: () => cognito().split('.')[0], reason: 'TOKEN_MALFORMED' },
  { name: 'JWE shape', token: () => 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d', reason: 'TOKEN_MALFORMED' },
  { name: 'header not base64url JSON', token: () => mintRaw(b64url('{alg:RS256'), cognitoAccessClaims('acme'), 'c2ln'), reason: 'TOKEN_MALFORMED' },
  { name: 'payload not JSON', token: () => mintRaw({ alg: 'RS256', kid: 'cognito-key-1' }, b64url('not json'), 'c2ln'), reason: 'TOKEN_MALFORMED' },
  { name: 'jku header', token: () => cognito({}, { jku: 'http://127.0.0.1:1/jwks' }), reason: 'HEADER_KEY_REFERENCE' },
  { name: 'kid of the wrong type', token: () => cognito({}, { kid: 42 }), reason: 'KID_INVALID' },
  { name: 'over maxTokenBytes', token: () => cognito({ padding: 'x'.repeat(9000) }), reason: 'TOKEN_TOO_LARGE' },
  { name: 'two tokens', token: () => `${cognito()} ${cognito()}`, reason: 'TOKEN_MISSING' },
  // issuer
  { name: 'unknown issuer', token: () => cognito({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }), reason: 'ISSUER_UNKNOWN' },
  { name: 'issuer with a trailing slash', token: () => cognito({ iss: `${ISSUERS.cognito}/` }), reason: 'ISSUER_UNKNOWN' },
  { name: 'iss missing', token: () => cognito({ iss: undefined }), reason: 'ISSUER_UNKNOWN' },
  // header
  { name: 'alg none', token: () => withHeader(cognito(), { alg: 'none', kid: 'cognito-key-1' }), reason: 'ERR_JOSE_ALG_NOT_ALLOWED' },
  { name: 'HS256 with the public key as secret', token: () => mintHs256(String(world.keys.cognito.jwk.n), { kid: 'cognito-key-1' }, cognitoAccessClaims('acme')), reason: 'ERR_JOSE_ALG_NOT_ALLOWED' },
  { name: 'alg missing', token: () => withHeader(cognito(), { kid: 'cognito-key-1' }, cognito().split('.')[2]), reason: 'ERR_JWS_INVALID' },
  { name: 'unknown crit', token: () => cognito({}, { crit: ['urn:x'], 'urn:x': true }), reason: 'ERR_JOSE_NOT_SUPPORTED' },
  { name: 'crit not an array', token: () => cognito({}, { crit: 'exp' }), reason: 'ERR_JWS_INVALID' },
  // signature
  { name: 'unknown kid', token: () => mint(generateSigningKey('RS256', 'rotated-away'), cognitoAccessClaims('acme')), reason: 'ERR_JWKS_NO_MATCHING_KEY' },
  { name: 'no kid, several keys', token: () => entra({}, { kid: undefined }), reason: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' },
  { name: 'attacker key under the real kid', token: () => mint(generateSigningKey('RS256', 'cognito-key-1'), cognitoAccessClaims('acme')), reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
  { name: 'stripped signature', token: () => `${cognito().split('.').slice(0, 2).join('.')}.`, reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
  { name: 'signature not base64url', token: () => `${cognito().slice(0, -4)}+/=`, reason: 'ERR_JWS_INVALID' },
  {
    name: 'JWKS endpoint down',
    token: () => cognito(),
    reason: 'JWKS_UNAVAILABLE',
    settings: () => ({ ...world.settings, identityProviders: world.settings.identityProviders.map((p) => (p.id === 'cognito' ? { ...p, jwksUri: downJwksUri } : p)) }),
  },
  // typ
  { name: 'typ JWT where at+jwt is required', token: () => mint(world.keys.rfc9068, rfc9068Claims('umbrella')), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  // required claims
  { name: 'exp missing', token: () => cognito({ exp: undefined }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'sub missing', token: () => cognito({ sub: undefined }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'aud missing', token: () => okta({ aud: undefined }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'sub missing and aud wrong (presence is checked first)', token: () => okta({ sub: undefined, aud: 'api://other' }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  // audience
  { name: 'wrong aud', token: () => okta({ aud: 'api://other' }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'aud list without ours', token: () => entra({ aud: ['api://a', 'api://b'] }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  // lifetime
  { name: 'expired', token: () => cognito({ exp: NOW - 6 }), reason: 'ERR_JWT_EXPIRED' },
  { name: 'expired and without tenant', token: () => cognito({ exp: NOW - 600, 'custom:tenant_id': undefined }), reason: 'ERR_JWT_EXPIRED' },
  { name: 'nbf in the future', token: () => entra({ nbf: NOW + 60 }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'exp not a number', token: () => cognito({ exp: '9999999999' }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'iat not a number', token: () => cognito({ iat: 'yesterday' }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'older than maxTokenAge', token: () => entra({ iat: NOW - 86400 - 60 }), reason: 'ERR_JWT_EXPIRED' },
  { name: 'iat in the future with maxTokenAge', token: () => entra({ iat: NOW + 60, nbf: NOW - 10 }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  // token use
  { name: 'Cognito ID token at the access-token provider', token: () => mint(world.keys.cognito, cognitoIdClaims('acme', { iss: ISSUERS.cognito, aud: AUDIENCES.cognitoClient })), reason: 'TOKEN_USE_MISMATCH' },
  { name: 'Cognito client_id of another app', token: () => cognito({ client_id: 'other' }), reason: 'CLIENT_ID_MISMATCH' },
  { name: 'OIDC ID token (nonce)', token: () => okta({ nonce: 'n-0S6' }), reason: 'TOKEN_USE_MISMATCH' },
  { name: 'OIDC token_use id', token: () => okta({ token_use: 'id' }), reason: 'TOKEN_USE_MISMATCH' },
  // issued at, subject
  { name: 'iat in the future', token: () => cognito({ iat: NOW + 60 }), reason: 'IAT_IN_FUTURE' },
  { name: 'sub empty', token: () => cognito({ sub: '' }), reason: 'SUBJECT_MISSING' },
  { name: 'sub a number', token: () => cognito({ sub: 42 }), reason: 'SUBJECT_MISSING' },
  // 403s
  { name: 'tenant claim missing', token: () => cognito({ 'custom:tenant_id': undefined }), reason: 'TENANT_CLAIM_MISSING' },
  { name: 'tenant claim an array', token: () => cognito({ 'custom:tenant_id': ['acme'] }), reason: 'TENANT_CLAIM_MISSING' },
  { name: 'unknown tenant', token: () => cognito({ 'custom:tenant_id': 'ACME' }), reason: 'TENANT_UNKNOWN' },
  { name: 'tenant named __proto__', token: () => cognito({ 'custom:tenant_id': '__proto__' }), reason: 'TENANT_UNKNOWN' },
  { name: 'disabled tenant', token: () => cognito({ 'custom:tenant_id': 'initech' }), reason: 'TENANT_DISABLED' },
  { name: 'tenant not accepting this IdP', token: () => cognito({ 'custom:tenant_id': 'globex' }), reason: 'IDP_NOT_ALLOWED_FOR_TENANT' },
  { name: 'tenant without models', token: () => cognito({ 'custom:tenant_id': 'vacant' }), reason: 'TENANT_HAS_NO_MODELS', model: MODELS.haiku },
  { name: 'model outside the allowlist', token: () => cognito(), reason: 'MODEL_NOT_ALLOWED', model: MODELS.titan },
  { name: 'not a gateway route', token: () => cognito(), reason: 'ROUTE_NOT_ALLOWED', route: 'converse-stream' },
];

const failingChecks = new Set<string>();

async function run(testCase: Case): Promise<{ e: Explanation; token: string; settings: EmbeddedAuthorizerSettings }> {
  const token = testCase.token();
  const settings = testCase.settings?.() ?? world.settings;
  const e = await explainToken({
    settings,
    token,
    region: 'us-east-1',
    stage: 'dev',
    now: () => NOW_MS,
    ...(testCase.model !== undefined ? { model: testCase.model } : {}),
    ...(testCase.route !== undefined ? { route: testCase.route } : {}),
  });
  return { e, token, settings };
}

describe('the explanation never contradicts the real decision', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const { e, token, settings } = await run(testCase);

    // The real authorizer, separately, on the same method ARN.
    const h = harness(settings);
    const outcome = await h.call(bearer(token), e.request.methodArn);
    const line = h.lastLine();
    expect(e.outcome).toEqual({ status: line.decision === 'unauthorized' ? 401 : line.decision === 'deny' ? 403 : 'allow', decision: line.decision, reason: line.reason, detail: line.detail });
    expect(e.outcome.reason).toBe(testCase.reason);
    if (outcome.status === 401) expect(line.decision).toBe('unauthorized');
    else expect(evaluatePolicy(outcome.response, e.request.methodArn)).toBe(line.decision === 'allow' ? 'Allow' : 'Deny');
    const { latencyMs: _ignored, ...audit } = line;
    expect(e.audit).toEqual(audit);

    // The checks: in the authorizer's order; one failure, the one the reason points to.
    expect(e.consistent).toBe(true);
    expect(e.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    const failed = e.checks.findIndex((c) => c.status === 'fail');
    if (e.outcome.status === 'allow') {
      expect(failed).toBe(-1);
      expect(e.checks.every((c) => c.status === 'pass' || c.status === 'skip')).toBe(true);
    } else {
      expect(e.checks.filter((c) => c.status === 'fail')).toHaveLength(1);
      expect(e.checks[failed].id).toBe(failedCheck(e.outcome.reason, e.outcome.detail, decodeJsonSegment(token.split('.')[0])));
      failingChecks.add(e.checks[failed].id);
      expect(e.checks.slice(0, failed).every((c) => c.status === 'pass' || c.status === 'skip')).toBe(true);
      expect(e.checks.slice(failed + 1).every((c) => c.status === 'not-reached')).toBe(true);
      expect(e.checks.flatMap((c) => c.details).some((d) => d.startsWith('note:'))).toBe(false);
    }

    // Never the token, a segment of it or its signature, in the text or the JSON.
    const reports = [renderExplanation(e), JSON.stringify(e)];
    const secrets = [token, ...token.split(/[.\s]/)].filter((part) => part.length >= 16).map((part) => part.slice(0, 64));
    for (const report of reports) for (const secret of secrets) expect(report).not.toContain(secret);
  });

  it('the corpus makes every check the failing one at least once', () => {
    expect([...failingChecks].sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });
});

describe('what the report says', () => {
  it('an expired token that also lacks the tenant claim: the authorizer stops at the lifetime, and the later failure is shown as what it would be', async () => {
    const { e } = await run(cases.find((c) => c.name === 'expired and without tenant') as Case);
    const text = renderExplanation(e);
    expect(text).toContain('  [FAIL] lifetime (exp, nbf, iat): expired at 2025-06-15T11:50:00Z (exp, 600 s ago; clock tolerance 5 s, now 2025-06-15T12:00:00Z)\n');
    expect(text).toContain(
      '  [ -- ] tenant, role and tier claims: not checked: the authorizer stopped at "lifetime (exp, nbf, iat)"\n         on its own this would also fail (unverified token): tenant: claim "custom:tenant_id" is missing\n',
    );
    expect(text).toContain('  - get a new token (a refresh token or a new sign-in); tokens are valid only until exp\n');
  });

  it('names the published keys when the kid is unknown', async () => {
    const { e } = await run(cases.find((c) => c.name === 'unknown kid') as Case);
    const signature = e.checks.find((c) => c.id === 'signature');
    expect(signature?.summary).toBe(`${world.servers.cognito.jwksUri} publishes no key for kid "rotated-away" and alg "RS256"`);
    expect(signature?.details).toEqual(['published keys: kid "cognito-key-1" (RSA, RS256, use sig)']);
  });

  it('an unreachable JWKS is named with the network error', async () => {
    const { e } = await run(cases.find((c) => c.name === 'JWKS endpoint down') as Case);
    expect(e.checks.find((c) => c.id === 'signature')?.summary).toBe(`the key set at ${downJwksUri} could not be read: ECONNREFUSED`);
  });

  it('a missing required claim is named', async () => {
    const { e } = await run(cases.find((c) => c.name === 'sub missing and aud wrong (presence is checked first)') as Case);
    expect(e.outcome.detail).toBe('sub:missing');
    expect(e.checks.find((c) => c.status === 'fail')).toMatchObject({ id: 'required', summary: 'missing: sub (required here: iss, aud, sub, exp)' });
    expect(e.fixes).toEqual(['the token has no "sub" claim, which "okta" requires (docs/identity-providers.md#okta)']);
    expect(e.checks.find((c) => c.id === 'audience')?.details).toEqual(['on its own this would also fail (unverified token): aud "api://other" is not a configured audience ("api://default")']);
  });

  it('without --model it asks about the first model of the token\'s tenant, and says so', async () => {
    const { e } = await run({ name: 'default model', token: () => cognito(), reason: 'ALLOWED' });
    expect(e.request).toMatchObject({ model: [MODELS.sonnet, MODELS.haiku].sort()[0], modelSource: 'tenant', route: 'converse' });
    expect(e.request.methodArn).toBe(`arn:aws:execute-api:us-east-1:000000000000:explaintkn/dev/POST/model/${encodeURIComponent([MODELS.sonnet, MODELS.haiku].sort()[0])}/converse`);
  });

  it('a model outside the tenant list is named with the tenant\'s models', async () => {
    const { e } = await run(cases.find((c) => c.name === 'model outside the allowlist') as Case);
    expect(e.checks.find((c) => c.status === 'fail')?.summary).toBe(`model "${MODELS.titan}" is not one of tenant "acme"'s models (${[MODELS.sonnet, MODELS.haiku].sort().join(', ')})`);
  });

  it('a tier claim above the configured tier is shown, and the configured tier applies', async () => {
    const { e } = await run({ name: 'claimed tier', token: () => cognito({ 'custom:tier': 'platinum' }), reason: 'ALLOWED' });
    expect(e.audit.claimedTier).toBe('platinum');
    expect(e.checks.find((c) => c.id === 'tenant')?.details).toContain('the token claims tier "platinum"; the configured tier gold applies (logged as claimedTier)');
  });

  it('tolerates a pasted "Bearer " prefix', async () => {
    const { e } = await run({ name: 'bearer', token: () => `Bearer ${cognito()}`, reason: 'ALLOWED' });
    expect(e.outcome.status).toBe('allow');
  });
});
