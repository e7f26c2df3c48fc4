/**
 * Each recipe of docs/identity-providers.md, followed as written: the example config's
 * providers, tokens shaped exactly as Cognito (access with and without the trigger's claim, ID,
 * M2M), Okta and Entra ID v2.0 issue them, signed with real keys and checked against JWKS
 * served on 127.0.0.1. For each: the real authorizer's outcome, and explain-token's lines for
 * the failing check and the fix it names.
 */
import type { EmbeddedAuthorizerSettings } from '../../functions/authorizer/settings';
import { explainToken, type Explanation } from '../../token-diagnostics/explain';
import { tenantLimits } from '../../token-diagnostics/cli';
import { renderExplanation } from '../../token-diagnostics/render';
import { mint } from '../functions/authorizer/support/jwt';
import { evaluatePolicy } from '../functions/authorizer/support/policy-evaluator';
import { bearer, harness } from '../functions/authorizer/support/world';
import { accessTokenClaims, clientCredentialsEvent, loadTrigger, userSignInEvent } from '../docs/support/trigger';
import {
  COGNITO_M2M_CLIENT,
  COGNITO_USER_CLIENT,
  cognitoAccessToken,
  cognitoIdToken,
  cognitoM2MToken,
  entraAccessToken,
  NOW,
  NOW_MS,
  oktaAccessToken,
  startProviders,
  type Providers,
} from './support/providers';

let p: Providers;

beforeAll(async () => {
  p = await startProviders();
});
afterAll(async () => p.close());

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

async function explain(token: string, settings: EmbeddedAuthorizerSettings = p.settings, model = HAIKU): Promise<{ e: Explanation; text: string }> {
  const e = await explainToken({ settings, token, region: 'us-east-1', stage: 'dev', model, now: () => NOW_MS, limits: tenantLimits(p.config), fetch: p.fetch });
  expect(e.consistent).toBe(true);
  return { e, text: renderExplanation(e) };
}

/** The real authorizer's answer on the same request explain-token asked about. */
async function authorize(token: string, e: Explanation, settings: EmbeddedAuthorizerSettings = p.settings) {
  const h = harness(settings);
  const outcome = await h.call(bearer(token), e.request.methodArn);
  return { outcome, line: h.lastLine(), effect: outcome.status === 'policy' ? evaluatePolicy(outcome.response, e.request.methodArn) : undefined };
}

/** The failed check's line and its detail lines, exactly as printed. */
function failLines(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('  [FAIL]'));
  if (start < 0) return [];
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith('         ')) end++;
  return lines.slice(start, end);
}
const fixLines = (text: string) => text.split('\n').filter((l) => l.startsWith('  - '));

describe('Cognito: access tokens with a pre token generation trigger', () => {
  it('allows a user whose access token carries the claims the trigger (V2_0 event) added', async () => {
    const added = await accessTokenClaims(loadTrigger(), userSignInEvent({ 'custom:tenant_id': 'acme', 'custom:tier': 'gold' }));
    expect(added).toEqual({ 'custom:tenant_id': 'acme', 'custom:tier': 'gold' });
    const token = cognitoAccessToken(p, added);
    const { e, text } = await explain(token);
    const { outcome, line, effect } = await authorize(token, e);
    expect([outcome.status, effect, line.reason, line.tenant, line.role]).toEqual(['policy', 'Allow', 'ALLOWED', 'acme', 'ml-engineers']);
    expect(e.outcome).toEqual({ status: 'allow', decision: 'allow', reason: 'ALLOWED', detail: null });
    expect(e.checks.map((c) => c.status)).not.toContain('fail');
    expect(text).toContain('  [pass] tenant, role and tier claims: tenant: claim "custom:tenant_id" = "acme"\n');
    expect(text).toContain('         limits: 50 requests/s, burst 100, quota 2000000 per MONTH\n');
  });

  it('refuses the same access token without the trigger (403 TENANT_CLAIM_MISSING), names the claim and the recipe', async () => {
    const token = cognitoAccessToken(p);
    const { e, text } = await explain(token);
    const { outcome, line, effect } = await authorize(token, e);
    expect([outcome.status, effect, line.reason]).toEqual(['policy', 'Deny', 'TENANT_CLAIM_MISSING']);
    expect(e.outcome).toEqual({ status: 403, decision: 'deny', reason: 'TENANT_CLAIM_MISSING', detail: null });
    expect(failLines(text)).toEqual([
      '  [FAIL] tenant, role and tier claims: tenant: claim "custom:tenant_id" is missing',
      '         role: claim "cognito:groups" = ["ml-engineers"] -> "ml-engineers"',
      '         tier: claim "custom:tier" is absent (the tier comes from the tenant table anyway)',
    ]);
    expect(fixLines(text)).toEqual([
      '  - the token needs the tenant in claim "custom:tenant_id" (claims.tenant of identity provider "cognito"): docs/identity-providers.md#cognito-access-tokens-with-a-pre-token-generation-trigger',
    ]);
    // Every verification check passed: the missing claim is the only failure.
    expect(e.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['claims']);
    expect(e.checks.slice(0, 11).every((c) => c.status === 'pass' || c.status === 'skip')).toBe(true);
  });

  it('a user without the tenant attribute gets no claim from the trigger, and the same refusal', async () => {
    const added = await accessTokenClaims(loadTrigger(), userSignInEvent({}));
    expect(added).toEqual({});
    const { e } = await explain(cognitoAccessToken(p, added));
    expect(e.outcome.reason).toBe('TENANT_CLAIM_MISSING');
  });

  it('refuses an access token of an app client the config does not list (401 CLIENT_ID_MISMATCH)', async () => {
    const token = cognitoAccessToken(p, { client_id: '6other0app0client0id000abc', 'custom:tenant_id': 'acme' });
    const { e, text } = await explain(token);
    expect((await authorize(token, e)).outcome).toEqual({ status: 401 });
    expect(failLines(text)).toEqual([
      '  [FAIL] token use (token_use, client_id): client_id "6other0app0client0id000abc" is not one of the configured app clients ("4example0app0client0id0abc", "5example0m2m0client0id0xyz")',
    ]);
  });
});

