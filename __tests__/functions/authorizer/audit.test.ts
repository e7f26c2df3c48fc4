/** One JSON audit line per decision, with fixed fields and never the token or its signature. */
import { serializeAuditLine, type AuditLine } from '../../../functions/authorizer/audit';
import { createHandler } from '../../../functions/authorizer/handler';
import { mint } from './support/jwt';
import { bearer, cognitoAccessClaims, harness, ISSUERS, methodArn, MODELS, NOW_MS, startWorld, validTokens, type World } from './support/world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

const FIELDS = ['audit', 'environment', 'decision', 'reason', 'detail', 'tenant', 'subject', 'issuer', 'idp', 'tier', 'claimedTier', 'role', 'methodArn', 'latencyMs'];

describe('audit line', () => {
  it('allow: every field, in a fixed order', async () => {
    const h = harness(world.settings);
    const arn = methodArn(MODELS.haiku, 'invoke');
    await h.call(bearer(validTokens(world).cognito()), arn);
    expect(h.lines).toHaveLength(1);
    expect(Object.keys(h.lines[0])).toEqual(FIELDS);
    expect(h.lines[0]).toEqual({
      audit: 'authorizer',
      environment: 'test',
      decision: 'allow',
      reason: 'ALLOWED',
      detail: null,
      tenant: 'acme',
      subject: 'a1b2c3d4-0000-4000-8000-00000000cafe',
      issuer: ISSUERS.cognito,
      idp: 'cognito',
      tier: 'gold',
      claimedTier: null,
      role: 'developers,admins',
      methodArn: arn,
      latencyMs: expect.any(Number),
    });
    expect(h.lines[0].latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('deny for an unknown tenant: who asked, but no tier', async () => {
    const h = harness(world.settings);
    await h.call(bearer(mint(world.keys.cognito, cognitoAccessClaims('nope'))));
    expect(h.lines).toEqual([
      expect.objectContaining({ decision: 'deny', reason: 'TENANT_UNKNOWN', detail: null, tenant: 'nope', subject: 'a1b2c3d4-0000-4000-8000-00000000cafe', idp: 'cognito', tier: null, role: 'developers,admins' }),
    ]);
  });

  it('unauthorized: the claimed issuer, nothing else from the unverified token', async () => {
    const h = harness(world.settings);
    await h.call(bearer(mint(world.keys.cognito, cognitoAccessClaims('acme', { exp: 1 }))));
    expect(h.lines).toEqual([
      expect.objectContaining({ decision: 'unauthorized', reason: 'ERR_JWT_EXPIRED', detail: 'exp:check_failed', tenant: null, subject: null, issuer: ISSUERS.cognito, idp: 'cognito', tier: null, role: null }),
    ]);
  });

  it('shortens a long claimed issuer', async () => {
    const h = harness(world.settings);
    await h.call(bearer(mint(world.keys.cognito, cognitoAccessClaims('acme', { iss: `https://${'a'.repeat(2000)}` }))));
    expect(h.lastLine().reason).toBe('ISSUER_UNKNOWN');
    expect(h.lastLine().issuer).toHaveLength(256 + 3);
  });

  it('never contains the token, its signature or the API key value, whatever the outcome', async () => {
    const h = harness(world.settings);
    const tokens = [
      validTokens(world).cognito(),
      validTokens(world).cognito({ exp: 1 }),
      mint(world.keys.cognito, cognitoAccessClaims('initech')),
      validTokens(world).cognito(),
    ];
    const arns = [methodArn(MODELS.haiku), methodArn(MODELS.haiku), methodArn(MODELS.haiku), methodArn(MODELS.titan)];
    for (const [i, token] of tokens.entries()) await h.call(bearer(token), arns[i]);
    expect(h.lines.map((l) => l.decision)).toEqual(['allow', 'unauthorized', 'deny', 'deny']);
    for (const [i, token] of tokens.entries()) {
      const [header, payload, signature] = token.split('.');
      for (const part of [token, header, payload, signature]) expect(h.raw[i]).not.toContain(part);
      expect(h.raw[i]).not.toContain('bag-acme-key');
      expect(h.raw[i]).not.toContain('bag-initech-key');
    }
  });

  it('goes to stdout as exactly one JSON line per decision by default', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const handler = createHandler(world.settings, { now: () => NOW_MS });
      await handler({ type: 'TOKEN', authorizationToken: bearer(validTokens(world).cognito()), methodArn: methodArn(MODELS.haiku) });
      await expect(handler({ type: 'TOKEN', authorizationToken: 'Bearer x.y.z', methodArn: methodArn(MODELS.haiku) })).rejects.toThrow(/^Unauthorized$/);
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(2);
    for (const chunk of written) {
      expect(chunk.endsWith('\n')).toBe(true);
      expect(chunk.slice(0, -1)).not.toContain('\n');
    }
    expect(written.map((c) => JSON.parse(c).decision)).toEqual(['allow', 'unauthorized']);
  });
});

describe('serializeAuditLine', () => {
  const base: AuditLine = {
    audit: 'authorizer',
    environment: 'dev',
    decision: 'unauthorized',
    reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    detail: 'aud:check_failed',
    tenant: null,
    subject: null,
    issuer: 'https://issuer.example/"quoted"\\back\nline\u2028sep\u0000nul é 😀',
    idp: null,
    tier: null,
    claimedTier: null,
    role: null,
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
    latencyMs: 0.41,
  };

  test.each([
    ['a 401 with hostile characters in the claimed issuer', base],
    ['an allow with every field set', { ...base, decision: 'allow' as const, reason: 'ALLOWED', detail: null, tenant: 'acme', subject: 'a-b', idp: 'cognito', tier: 'gold', claimedTier: 'platinum', role: 'dev,admin', latencyMs: 12 }],
  ])('%s: byte-for-byte JSON.stringify of the line, with the same key order', (_name, line) => {
    expect(serializeAuditLine(line)).toBe(JSON.stringify(line));
    expect(Object.keys(JSON.parse(serializeAuditLine(line)))).toEqual(Object.keys(line));
  });
});
