/**
 * The tenant stamp's encoding: every value it produces matches Bedrock's request metadata value
 * pattern and length, it is reversible below the length bound, and it is deterministic above it.
 */
import { createHash } from 'node:crypto';
import {
  AUTHORIZER_CONTEXT_KEYS,
  BEDROCK_REQUEST_METADATA,
  CLIENT_METADATA_ENTRIES,
  STAMPED_ENTRIES,
  STAMP_KEY_PREFIX,
  authorizerContext,
  decodeStampValue,
  encodeStampValue,
  stampedEntries,
} from '../../../functions/shared/tenant-stamp';

/** Bedrock's value rule, as the bedrock-runtime API model states it. */
const BEDROCK_VALUE = new RegExp(`^${BEDROCK_REQUEST_METADATA.characterClass}{0,256}$`);

const HOSTILE = [
  'auth0|123',
  'google-oauth2|1234567890',
  'waad|AbC/dEf==',
  'ünïcødé-用户-🙂',
  'he said "hi"',
  "it's",
  'back\\slash',
  'line\nbreak\r\n\ttab',
  'a=b=c',
  '=3D',
  '$context.requestId #set($x = 1)',
  '<script>alert(1)</script>',
  '',
  ' ',
  '\u0000\u001f\u007f',
];

describe('encodeStampValue', () => {
  test.each(HOSTILE)('%j matches Bedrock\'s value pattern and decodes back', (subject) => {
    const encoded = encodeStampValue(subject);
    expect(encoded).toMatch(BEDROCK_VALUE);
    expect(encoded).toMatch(/^[A-Za-z0-9._:@/+,=-]*$/);
    expect(decodeStampValue(encoded)).toBe(subject);
  });

  test('exact encodings: safe characters unchanged, every other UTF-8 byte as =XX, = itself escaped', () => {
    expect(encodeStampValue('a1b2c3d4-0000-4000-8000-00000000cafe')).toBe('a1b2c3d4-0000-4000-8000-00000000cafe');
    expect(encodeStampValue('carol@example.com')).toBe('carol@example.com');
    expect(encodeStampValue('auth0|123')).toBe('auth0=7C123');
    expect(encodeStampValue('a=b')).toBe('a=3Db');
    expect(encodeStampValue('é')).toBe('=C3=A9');
    expect(encodeStampValue('🙂')).toBe('=F0=9F=99=82');
    expect(encodeStampValue('"\n \\')).toBe('=22=0A=20=5C');
    expect(encodeStampValue('$#')).toBe('=24=23');
  });

  test('a value whose encoding fits 256 characters is kept whole', () => {
    const subject = 'é'.repeat(42); // 42 x 6 = 252 characters encoded
    expect(encodeStampValue(subject)).toHaveLength(252);
    expect(decodeStampValue(encodeStampValue(subject))).toBe(subject);
    expect(encodeStampValue('x'.repeat(256))).toBe('x'.repeat(256));
  });

  test('above 256 characters: a whole-character prefix, "#" and the SHA-256 of the original, exactly 256 characters', () => {
    const subject = 'x'.repeat(1000);
    const encoded = encodeStampValue(subject);
    const digest = createHash('sha256').update(subject, 'utf8').digest('base64url');
    expect(encoded).toBe(`${'x'.repeat(212)}#${digest}`);
    expect(encoded).toHaveLength(256);
    expect(encoded).toMatch(BEDROCK_VALUE);
    expect(decodeStampValue(encoded)).toBe('x'.repeat(212));
  });

  test('shortening never splits an escape or a multi-byte character', () => {
    for (const subject of ['é'.repeat(300), `a${'🙂'.repeat(100)}`, `ab${'|'.repeat(200)}`, '用'.repeat(1000)]) {
      const encoded = encodeStampValue(subject);
      expect(encoded).toHaveLength(encoded.length <= 256 ? encoded.length : 256);
      expect(encoded.length).toBeLessThanOrEqual(256);
      expect(encoded).toMatch(BEDROCK_VALUE);
      const prefix = decodeStampValue(encoded);
      expect(subject.startsWith(prefix)).toBe(true);
      expect(prefix).not.toContain('\uFFFD');
    }
  });

  test('distinct long subjects stay distinct; the same subject always encodes the same', () => {
    const a = `${'x'.repeat(300)}a`;
    const b = `${'x'.repeat(300)}b`;
    expect(encodeStampValue(a)).not.toBe(encodeStampValue(b));
    expect(encodeStampValue(a)).toBe(encodeStampValue(a));
  });

  test('decodeStampValue refuses what the encoder never produces', () => {
    expect(() => decodeStampValue('a=ZZ')).toThrow('not a stamp value: bad escape at 1');
    expect(() => decodeStampValue('a b')).toThrow('not a stamp value: " " at 1');
  });
});

describe('the stamp definition', () => {
  test('six entries, all under the reserved prefix, leaving ten for the client', () => {
    expect(STAMPED_ENTRIES.map((e) => e.key)).toEqual(['gw-tenant', 'gw-sub', 'gw-idp', 'gw-tier', 'gw-env', 'gw-request-id']);
    for (const entry of STAMPED_ENTRIES) expect(entry.key.startsWith(STAMP_KEY_PREFIX)).toBe(true);
    expect(CLIENT_METADATA_ENTRIES).toBe(10);
  });

  test('the authorizer context has one key per field, every value encoded', () => {
    expect(AUTHORIZER_CONTEXT_KEYS).toEqual({ tenant: 'tenantId', subject: 'sub', role: 'role', tier: 'tier', idp: 'idp', environment: 'env' });
    expect(authorizerContext({ tenant: 'acme', subject: 'auth0|123', role: 'a b', tier: 'gold', idp: 'okta', environment: 'dev' })).toEqual({
      tenantId: 'acme',
      sub: 'auth0=7C123',
      role: 'a=20b',
      tier: 'gold',
      idp: 'okta',
      env: 'dev',
    });
  });

  test('stampedEntries: what a forwarder stamps from the same context', () => {
    const context = authorizerContext({ tenant: 'acme', subject: 'auth0|123', role: 'r', tier: 'gold', idp: 'okta', environment: 'dev' });
    expect(stampedEntries(context, 'c0ffee00-1111-2222-3333-444444444444')).toEqual({
      'gw-tenant': 'acme',
      'gw-sub': 'auth0=7C123',
      'gw-idp': 'okta',
      'gw-tier': 'gold',
      'gw-env': 'dev',
      'gw-request-id': 'c0ffee00-1111-2222-3333-444444444444',
    });
  });
});