describe('Cognito: machine-to-machine callers (client credentials, V3_0)', () => {
  const trigger = () => loadTrigger({ TENANT_BY_CLIENT_ID: JSON.stringify({ [COGNITO_M2M_CLIENT]: 'hooli' }) });

  it('allows a client-credentials token: sub is the app client id, the V3_0 trigger maps the client to its tenant', async () => {
    const added = await accessTokenClaims(trigger(), clientCredentialsEvent(COGNITO_M2M_CLIENT));
    expect(added).toEqual({ 'custom:tenant_id': 'hooli' });
    const token = cognitoM2MToken(p, added);
    const { e, text } = await explain(token);
    const { outcome, line, effect } = await authorize(token, e);
    expect([effect, line.reason, line.tenant, line.subject, line.role]).toEqual(['Allow', 'ALLOWED', 'hooli', COGNITO_M2M_CLIENT, '']);
    if (outcome.status !== 'policy') throw new Error('expected a policy');
    expect(outcome.response.principalId).toBe(`cognito:${COGNITO_M2M_CLIENT}`);
    expect(text).toContain(`  [pass] subject (sub): sub "${COGNITO_M2M_CLIENT}"\n`);
    expect(text).toContain('         role: claim "cognito:groups" is absent, so the role is "" (not a refusal; docs/identity-providers.md#cognito-groups-as-roles)\n');
  });

  it('never takes the tenant from clientMetadata, which the caller chooses', async () => {
    expect(await accessTokenClaims(trigger(), clientCredentialsEvent('7unknown0client0id00000abc', { tenant: 'acme' }))).toEqual({});
    expect(await accessTokenClaims(trigger(), clientCredentialsEvent('constructor'))).toEqual({});
  });

  it('without the trigger (or with V2_0, which does not run for client credentials) the token is refused and the M2M recipe is named', async () => {
    const token = cognitoM2MToken(p);
    const { e, text } = await explain(token);
    expect(e.outcome.reason).toBe('TENANT_CLAIM_MISSING');
    expect((await authorize(token, e)).line.reason).toBe('TENANT_CLAIM_MISSING');
    expect(failLines(text)).toEqual([
      '  [FAIL] tenant, role and tier claims: tenant: claim "custom:tenant_id" is missing',
      '         role: claim "cognito:groups" is absent, so the role is "" (not a refusal; docs/identity-providers.md#cognito-groups-as-roles)',
      '         tier: claim "custom:tier" is absent (the tier comes from the tenant table anyway)',
    ]);
    expect(fixLines(text)).toEqual([
      '  - the token needs the tenant in claim "custom:tenant_id" (claims.tenant of identity provider "cognito"): docs/identity-providers.md#cognito-machine-to-machine-callers-client-credentials',
    ]);
  });
});

