/**
 * One JSON audit line per decision, on stdout (CloudWatch Logs). Fields are fixed: unknown
 * ones are null, never absent, so log queries need no existence checks. Never the token,
 * its signature or any secret; the tenant's API key value is not logged either.
 */

export type Decision = 'allow' | 'deny' | 'unauthorized';

export interface AuditLine {
  readonly audit: 'authorizer';
  readonly environment: string;
  /** `allow`: API Gateway passes the request; `deny`: 403; `unauthorized`: 401. */
  readonly decision: Decision;
  /** `ALLOWED`, a `DenyReason`, an `UnauthorizedReason` or a jose `err.code`. */
  readonly reason: string;
  /** Narrows the reason (failed claim, header name, network error code); null when none. */
  readonly detail: string | null;
  readonly tenant: string | null;
  readonly subject: string | null;
  /** The token's `iss`; on a 401 this is what the token claimed, not a verified value. */
  readonly issuer: string | null;
  readonly idp: string | null;
  /** The configured tier (never the token's). */
  readonly tier: string | null;
  /** The tier the token claimed when it differs from the configured one. */
  readonly claimedTier: string | null;
  readonly role: string | null;
  readonly methodArn: string | null;
  readonly latencyMs: number;
}

export type AuditSink = (line: string) => void;

/** `console.log` adds the Lambda request prefix in Text log format; one write keeps one JSON line per decision. */
export const stdoutSink: AuditSink = (line) => {
  process.stdout.write(`${line}\n`);
};

const jsonString = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));

/**
 * The line as JSON, fields in a fixed order: byte-for-byte what `JSON.stringify(line)` gives,
 * without building a generic serializer's property walk on the hot path.
 */
export function serializeAuditLine(line: AuditLine): string {
  return (
    `{"audit":"authorizer","environment":${jsonString(line.environment)},"decision":${jsonString(line.decision)},` +
    `"reason":${jsonString(line.reason)},"detail":${jsonString(line.detail)},"tenant":${jsonString(line.tenant)},` +
    `"subject":${jsonString(line.subject)},"issuer":${jsonString(line.issuer)},"idp":${jsonString(line.idp)},` +
    `"tier":${jsonString(line.tier)},"claimedTier":${jsonString(line.claimedTier)},"role":${jsonString(line.role)},` +
    `"methodArn":${jsonString(line.methodArn)},"latencyMs":${JSON.stringify(line.latencyMs)}}`
  );
}
