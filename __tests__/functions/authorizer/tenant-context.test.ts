/**
 * The context the authorizer returns is what the gateway stamps into Bedrock's request metadata:
 * hostile subjects and roles come out encoded to Bedrock's value pattern, while the audit line
 * keeps the subject as the token carried it.
 */
import { BEDROCK_REQUEST_METADATA, decodeStampValue } from '../../../functions/shared/tenant-stamp';
import { mint } from './support/jwt';
import { bearer, cognitoAccessClaims, harness, methodArn, MODELS, startWorld, type Harness, type World } from './support/world';

let world: World;
let h: Harness;
beforeAll(async () => {
  world = await startWorld();
  h = harness(world.settings);
});
afterAll(async () => world.close());

const BEDROCK_VALUE = new RegExp(`^${BEDROCK_REQUEST_METADATA.characterClass}{0,256}$`);

const SUBJECTS: Array<[string, string]> = [
  ['auth0|123', 'auth0=7C123'],
  ['user with spaces', 'user=20with=20spaces'],
  ['ünïcødé 用户', '=C3=BCn=C3=AFc=C3=B8d=C3=A9=20=E7=94=A8=E6=88=B7'],
  ['he said "hi"', 'he=20said=20=22hi=22'],
  ['line\nbreak', 'line=0Abreak'],
  ['a=b', 'a=3Db'],
];

describe('hostile subjects', () => {
  test.each(SUBJECTS)('%j is allowed, stamped as %s, and audited as sent', async (subject, encoded) => {
    const token = mint(world.keys.cognito, cognitoAccessClaims('acme', { sub: subject }));
    const outcome = await h.call(bearer(token), methodArn(MODELS.haiku));
    if (outcome.status !== 'policy') throw new Error('expected a policy');
    expect(outcome.response.context).toEqual({ tenantId: 'acme', sub: encoded, role: 'developers,admins', tier: 'gold', idp: 'cognito', env: 'test' });
    expect(decodeStampValue(outcome.response.context!.sub)).toBe(subject);
    expect(h.lastLine()).toMatchObject({ decision: 'allow', reason: 'ALLOWED', subject });
  });

  test('a 1,000-character subject is shortened to 256 characters in the context, whole in the audit line', async () => {
    const subject = `${'s'.repeat(999)}|`;
    const outcome = await h.call(bearer(mint(world.keys.cognito, cognitoAccessClaims('acme', { sub: subject }))), methodArn(MODELS.haiku));
    if (outcome.status !== 'policy') throw new Error('expected a policy');
    expect(outcome.response.context!.sub).toHaveLength(256);
    expect(outcome.response.context!.sub).toMatch(BEDROCK_VALUE);
    expect(outcome.response.context!.sub.startsWith(`${'s'.repeat(212)}#`)).toBe(true);
    expect(h.lastLine()).toMatchObject({ decision: 'allow', subject });
  });

  test('a hostile role claim is encoded too; every context value is a string matching the pattern', async () => {
    const token = mint(world.keys.cognito, cognitoAccessClaims('acme', { 'cognito:groups': ['admins', 'ops "prod"', 'x|y'] }));
    const outcome = await h.call(bearer(token), methodArn(MODELS.haiku));
    if (outcome.status !== 'policy') throw new Error('expected a policy');
    expect(outcome.response.context!.role).toBe('admins,ops=20=22prod=22,x=7Cy');
    for (const value of Object.values(outcome.response.context!)) expect(value).toMatch(BEDROCK_VALUE);
    expect(h.lastLine()).toMatchObject({ role: 'admins,ops "prod",x|y' });
  });

  test('deny responses carry the encoded context as well', async () => {
    const outcome = await h.call(bearer(mint(world.keys.cognito, cognitoAccessClaims('initech', { sub: 'auth0|9' }))), methodArn(MODELS.haiku));
    if (outcome.status !== 'policy') throw new Error('expected a policy');
    expect(outcome.response.policyDocument.Statement[0].Effect).toBe('Deny');
    expect(outcome.response.context).toEqual({ tenantId: 'initech', sub: 'auth0=7C9', role: 'developers,admins', tier: '', idp: 'cognito', env: 'test' });
    expect(h.lastLine()).toMatchObject({ decision: 'deny', reason: 'TENANT_DISABLED', subject: 'auth0|9' });
  });
});