describe('Cognito: ID tokens instead of access tokens', () => {
  const idTokenSettings = (): EmbeddedAuthorizerSettings => ({
    ...p.settings,
    identityProviders: p.settings.identityProviders.map((idp) => (idp.id === 'cognito' ? { ...idp, tokenUse: 'id' as const, audiences: [COGNITO_USER_CLIENT] } : idp)),
  });

  it('with tokenUse "id" and aud = the app client id, an ID token (custom attributes included, no trigger) is allowed', async () => {
    const token = cognitoIdToken(p, 'acme');
    const { e, text } = await explain(token, idTokenSettings());
    const { line, effect } = await authorize(token, e, idTokenSettings());
    expect([effect, line.reason, line.tenant, line.claimedTier]).toEqual(['Allow', 'ALLOWED', 'acme', null]);
    expect(text).toContain(`  [pass] audience (aud): aud "${COGNITO_USER_CLIENT}" is a configured audience ("${COGNITO_USER_CLIENT}")\n`);
  });

  it('the example config (access tokens) refuses the ID token with 401 TOKEN_USE_MISMATCH and points to both ways out', async () => {
    const token = cognitoIdToken(p, 'acme');
    const { e, text } = await explain(token);
    expect((await authorize(token, e)).outcome).toEqual({ status: 401 });
    expect(e.outcome).toEqual({ status: 401, decision: 'unauthorized', reason: 'TOKEN_USE_MISMATCH', detail: 'token_use' });
    expect(failLines(text)).toEqual(['  [FAIL] token use (token_use, client_id): token_use "id", "cognito" accepts "access"']);
    expect(fixLines(text)).toEqual([
      '  - this is a Cognito ID token; send the access token (with the tenant claim added by a pre token generation trigger), or configure "cognito" for ID tokens (docs/identity-providers.md#cognito-id-tokens-instead-of-access-tokens)',
    ]);
  });
});

