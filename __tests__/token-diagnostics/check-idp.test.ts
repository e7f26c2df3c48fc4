/**
 * check-idp against discovery documents and key sets served on 127.0.0.1 at the providers' own
 * paths: the example config's Cognito, Okta and Entra ID providers match what those providers
 * publish, and each mistake the recipes warn about is reported with the exact message.
 */
import type { IdentityProvider } from '../../gateway-config/schema';
import { checkIdentityProvider, discoveryUrl, renderIdpReports, type IdpReport } from '../../token-diagnostics/check-idp';
import { IdpServer } from '../helpers/idp-server';
import { generateSigningKey, jwks } from '../functions/authorizer/support/jwt';
import { discoveryDocument, startProviders, type Providers } from './support/providers';

let p: Providers;

beforeAll(async () => {
  p = await startProviders();
});
afterEach(() => p.publishAsProvidersDo());
afterAll(async () => p.close());

const path = (url: string) => new URL(url).pathname;
const check = (idp: IdentityProvider) => checkIdentityProvider(idp, { fetch: p.fetch, timeoutMs: 2000 });
const failures = (report: IdpReport) => report.lines.filter((l) => l.status === 'fail').map((l) => l.text);

describe('the example config matches what its providers publish', () => {
  it.each(['cognito', 'okta', 'entra'] as const)('%s', async (id) => {
    const report = await check(p.idps[id]);
    expect(report.findings).toEqual([]);
    const idp = p.idps[id];
    expect(report.lines.map((l) => l.text)).toEqual([
      `discovery document ${discoveryUrl(idp.issuer)} answered`,
      `issuer matches: ${JSON.stringify(idp.issuer)}`,
      `jwks_uri matches: ${idp.jwksUri}`,
      `JWKS ${idp.jwksUri} publishes 1 key: kid ${JSON.stringify(p.keys[id].kid)} (RSA, RS256, use sig)`,
      'RS256: at least one published key can verify it',
    ]);
    // The configured https URL was asked, at the provider's own path.
    expect(p.servers[id].requests.get(path(discoveryUrl(idp.issuer)))).toBeGreaterThanOrEqual(1);
  });

  it('the report names the environment and counts', async () => {
    const text = renderIdpReports('dev', [await check(p.idps.okta)]);
    expect(text.split('\n').at(-2)).toBe('no mismatch in 1 identity provider');
  });
});

