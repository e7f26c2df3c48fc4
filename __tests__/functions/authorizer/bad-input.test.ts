/**
 * The bad-input corpus: each hostile or broken request and its exact outcome. 401 = the handler
 * rejects with exactly Error("Unauthorized"); 403 = a policy that does not allow the method ARN.
 * Every case also checks its audit line: one per call, the right reason, no token material.
 * The cases run in order against one handler, so the last ones also prove that a valid token
 * still passes after a run of bad ones and that the bad ones did not hammer the JWKS endpoints.
 */
import { sign } from 'node:crypto';
import { JwksServer } from '../../helpers/jwks-server';
import { b64url, generateSigningKey, jwks, mint, mintHs256, mintRaw, signatureFor, type SigningKey } from './support/jwt';
import { evaluatePolicy } from './support/policy-evaluator';
import {
  API_PREFIX,
  AUDIENCES,
  bearer,
  cognitoAccessClaims,
  cognitoIdClaims,
  entraAccessClaims,
  harness,
  ISSUERS,
  methodArn,
  MODELS,
  NOW,
  oktaAccessClaims,
  rfc9068Claims,
  startWorld,
  validTokens,
  type Harness,
  type World,
} from './support/world';

let world: World;
let h: Harness;
/** An attacker's own key pair and JWKS host. */
let attacker: SigningKey;
let attackerEc: SigningKey;
let attackerHost: JwksServer;

beforeAll(async () => {
  world = await startWorld();
  h = harness(world.settings);
  attacker = generateSigningKey('RS256', 'cognito-key-1');
  attackerEc = generateSigningKey('ES256', 'rfc9068-key-1');
  attackerHost = await JwksServer.start(jwks(attacker));
  // Warm the key sets as a running gateway would have them.
  for (const token of Object.values(validTokens(world)).map((mintFor) => mintFor())) await h.call(bearer(token));
});
afterAll(async () => {
  await attackerHost.close();
  await world.close();
});

type Expected =
  | { readonly status: 401; readonly reason: string; readonly detail?: string | null }
  | { readonly status: 403; readonly reason: string; readonly denyAll?: boolean };

interface Case {
  readonly name: string;
  /** The Authorization header value (undefined: no header). */
  readonly header: () => string | undefined;
  readonly arn?: string;
  readonly expected: Expected;
}

const unauthorized = (reason: string, detail?: string | null): Expected => ({ status: 401, reason, ...(detail !== undefined ? { detail } : {}) });
const forbidden = (reason: string, denyAll = true): Expected => ({ status: 403, reason, denyAll });

/** A Cognito-shaped token signed by the real Cognito key, with claim / header changes. */
const cognito = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  mint(world.keys.cognito, cognitoAccessClaims('acme', extra), { header });
const okta = (extra: Record<string, unknown> = {}) => mint(world.keys.okta, oktaAccessClaims('hooli', extra));
const entra = (extra: Record<string, unknown> = {}) => mint(world.keys.entra, entraAccessClaims('globex', extra));
/** Re-signs header+payload segments of a token with a new header. */
const withHeader = (token: string, header: Record<string, unknown>, signature = '') => `${b64url(header)}.${token.split('.')[1]}.${signature}`;