describe('Okta: custom authorization server', () => {
  it('allows an access token with the custom tenant and groups claims; no typ, aud = the server audience', async () => {
    const token = oktaAccessToken(p);
    const { e, text } = await explain(token);
    const { line, effect } = await authorize(token, e);
    expect([effect, line.reason, line.tenant, line.role, line.idp]).toEqual(['Allow', 'ALLOWED', 'globex', 'Everyone,bedrock-users', 'okta']);
    expect(text).toContain('  [skip] type header (typ): no typ required by "okta" (the token has no typ)\n');
  });

  it('a service app (client credentials: sub = cid, no uid) needs the tenant claim from its app profile', async () => {
    const token = oktaAccessToken(p, { sub: '0oa1example2client3', uid: undefined, groups: undefined, tenant: undefined });
    const { e, text } = await explain(token);
    expect(e.outcome.reason).toBe('TENANT_CLAIM_MISSING');
    expect((await authorize(token, e)).line.reason).toBe('TENANT_CLAIM_MISSING');
    expect(failLines(text)).toEqual([
      '  [FAIL] tenant, role and tier claims: tenant: claim "tenant" is missing',
      '         role: claim "groups" is absent, so the role is "" (not a refusal; docs/identity-providers.md#okta-tenant-and-groups-claims)',
      '         tier: claim "tier" is absent (the tier comes from the tenant table anyway)',
    ]);
    expect(fixLines(text)).toEqual(['  - the token needs the tenant in claim "tenant" (claims.tenant of identity provider "okta"): docs/identity-providers.md#okta-tenant-and-groups-claims']);
    const fixed = oktaAccessToken(p, { sub: '0oa1example2client3', uid: undefined, groups: undefined });
    expect((await explain(fixed)).e.outcome.status).toBe('allow');
  });

  it('refuses an ID token of the same server (aud = client id, nonce) with 401 and says it is an ID token', async () => {
    const token = mint(p.keys.okta, {
      sub: '00u1example2user34',
      ver: 1,
      iss: p.idps.okta.issuer,
      aud: '0oa1example2client3',
      iat: NOW - 30,
      exp: NOW + 3600,
      jti: 'ID.example',
      amr: ['pwd'],
      idp: '00o1example',
      nonce: 'n-0S6_WzA2Mj',
      auth_time: NOW - 60,
      tenant: 'globex',
      cid: '0oa1example2client3',
    }, { header: { typ: undefined } });
    const { e, text } = await explain(token);
    expect((await authorize(token, e)).outcome).toEqual({ status: 401 });
    expect(e.outcome).toMatchObject({ reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED', detail: 'aud:check_failed' });
    expect(failLines(text)).toEqual(['  [FAIL] audience (aud): aud "0oa1example2client3" is not a configured audience ("api://bedrock-gateway")']);
    expect(fixLines(text)).toEqual([
      "  - aud is the client id, as in an Okta ID token: send the access token, whose aud is the authorization server's audience (docs/identity-providers.md#okta)",
    ]);
  });

  it('refuses a token of the org authorization server (issuer = the Okta domain) and names the fix', async () => {
    const token = oktaAccessToken(p, { iss: 'https://example-corp.okta.com', aud: 'https://example-corp.okta.com' });
    const { e, text } = await explain(token);
    expect(e.outcome).toMatchObject({ status: 401, reason: 'ISSUER_UNKNOWN' });
    expect(failLines(text)).toEqual([
      '  [FAIL] issuer (iss): iss "https://example-corp.okta.com" matches no configured issuer (compared exactly)',
      '         compared with "https://example-corp.okta.com/oauth2/ausexample0gateway01": the token\'s iss is the Okta org authorization server, whose access tokens only Okta may validate; request tokens from the custom authorization server https://example-corp.okta.com/oauth2/ausexample0gateway01 (docs/identity-providers.md#okta)',
    ]);
  });
});

describe('Microsoft Entra ID: v2.0 access tokens', () => {
  it('allows a v2.0 token: aud = application id, app roles as roles, the directory extension as tenant', async () => {
    const token = entraAccessToken(p);
    const { e } = await explain(token);
    const { line, effect } = await authorize(token, e);
    expect([effect, line.reason, line.tenant, line.role, line.tier]).toEqual(['Allow', 'ALLOWED', 'umbrella', 'Gateway.Invoke', 'silver']);
  });

  it('refuses a v1.0 token (issuer sts.windows.net) and says how to get v2.0 tokens', async () => {
    const tenant = '00000000-0000-4000-8000-000000000001';
    const token = entraAccessToken(p, { iss: `https://sts.windows.net/${tenant}/`, aud: 'api://bedrock-gateway', ver: '1.0' });
    const { e, text } = await explain(token);
    expect((await authorize(token, e)).outcome).toEqual({ status: 401 });
    expect(failLines(text)).toEqual([
      `  [FAIL] issuer (iss): iss "https://sts.windows.net/${tenant}/" matches no configured issuer (compared exactly)`,
      `         compared with "https://login.microsoftonline.com/${tenant}/v2.0": the token's iss is a v1.0 issuer: the API's app registration issues v1.0 access tokens; set accessTokenAcceptedVersion to 2 in its manifest to get v2.0 tokens with issuer https://login.microsoftonline.com/${tenant}/v2.0 (docs/identity-providers.md#microsoft-entra-id)`,
    ]);
  });

  it('refuses a token from another Entra tenant and points to the multi-tenant recipe', async () => {
    const other = '99999999-0000-4000-8000-000000000009';
    const token = entraAccessToken(p, { iss: `https://login.microsoftonline.com/${other}/v2.0`, tid: other });
    const { e, text } = await explain(token);
    expect(e.outcome.reason).toBe('ISSUER_UNKNOWN');
    expect((await authorize(token, e)).line.reason).toBe('ISSUER_UNKNOWN');
    expect(failLines(text)).toEqual([
      `  [FAIL] issuer (iss): iss "https://login.microsoftonline.com/${other}/v2.0" matches no configured issuer (compared exactly)`,
      `         compared with "https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/v2.0": the token's iss is Entra tenant ${other}, the configured one is 00000000-0000-4000-8000-000000000001; a multi-tenant app needs one identity provider per tenant (docs/identity-providers.md#entra-id-multi-tenant-apps)`,
    ]);
    expect(fixLines(text)).toEqual([
      `  - the token's iss is Entra tenant ${other}, the configured one is 00000000-0000-4000-8000-000000000001; a multi-tenant app needs one identity provider per tenant (docs/identity-providers.md#entra-id-multi-tenant-apps)`,
    ]);
  });

  it('without the optional claim the token is refused (403) and the directory-extension recipe is named', async () => {
    const token = entraAccessToken(p, { 'extn.tenant': undefined });
    const { e, text } = await explain(token);
    expect(e.outcome).toMatchObject({ status: 403, reason: 'TENANT_CLAIM_MISSING' });
    expect((await authorize(token, e)).line.reason).toBe('TENANT_CLAIM_MISSING');
    expect(failLines(text)).toEqual([
      '  [FAIL] tenant, role and tier claims: tenant: claim "extn.tenant" is missing',
      '         role: claim "roles" = ["Gateway.Invoke"] -> "Gateway.Invoke"',
      '         tier: no tier claim configured; the tier comes from the tenant table',
    ]);
    expect(fixLines(text)).toEqual([
      '  - the token needs the tenant in claim "extn.tenant" (claims.tenant of identity provider "entra"): docs/identity-providers.md#entra-id-tenant-claim-directory-extension',
    ]);
  });

  it('a token for another app registration (aud of another API) is refused with 401 on aud', async () => {
    const { e, text } = await explain(entraAccessToken(p, { aud: '00000000-0000-4000-8000-0000000000ff' }));
    expect(e.outcome).toMatchObject({ status: 401, detail: 'aud:check_failed' });
    expect(failLines(text)).toEqual(['  [FAIL] audience (aud): aud "00000000-0000-4000-8000-0000000000ff" is not a configured audience ("00000000-0000-4000-8000-0000000000aa")']);
  });
});