describe('mismatches', () => {
  it('issuer with a trailing slash: the discovery URL drops it (Discovery 4.1), the issuer comparison does not', async () => {
    const report = await check({ ...p.idps.okta, issuer: `${p.idps.okta.issuer}/` });
    expect(report.discoveryUrl).toBe('https://example-corp.okta.com/oauth2/ausexample0gateway01/.well-known/openid-configuration');
    expect(report.findings.map((f) => f.code)).toEqual(['ISSUER_MISMATCH']);
    expect(failures(report)).toEqual([
      'issuer differs: the provider says "https://example-corp.okta.com/oauth2/ausexample0gateway01", the config says "https://example-corp.okta.com/oauth2/ausexample0gateway01/"; the provider\'s issuer differs from the configured issuer only by a trailing slash; issuers are compared exactly, so set issuer to "https://example-corp.okta.com/oauth2/ausexample0gateway01"',
    ]);
  });

  it('Entra "common" endpoint: the issuer is the {tenantid} template', async () => {
    const common = 'https://login.microsoftonline.com/common/v2.0';
    p.servers.entra.json('/common/v2.0/.well-known/openid-configuration', {
      ...discoveryDocument('entra', p.idps.entra),
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      jwks_uri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
    });
    const report = await check({ ...p.idps.entra, issuer: common });
    expect(failures(report)).toEqual([
      'issuer differs: the provider says "https://login.microsoftonline.com/{tenantid}/v2.0", the config says "https://login.microsoftonline.com/common/v2.0"; the provider\'s issuer is the multi-tenant template that the common and organizations endpoints publish; tokens carry each customer\'s own tenant id, so configure one identity provider per Entra tenant with issuer https://login.microsoftonline.com/<tenant id>/v2.0 (docs/identity-providers.md#entra-id-multi-tenant-apps)',
      'jwks_uri differs: the provider says "https://login.microsoftonline.com/common/discovery/v2.0/keys", the config says "https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/discovery/v2.0/keys"; the authorizer takes keys only from the configured jwksUri',
    ]);
  });

  it('Entra authority URL without /v2.0: the v1.0 metadata names the v1.0 issuer', async () => {
    const tenant = '00000000-0000-4000-8000-000000000001';
    p.servers.entra.json(`/${tenant}/.well-known/openid-configuration`, {
      issuer: `https://sts.windows.net/${tenant}/`,
      jwks_uri: `https://login.microsoftonline.com/${tenant}/discovery/keys`,
    });
    const report = await check({ ...p.idps.entra, issuer: `https://login.microsoftonline.com/${tenant}` });
    expect(report.findings.map((f) => f.code)).toEqual(['ISSUER_MISMATCH', 'JWKS_URI_MISMATCH']);
    expect(failures(report)[0]).toBe(
      `issuer differs: the provider says "https://sts.windows.net/${tenant}/", the config says "https://login.microsoftonline.com/${tenant}"; the provider's issuer is the v1.0 issuer that the authority URL's v1.0 metadata names; for v2.0 access tokens use issuer https://login.microsoftonline.com/${tenant}/v2.0 and jwksUri https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys (docs/identity-providers.md#microsoft-entra-id)`,
    );
  });

  it('Entra tenant named by its domain: tokens carry the GUID', async () => {
    p.servers.entra.json('/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration', discoveryDocument('entra', p.idps.entra));
    const report = await check({ ...p.idps.entra, issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0' });
    expect(failures(report)).toEqual([
      'issuer differs: the provider says "https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/v2.0", the config says "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"; the provider\'s issuer names the tenant by its id 00000000-0000-4000-8000-000000000001; the configured issuer names it "contoso.onmicrosoft.com", but tokens always carry the tenant\'s GUID',
    ]);
  });

  it('jwks_uri differs from the discovery document, and the configured one does not answer', async () => {
    const wrong = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01/jwks.json';
    const report = await check({ ...p.idps.cognito, jwksUri: wrong });
    expect(report.findings.map((f) => f.code)).toEqual(['JWKS_URI_MISMATCH', 'JWKS_UNREACHABLE']);
    expect(failures(report)).toEqual([
      `jwks_uri differs: the provider says "${p.idps.cognito.jwksUri}", the config says "${wrong}"; the authorizer takes keys only from the configured jwksUri`,
      `JWKS ${wrong} could not be read: HTTP 404`,
    ]);
  });

  it('a configured algorithm no published key supports', async () => {
    const report = await check({ ...p.idps.okta, algorithms: ['RS256', 'ES256', 'PS256'] });
    expect(failures(report)).toEqual(['ES256 is configured, but no published key can verify it (wrong key type or curve, another alg, or use other than sig)', 'PS256 is configured, but no published key can verify it (wrong key type or curve, another alg, or use other than sig)']);
    expect(report.lines.map((l) => l.text)).toContain('RS256: at least one published key can verify it');
  });

  it('a key without kid', async () => {
    const { kid: _kid, ...withoutKid } = generateSigningKey('ES256', 'x').jwk;
    p.servers.okta.json(path(p.idps.okta.jwksUri), { keys: [...jwks(p.keys.okta).keys, withoutKid] });
    const report = await check({ ...p.idps.okta, algorithms: ['RS256', 'ES256'] });
    expect(report.findings.map((f) => f.code)).toEqual(['KEY_WITHOUT_KID']);
    expect(failures(report)).toEqual([
      '1 key has no kid: a token is matched to its key by kid, and without one the authorizer refuses tokens whenever several keys fit their alg',
    ]);
  });

  it('unreachable discovery document and key set', async () => {
    p.servers.okta.remove(path(discoveryUrl(p.idps.okta.issuer))).raw(path(p.idps.okta.jwksUri), { status: 200, body: '<html>sign in</html>', contentType: 'text/html' });
    const report = await check(p.idps.okta);
    expect(failures(report)).toEqual([
      `discovery document ${discoveryUrl(p.idps.okta.issuer)} could not be read: HTTP 404`,
      `JWKS ${p.idps.okta.jwksUri} could not be read: the answer is not JSON`,
    ]);
  });

  it('a host nothing answers on', async () => {
    const down = { ...p.idps.okta, issuer: 'https://unreachable.example-corp.okta.com/oauth2/default', jwksUri: 'https://unreachable.example-corp.okta.com/oauth2/default/v1/keys' };
    const closed = await IdpServer.start();
    await closed.close();
    const report = await checkIdentityProvider(down, {
      // Resolved to a loopback port nothing listens on: no traffic leaves the machine.
      fetch: (url, init) => fetch(url.replace('https://unreachable.example-corp.okta.com', closed.origin), init),
      timeoutMs: 2000,
    });
    expect(report.findings.map((f) => f.code)).toEqual(['DISCOVERY_UNREACHABLE', 'JWKS_UNREACHABLE']);
    expect(failures(report)[0]).toBe('discovery document https://unreachable.example-corp.okta.com/oauth2/default/.well-known/openid-configuration could not be read: ECONNREFUSED');
  });
});