const cases: Case[] = [
  // ---- No usable Authorization value ----
  { name: 'no Authorization header', header: () => undefined, expected: unauthorized('TOKEN_MISSING', null) },
  { name: 'empty Authorization header', header: () => '', expected: unauthorized('TOKEN_MISSING', null) },
  { name: 'Basic scheme', header: () => 'Basic YWxpY2U6c2VjcmV0', expected: unauthorized('TOKEN_MISSING', 'scheme') },
  { name: '"Bearer" without a token', header: () => 'Bearer ', expected: unauthorized('TOKEN_MISSING', 'scheme') },
  { name: 'token without the Bearer scheme', header: () => cognito(), expected: unauthorized('TOKEN_MISSING', 'scheme') },
  { name: 'two tokens', header: () => `Bearer ${cognito()} ${cognito()}`, expected: unauthorized('TOKEN_MISSING', 'scheme') },

  // ---- alg: none, HMAC confusion ----
  ...['none', 'None', 'NONE', 'nOnE'].map(
    (alg): Case => ({
      name: `alg "${alg}" with an empty signature`,
      header: () => bearer(withHeader(cognito(), { alg, typ: 'JWT', kid: 'cognito-key-1' })),
      expected: unauthorized('ERR_JOSE_ALG_NOT_ALLOWED', null),
    }),
  ),
  {
    name: 'alg "none" without kid, signature kept',
    header: () => bearer(withHeader(cognito(), { alg: 'none' }, cognito().split('.')[2])),
    expected: unauthorized('ERR_JOSE_ALG_NOT_ALLOWED', null),
  },
  {
    name: 'alg missing',
    header: () => bearer(withHeader(cognito(), { typ: 'JWT', kid: 'cognito-key-1' }, cognito().split('.')[2])),
    expected: unauthorized('ERR_JWS_INVALID', null),
  },
  {
    name: 'HS256 signed with the RSA public key (PEM) as the HMAC secret',
    header: () =>
      bearer(mintHs256(world.keys.cognito.publicKey.export({ type: 'spki', format: 'pem' }), { kid: 'cognito-key-1', typ: 'JWT' }, cognitoAccessClaims('acme'))),
    expected: unauthorized('ERR_JOSE_ALG_NOT_ALLOWED', null),
  },
  {
    name: 'HS256 signed with the JWK modulus as the HMAC secret',
    header: () => bearer(mintHs256(String(world.keys.cognito.jwk.n), { kid: 'cognito-key-1' }, cognitoAccessClaims('acme'))),
    expected: unauthorized('ERR_JOSE_ALG_NOT_ALLOWED', null),
  },
  {
    name: 'RS512 on a provider pinned to RS256',
    header: () => {
      const { privateKey } = world.keys.cognito;
      const input = `${b64url({ alg: 'RS512', kid: 'cognito-key-1' })}.${b64url(cognitoAccessClaims('acme'))}`;
      return bearer(`${input}.${b64url(sign('sha512', Buffer.from(input), privateKey))}`);
    },
    expected: unauthorized('ERR_JOSE_ALG_NOT_ALLOWED', null),
  },

  // ---- Keys named or carried by the token ----
  {
    name: 'embedded jwk header with the attacker key',
    header: () => bearer(mint(attacker, cognitoAccessClaims('acme'), { header: { jwk: attacker.jwk } })),
    expected: unauthorized('HEADER_KEY_REFERENCE', 'jwk'),
  },
  {
    name: 'jku pointing at the attacker JWKS',
    header: () => bearer(mint(attacker, cognitoAccessClaims('acme'), { header: { jku: attackerHost.jwksUri } })),
    expected: unauthorized('HEADER_KEY_REFERENCE', 'jku'),
  },
  {
    name: 'x5u pointing elsewhere',
    header: () => bearer(mint(attacker, cognitoAccessClaims('acme'), { header: { x5u: `${attackerHost.origin}/cert.pem` } })),
    expected: unauthorized('HEADER_KEY_REFERENCE', 'x5u'),
  },
  {
    name: 'x5c with a certificate chain',
    header: () => bearer(mint(attacker, cognitoAccessClaims('acme'), { header: { x5c: ['MIIBszCCAVmgAwIBAgIU'] } })),
    expected: unauthorized('HEADER_KEY_REFERENCE', 'x5c'),
  },
  {
    name: 'jku on a token the real key signed',
    header: () => bearer(cognito({}, { jku: attackerHost.jwksUri })),
    expected: unauthorized('HEADER_KEY_REFERENCE', 'jku'),
  },

  // ---- kid ----
  ...["../../../../../../dev/null", "' OR '1'='1", "cognito-key-1' --", '$(curl http://169.254.169.254/)', 'cognito-key-1\u0000', '*'].map(
    (kid): Case => ({
      name: `kid injection ${JSON.stringify(kid)}`,
      header: () => bearer(mint(attacker, cognitoAccessClaims('acme'), { header: { kid } })),
      expected: unauthorized('ERR_JWKS_NO_MATCHING_KEY', null),
    }),
  ),
  ...[1, null, { $ne: null }, ['cognito-key-1'], '', 'k'.repeat(1000)].map(
    (kid): Case => ({
      name: `kid of the wrong type or size ${JSON.stringify(kid).slice(0, 20)}`,
      header: () => bearer(mint(attacker, cognitoAccessClaims('acme'), { header: { kid } })),
      expected: unauthorized('KID_INVALID', null),
    }),
  ),
  {
    name: 'unknown kid (key not published)',
    header: () => bearer(mint(generateSigningKey('RS256', 'rotated-away'), cognitoAccessClaims('acme'))),
    expected: unauthorized('ERR_JWKS_NO_MATCHING_KEY', null),
  },
  {
    name: 'no kid while the IdP publishes several keys',
    header: () => bearer(mint(world.keys.entra, entraAccessClaims('globex'), { header: { kid: undefined } })),
    expected: unauthorized('ERR_JWKS_MULTIPLE_MATCHING_KEYS', null),
  },
  {
    name: 'the real kid with the attacker signature',
    header: () => bearer(mint(attacker, cognitoAccessClaims('acme'))),
    expected: unauthorized('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', null),
  },

  // ---- Time ----
  { name: 'expired beyond the clock tolerance', header: () => bearer(cognito({ exp: NOW - 6 })), expected: unauthorized('ERR_JWT_EXPIRED', 'exp:check_failed') },
  { name: 'expired long ago', header: () => bearer(cognito({ exp: NOW - 86400, iat: NOW - 90000 })), expected: unauthorized('ERR_JWT_EXPIRED', 'exp:check_failed') },
  {
    name: 'nbf in the future',
    header: () => bearer(entra({ nbf: NOW + 60 })),
    expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'nbf:check_failed'),
  },
  { name: 'iat in the future (no maxTokenAge)', header: () => bearer(cognito({ iat: NOW + 60 })), expected: unauthorized('IAT_IN_FUTURE', null) },
  {
    name: 'iat in the future (with maxTokenAge)',
    header: () => bearer(entra({ iat: NOW + 60, nbf: NOW - 10 })),
    expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'iat:check_failed'),
  },
  { name: 'older than maxTokenAge', header: () => bearer(entra({ iat: NOW - 86400 - 60 })), expected: unauthorized('ERR_JWT_EXPIRED', 'iat:check_failed') },
  { name: 'exp missing', header: () => bearer(cognito({ exp: undefined })), expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'exp:missing') },
  ...['9999999999', null, true, { $gt: 0 }].map(
    (exp): Case => ({
      name: `exp not a number (${JSON.stringify(exp)})`,
      header: () => bearer(cognito({ exp })),
      expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'exp:invalid'),
    }),
  ),
  { name: 'iat not a number', header: () => bearer(cognito({ iat: 'yesterday' })), expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'iat:invalid') },

  // ---- Issuer and audience ----
  {
    name: 'unknown issuer',
    header: () => bearer(cognito({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Attacker' })),
    expected: unauthorized('ISSUER_UNKNOWN', null),
  },
  { name: 'configured issuer with a trailing slash', header: () => bearer(cognito({ iss: `${ISSUERS.cognito}/` })), expected: unauthorized('ISSUER_UNKNOWN', null) },
  { name: 'iss missing', header: () => bearer(cognito({ iss: undefined })), expected: unauthorized('ISSUER_UNKNOWN', 'iss missing') },
  { name: 'iss not a string', header: () => bearer(cognito({ iss: [ISSUERS.cognito] })), expected: unauthorized('ISSUER_UNKNOWN', 'iss missing') },
  {
    name: 'issuer of another configured IdP, with that IdP audience mismatch',
    header: () => bearer(mint(world.keys.okta, oktaAccessClaims('hooli', { aud: AUDIENCES.entraUri }))),
    expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud:check_failed'),
  },
  {
    name: 'issuer of another configured IdP, signed with this IdP key',
    header: () => bearer(mint(world.keys.cognito, oktaAccessClaims('hooli'))),
    expected: unauthorized('ERR_JWKS_NO_MATCHING_KEY', null),
  },
  { name: 'wrong audience', header: () => bearer(okta({ aud: 'api://other' })), expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud:check_failed') },
  { name: 'audience missing', header: () => bearer(okta({ aud: undefined })), expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud:missing') },
  { name: 'audience list without ours', header: () => bearer(entra({ aud: ['api://a', 'api://b'] })), expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud:check_failed') },
  { name: 'Cognito access token for another app client', header: () => bearer(cognito({ client_id: 'someotherclient' })), expected: unauthorized('CLIENT_ID_MISMATCH', null) },
  { name: 'Cognito access token without client_id', header: () => bearer(cognito({ client_id: undefined })), expected: unauthorized('CLIENT_ID_MISMATCH', null) },

  // ---- Token type ----
  {
    name: 'Cognito ID token where an access token is required',
    header: () => bearer(mint(world.keys.cognito, cognitoIdClaims('acme', { iss: ISSUERS.cognito, aud: AUDIENCES.cognitoClient }))),
    expected: unauthorized('TOKEN_USE_MISMATCH', 'token_use'),
  },
  {
    name: 'Cognito access token where an ID token is required',
    header: () => bearer(mint(world.keys.cognitoId, cognitoAccessClaims('acme', { iss: ISSUERS.cognitoId, aud: AUDIENCES.cognitoIdClient }))),
    expected: unauthorized('TOKEN_USE_MISMATCH', 'token_use'),
  },
  { name: 'Cognito token without token_use', header: () => bearer(cognito({ token_use: undefined })), expected: unauthorized('TOKEN_USE_MISMATCH', 'token_use') },
  {
    name: 'OIDC ID token (nonce, at_hash) with the API audience where an access token is required',
    header: () => bearer(okta({ nonce: 'n-0S6_WzA2Mj', at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' })),
    expected: unauthorized('TOKEN_USE_MISMATCH', 'nonce'),
  },
  { name: 'OIDC token with token_use=id where access is required', header: () => bearer(okta({ token_use: 'id' })), expected: unauthorized('TOKEN_USE_MISMATCH', 'token_use') },
  {
    name: 'typ JWT where at+jwt is required',
    header: () => bearer(mint(world.keys.rfc9068, rfc9068Claims('umbrella'))),
    expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'typ:check_failed'),
  },
  {
    name: 'typ missing where at+jwt is required',
    header: () => bearer(mint(world.keys.rfc9068, rfc9068Claims('umbrella'), { header: { typ: undefined } })),
    expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'typ:check_failed'),
  },

  // ---- Header extensions ----
  {
    name: 'unknown crit header parameter',
    header: () => bearer(cognito({}, { crit: ['https://example.com/must-understand'], 'https://example.com/must-understand': true })),
    expected: unauthorized('ERR_JOSE_NOT_SUPPORTED', null),
  },
  { name: 'crit not an array', header: () => bearer(cognito({}, { crit: 'exp' })), expected: unauthorized('ERR_JWS_INVALID', null) },
  {
    name: 'b64=false (unencoded payload)',
    header: () => {
      const header = b64url({ alg: 'RS256', kid: 'cognito-key-1', b64: false, crit: ['b64'] });
      const payload = JSON.stringify(cognitoAccessClaims('acme', { scope: undefined }));
      return bearer(`${header}.${payload}.${b64url(signatureFor(world.keys.cognito, `${header}.${payload}`))}`);
    },
    // The raw payload holds dots (the issuer URL), so it cannot even be split as compact JWS.
    expected: unauthorized('TOKEN_MALFORMED', 'segments'),
  },

  // ---- Structure ----
  { name: 'one segment', header: () => bearer(cognito().split('.')[0]), expected: unauthorized('TOKEN_MALFORMED', 'segments') },
  { name: 'two segments', header: () => bearer(cognito().split('.').slice(0, 2).join('.')), expected: unauthorized('TOKEN_MALFORMED', 'segments') },
  { name: 'four segments', header: () => bearer(`${cognito()}.e30`), expected: unauthorized('TOKEN_MALFORMED', 'segments') },
  { name: 'five segments (JWE shape)', header: () => bearer('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d'), expected: unauthorized('TOKEN_MALFORMED', 'segments') },
  {
    name: 'base64 (not base64url) alphabet in the header',
    header: () => {
      const [, p, s] = cognito().split('.');
      return bearer(`${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'cognito-key-1', x: '???>>>' })).toString('base64')}.${p}.${s}`);
    },
    expected: unauthorized('TOKEN_MALFORMED', 'header'),
  },
  {
    name: 'padding in the payload',
    header: () => {
      const [hd, p, s] = cognito().split('.');
      return bearer(`${hd}.${p}==.${s}`);
    },
    expected: unauthorized('TOKEN_MALFORMED', 'payload'),
  },
  {
    name: 'invalid characters in the payload',
    header: () => {
      const [hd, p, s] = cognito().split('.');
      return bearer(`${hd}.${p.slice(0, 10)}!${p.slice(11)}.${s}`);
    },
    expected: unauthorized('TOKEN_MALFORMED', 'payload'),
  },
  {
    name: 'impossible base64url length in the header',
    header: () => bearer(`${b64url({ alg: 'RS256' })}A.${cognito().split('.')[1]}.${cognito().split('.')[2]}`),
    expected: unauthorized('TOKEN_MALFORMED', 'header'),
  },
  { name: 'invalid characters in the signature', header: () => bearer(`${cognito().slice(0, -4)}+/=`), expected: unauthorized('ERR_JWS_INVALID', null) },
  { name: 'non-JSON payload', header: () => bearer(mintRaw({ alg: 'RS256', kid: 'cognito-key-1' }, b64url('not json'), 'c2ln')), expected: unauthorized('TOKEN_MALFORMED', 'payload') },
  { name: 'JSON array payload', header: () => bearer(mintRaw({ alg: 'RS256', kid: 'cognito-key-1' }, b64url('[1,2]'), 'c2ln')), expected: unauthorized('TOKEN_MALFORMED', 'payload') },
  { name: 'non-JSON header', header: () => bearer(mintRaw(b64url('{alg:RS256'), cognitoAccessClaims('acme'), 'c2ln')), expected: unauthorized('TOKEN_MALFORMED', 'header') },
  { name: 'JSON string header', header: () => bearer(mintRaw(b64url('"RS256"'), cognitoAccessClaims('acme'), 'c2ln')), expected: unauthorized('TOKEN_MALFORMED', 'header') },
  {
    name: 'oversized token (over 8 KiB), validly signed',
    header: () => bearer(cognito({ padding: 'x'.repeat(9000) })),
    expected: unauthorized('TOKEN_TOO_LARGE', null),
  },
  { name: 'oversized garbage (1 MiB)', header: () => `Bearer ${'a'.repeat(1024 * 1024)}`, expected: unauthorized('TOKEN_TOO_LARGE', null) },

  // ---- Signatures ----
  {
    name: 'ECDSA signature of all zeros (r = s = 0)',
    header: () => bearer(withHeader(validTokens(world, 'umbrella').rfc9068(), { alg: 'ES256', kid: 'rfc9068-key-1', typ: 'at+jwt' }, b64url(Buffer.alloc(64)))),
    expected: unauthorized('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', null),
  },
  {
    name: 'ECDSA signature r = s = n (curve order)',
    header: () => {
      const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
      return bearer(withHeader(validTokens(world, 'umbrella').rfc9068(), { alg: 'ES256', kid: 'rfc9068-key-1', typ: 'at+jwt' }, b64url(Buffer.concat([n, n]))));
    },
    expected: unauthorized('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', null),
  },
  {
    name: 'ECDSA signature in DER instead of raw r||s',
    header: () => {
      const input = `${b64url({ alg: 'ES256', kid: 'rfc9068-key-1', typ: 'at+jwt' })}.${b64url(rfc9068Claims('umbrella'))}`;
      return bearer(`${input}.${b64url(sign('sha256', Buffer.from(input), world.keys.rfc9068.privateKey))}`);
    },
    expected: unauthorized('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', null),
  },
  {
    name: 'ES256 token signed by an attacker key under the real kid',
    header: () => bearer(mint(attackerEc, rfc9068Claims('umbrella'), { header: { typ: 'at+jwt' } })),
    expected: unauthorized('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', null),
  },
  { name: 'stripped signature', header: () => bearer(cognito().split('.').slice(0, 2).join('.') + '.'), expected: unauthorized('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', null) },
  {
    name: 'payload changed after signing (tenant swapped)',
    header: () => {
      const [hd, , s] = cognito().split('.');
      return bearer(`${hd}.${b64url(cognitoAccessClaims('umbrella'))}.${s}`);
    },
    expected: unauthorized('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', null),
  },

  // ---- Subject ----
  { name: 'sub missing', header: () => bearer(cognito({ sub: undefined })), expected: unauthorized('ERR_JWT_CLAIM_VALIDATION_FAILED', 'sub:missing') },
  { name: 'sub empty', header: () => bearer(cognito({ sub: '' })), expected: unauthorized('SUBJECT_MISSING', null) },
  { name: 'sub not a string', header: () => bearer(cognito({ sub: 42 })), expected: unauthorized('SUBJECT_MISSING', null) },

  // ---- Valid token, but no tenant that may call (403) ----
  { name: 'tenant claim missing', header: () => bearer(cognito({ 'custom:tenant_id': undefined })), expected: forbidden('TENANT_CLAIM_MISSING') },
  { name: 'tenant claim empty', header: () => bearer(cognito({ 'custom:tenant_id': '' })), expected: forbidden('TENANT_CLAIM_MISSING') },
  { name: 'tenant claim an array', header: () => bearer(cognito({ 'custom:tenant_id': ['acme'] })), expected: forbidden('TENANT_CLAIM_MISSING') },
  { name: 'unknown tenant', header: () => bearer(cognito({ 'custom:tenant_id': 'nope' })), expected: forbidden('TENANT_UNKNOWN') },
  ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map(
    (tenant): Case => ({ name: `tenant named like an Object.prototype member (${tenant})`, header: () => bearer(cognito({ 'custom:tenant_id': tenant })), expected: forbidden('TENANT_UNKNOWN') }),
  ),
  { name: 'tenant id differing only in case', header: () => bearer(cognito({ 'custom:tenant_id': 'ACME' })), expected: forbidden('TENANT_UNKNOWN') },
  { name: 'disabled tenant', header: () => bearer(cognito({ 'custom:tenant_id': 'initech' })), expected: forbidden('TENANT_DISABLED') },
  {
    name: 'tenant named by an IdP it does not accept',
    header: () => bearer(cognito({ 'custom:tenant_id': 'globex' })),
    expected: forbidden('IDP_NOT_ALLOWED_FOR_TENANT'),
  },
  { name: 'tenant without models', header: () => bearer(cognito({ 'custom:tenant_id': 'vacant' })), expected: forbidden('TENANT_HAS_NO_MODELS') },

  // ---- Valid tenant, request outside its allowlist (403 through its own Allow policy) ----
  { name: 'model outside the allowlist', header: () => bearer(cognito()), arn: methodArn(MODELS.titan), expected: forbidden('MODEL_NOT_ALLOWED', false) },
  { name: 'model of another tenant, raw colon', header: () => bearer(cognito()), arn: methodArn(MODELS.llama, 'invoke', 'raw'), expected: forbidden('MODEL_NOT_ALLOWED', false) },
  {
    name: 'allowed model double-encoded (%253A)',
    header: () => bearer(cognito()),
    arn: `${API_PREFIX}/POST/model/${MODELS.haiku.replace(':', '%253A')}/converse`,
    expected: forbidden('MODEL_NOT_ALLOWED', false),
  },
  {
    name: 'allowed model with other characters percent-encoded',
    header: () => bearer(cognito()),
    arn: `${API_PREFIX}/POST/model/${MODELS.haiku.replace('.', '%2E').replace(':', '%3A')}/converse`,
    expected: forbidden('MODEL_ENCODING_UNSUPPORTED', false),
  },
  { name: 'malformed percent-encoding in the model', header: () => bearer(cognito()), arn: `${API_PREFIX}/POST/model/anthropic%E0%A4%A/converse`, expected: forbidden('MODEL_SEGMENT_MALFORMED', false) },
  { name: 'route that is not a gateway route', header: () => bearer(cognito()), arn: methodArn(MODELS.haiku, 'converse-stream'), expected: forbidden('ROUTE_NOT_ALLOWED', false) },
  { name: 'other verb on a gateway route', header: () => bearer(cognito()), arn: methodArn(MODELS.haiku, 'converse', 'upper', 'GET'), expected: forbidden('ROUTE_NOT_ALLOWED', false) },
  { name: 'method ARN that is not an execute-api ARN', header: () => bearer(cognito()), arn: 'arn:aws:lambda:us-east-1:123456789012:function:x', expected: forbidden('METHOD_ARN_INVALID') },
];

describe('bad-input corpus: exact outcome per case', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const linesBefore = h.lines.length;
    const header = testCase.header();
    const arn = testCase.arn ?? methodArn(MODELS.haiku);
    const outcome = await h.call(header, arn);
    const { expected } = testCase;

    if (expected.status === 401) {
      expect(outcome).toEqual({ status: 401 });
    } else {
      if (outcome.status !== 'policy') throw new Error(`expected a 403 policy, got 401 (${h.lastLine().reason})`);
      expect(evaluatePolicy(outcome.response, arn)).toBe('Deny');
      if (expected.denyAll) {
        const resource = expected.reason === 'METHOD_ARN_INVALID' ? arn : `${API_PREFIX}/*`;
        expect(outcome.response.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: resource }]);
        expect(outcome.response.usageIdentifierKey).toBeUndefined();
      } else {
        // The tenant's own Allow policy, identical to the one an allowed call gets (cache-safe).
        expect(outcome.response.policyDocument.Statement).toHaveLength(1);
        expect(outcome.response.policyDocument.Statement[0].Effect).toBe('Allow');
        expect(evaluatePolicy(outcome.response, methodArn(MODELS.haiku, 'invoke'))).toBe('Allow');
        expect(outcome.response.usageIdentifierKey).toBe('bag-acme-key');
      }
    }

    // Exactly one audit line, with the expected reason and no token material.
    expect(h.lines.length - linesBefore).toBe(1);
    const line = h.lastLine();
    expect(line.decision).toBe(expected.status === 401 ? 'unauthorized' : 'deny');
    expect(line.reason).toBe(expected.reason);
    if (expected.status === 401 && expected.detail !== undefined) expect(line.detail).toBe(expected.detail);
    if (expected.status === 401) expect([line.tenant, line.subject, line.tier, line.role]).toEqual([null, null, null, null]);
    const raw = h.raw.at(-1) as string;
    const token = header?.replace(/^\S+\s+/, '') ?? '';
    for (const part of [token, ...token.split('.')].filter((p) => p.length >= 16)) expect(raw).not.toContain(part.slice(0, 64));
  });

  it('still accepts a valid token after the run of bad ones', async () => {
    const outcome = await h.call(bearer(cognito()), methodArn(MODELS.haiku, 'invoke'));
    if (outcome.status !== 'policy') throw new Error('expected Allow');
    expect(evaluatePolicy(outcome.response, methodArn(MODELS.haiku, 'invoke'))).toBe('Allow');
    expect(h.lastLine()).toMatchObject({ decision: 'allow', reason: 'ALLOWED', tenant: 'acme' });
  });

  it('never fetched keys from anything the tokens named, and bad tokens cost each IdP at most one refetch', () => {
    expect(attackerHost.requests).toBe(0);
    // One fetch warming each key set, plus at most one unknown-kid refetch (jose cooldown).
    for (const server of Object.values(world.servers)) expect(server.requests).toBeLessThanOrEqual(2);
    expect(world.servers.cognito.requests).toBe(1);
  });
});
