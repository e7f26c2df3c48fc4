/**
 * check-idp: compares each configured identity provider with what the provider publishes: its
 * OpenID discovery document (`<issuer>/.well-known/openid-configuration`) and its JWKS. Every
 * difference it finds refuses tokens at the gateway, so each one is a finding.
 */
import type { JSONWebKeySet } from 'jose';
import type { IdentityProvider } from '../gateway-config/schema';
import { describeIssuerDifference } from './issuer-difference';
import { describeKey, fetchJson, readJwks, selectKey, type FetchLike } from './jwks';

export type FindingCode =
  | 'DISCOVERY_UNREACHABLE'
  | 'DISCOVERY_INVALID'
  | 'ISSUER_MISMATCH'
  | 'JWKS_URI_MISMATCH'
  | 'JWKS_UNREACHABLE'
  | 'KEY_WITHOUT_KID'
  | 'ALGORITHM_WITHOUT_KEY';

export interface Finding {
  readonly code: FindingCode;
  readonly message: string;
}

export interface IdpReportLine {
  readonly status: 'ok' | 'fail' | 'info';
  readonly text: string;
}

export interface IdpReport {
  readonly idp: string;
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly lines: readonly IdpReportLine[];
  readonly findings: readonly Finding[];
}

export interface CheckIdpOptions {
  /** @default global fetch */
  readonly fetch?: FetchLike;
  /** Bound on each request. @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * OpenID Connect Discovery 1.0, section 4: the issuer with any terminating "/" removed, then
 * `/.well-known/openid-configuration`.
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export async function checkIdentityProvider(idp: Pick<IdentityProvider, 'id' | 'issuer' | 'jwksUri' | 'algorithms'>, options: CheckIdpOptions = {}): Promise<IdpReport> {
  const fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 5000;
  const url = discoveryUrl(idp.issuer);
  const lines: IdpReportLine[] = [];
  const findings: Finding[] = [];
  const fail = (code: FindingCode, message: string) => {
    findings.push({ code, message });
    lines.push({ status: 'fail', text: message });
  };
  const ok = (text: string) => lines.push({ status: 'ok', text });

  const discovery = await fetchJson(url, fetchImpl, timeoutMs);
  if (!discovery.ok) {
    fail('DISCOVERY_UNREACHABLE', `discovery document ${url} could not be read: ${discovery.error}`);
  } else if (typeof discovery.body !== 'object' || discovery.body === null || Array.isArray(discovery.body)) {
    fail('DISCOVERY_INVALID', `discovery document ${url} is not a JSON object`);
  } else {
    const document = discovery.body as { issuer?: unknown; jwks_uri?: unknown };
    ok(`discovery document ${url} answered`);
    if (document.issuer === idp.issuer) ok(`issuer matches: ${JSON.stringify(idp.issuer)}`);
    else if (typeof document.issuer !== 'string') fail('ISSUER_MISMATCH', `the discovery document has no issuer (got ${JSON.stringify(document.issuer)})`);
    else {
      const why = describeIssuerDifference(idp.issuer, document.issuer);
      fail('ISSUER_MISMATCH', `issuer differs: the provider says ${JSON.stringify(document.issuer)}, the config says ${JSON.stringify(idp.issuer)}${why === undefined ? '' : `; the provider's issuer ${why}`}`);
    }
    if (document.jwks_uri === idp.jwksUri) ok(`jwks_uri matches: ${idp.jwksUri}`);
    else fail('JWKS_URI_MISMATCH', `jwks_uri differs: the provider says ${JSON.stringify(document.jwks_uri)}, the config says ${JSON.stringify(idp.jwksUri)}; the authorizer takes keys only from the configured jwksUri`);
  }

  const jwks = await readJwks(idp.jwksUri, fetchImpl, timeoutMs);
  if (!jwks.ok) {
    fail('JWKS_UNREACHABLE', `JWKS ${idp.jwksUri} could not be read: ${jwks.error}`);
    return { idp: idp.id, issuer: idp.issuer, discoveryUrl: url, lines, findings };
  }
  ok(`JWKS ${idp.jwksUri} publishes ${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'}: ${jwks.keys.map(describeKey).join('; ') || 'none'}`);
  const withoutKid = jwks.keys.filter((k) => k.kid === undefined);
  if (withoutKid.length > 0) {
    fail('KEY_WITHOUT_KID', `${withoutKid.length} key${withoutKid.length === 1 ? ' has' : 's have'} no kid: a token is matched to its key by kid, and without one the authorizer refuses tokens whenever several keys fit their alg`);
  }
  for (const alg of idp.algorithms) {
    const selection = await selectKey(jwks.jwks as JSONWebKeySet, { alg });
    if (selection.ok || selection.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') ok(`${alg}: at least one published key can verify it`);
    else if (selection.code === 'ERR_JWKS_NO_MATCHING_KEY') fail('ALGORITHM_WITHOUT_KEY', `${alg} is configured, but no published key can verify it (wrong key type or curve, another alg, or use other than sig)`);
    else fail('ALGORITHM_WITHOUT_KEY', `${alg} is configured, but the key that fits it cannot be used: ${selection.message}`);
  }
  return { idp: idp.id, issuer: idp.issuer, discoveryUrl: url, lines, findings };
}

export function renderIdpReports(environment: string, reports: readonly IdpReport[]): string {
  const lines = [`check-idp: environment "${environment}"`];
  for (const report of reports) {
    lines.push('', `identity provider "${report.idp}" (${report.issuer})`);
    for (const line of report.lines) lines.push(`  [${line.status === 'ok' ? ' ok ' : line.status === 'fail' ? 'FAIL' : 'info'}] ${line.text}`);
  }
  const count = reports.reduce((n, r) => n + r.findings.length, 0);
  lines.push('', count === 0 ? `no mismatch in ${reports.length} identity provider${reports.length === 1 ? '' : 's'}` : `${count} mismatch${count === 1 ? '' : 'es'} in ${reports.length} identity provider${reports.length === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
