/**
 * A SigV4 verifier for the local Bedrock stand-in: recomputes the signature of an incoming request
 * from known test credentials and says exactly why it does not match. Written from the SigV4
 * specification (IAM user guide, "Create a signed AWS API request"), independently of the SDK's
 * signer, so that a test signed by the SDK and checked here proves the two agree:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 * Bedrock specifics: the signing name is `bedrock` while the endpoint is `bedrock-runtime`, and
 * for every service but S3 each path segment is URI-encoded twice in the canonical request, so a
 * model id `anthropic.claude-3-haiku-20240307-v1:0` travels as `...-v1%3A0` and is signed as
 * `...-v1%253A0`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignedRequest {
  readonly method: string;
  /** The request target as received: percent-encoded path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

export interface VerifyOptions {
  /** Known credentials by access key id. */
  readonly credentials: readonly SigV4Credentials[];
  /** @default 'bedrock' */
  readonly service?: string;
  /** Required region; any when absent. */
  readonly region?: string;
  /** @default now */
  readonly now?: Date;
  /** Largest accepted distance between `x-amz-date` and now. @default 5 minutes (AWS's own) */
  readonly maxSkewMs?: number;
}

export const SigV4Failure = {
  MISSING_AUTHORIZATION: 'missing-authorization',
  MALFORMED_AUTHORIZATION: 'malformed-authorization',
  UNKNOWN_ACCESS_KEY: 'unknown-access-key',
  WRONG_SERVICE: 'wrong-service',
  WRONG_REGION: 'wrong-region',
  BAD_DATE: 'bad-date',
  UNSIGNED_HEADER: 'unsigned-header',
  PAYLOAD_HASH_MISMATCH: 'payload-hash-mismatch',
  SIGNATURE_MISMATCH: 'signature-mismatch',
} as const;
export type SigV4FailureCode = (typeof SigV4Failure)[keyof typeof SigV4Failure];

export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string; readonly service: string; readonly canonicalRequest: string }
  | { readonly ok: false; readonly reason: SigV4FailureCode; readonly detail: string; readonly canonicalRequest?: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
/** Headers that must be signed whenever present (host always). */
const MUST_SIGN = ['host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'content-type', 'x-amzn-bedrock-request-metadata'];

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else `%XX` (uppercase). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI of a path as received (already encoded once by the client): each segment
 * encoded again, `/` kept. `/model/a.b-v1%3A0/converse` -> `/model/a.b-v1%253A0/converse`.
 */
export function canonicalUri(receivedPath: string): string {
  if (receivedPath === '') return '/';
  return receivedPath.split('/').map(uriEncode).join('/');
}

export function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const [k, v] = eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ');
}

/** `YYYYMMDDTHHMMSSZ` -> Date, or undefined. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function verifySigV4(request: SignedRequest, options: VerifyOptions): SigV4Result {
  const fail = (reason: SigV4FailureCode, detail: string, canonicalRequest?: string): SigV4Result => ({ ok: false, reason, detail, ...(canonicalRequest ? { canonicalRequest } : {}) });
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization) return fail(SigV4Failure.MISSING_AUTHORIZATION, 'no Authorization header');
  const match = AUTHORIZATION.exec(authorization);
  if (!match) return fail(SigV4Failure.MALFORMED_AUTHORIZATION, `not an ${ALGORITHM} authorization with Credential, SignedHeaders and Signature`);
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match;

  const credentials = options.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credentials) return fail(SigV4Failure.UNKNOWN_ACCESS_KEY, `access key ${accessKeyId} is not a known test credential`);
  const expectedService = options.service ?? 'bedrock';
  if (service !== expectedService) return fail(SigV4Failure.WRONG_SERVICE, `signed for service ${service}, expected ${expectedService}`);
  if (options.region !== undefined && region !== options.region) return fail(SigV4Failure.WRONG_REGION, `signed for region ${region}, expected ${options.region}`);

  const amzDate = headerValue(request.headers, 'x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) return fail(SigV4Failure.BAD_DATE, 'x-amz-date is missing or not YYYYMMDDTHHMMSSZ');
  if (amzDate.slice(0, 8) !== scopeDate) return fail(SigV4Failure.BAD_DATE, `credential scope date ${scopeDate} differs from x-amz-date ${amzDate}`);
  const skew = Math.abs((options.now ?? new Date()).getTime() - signedAt.getTime());
  if (skew > (options.maxSkewMs ?? 5 * 60 * 1000)) return fail(SigV4Failure.BAD_DATE, `x-amz-date ${amzDate} is ${Math.round(skew / 1000)} s away from now`);

  const signedHeaders = signedHeaderList.split(';');
  for (const name of MUST_SIGN) {
    if ((name === 'host' || request.headers[name] !== undefined) && !signedHeaders.includes(name)) return fail(SigV4Failure.UNSIGNED_HEADER, `header ${name} is present but not signed`);
  }

  const payloadHash = sha256Hex(request.body);
  const declared = headerValue(request.headers, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== payloadHash) {
    return fail(SigV4Failure.PAYLOAD_HASH_MISMATCH, 'x-amz-content-sha256 does not match the body received');
  }
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers, name) ?? ''}`),
    '',
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, scopeDate), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(SigV4Failure.SIGNATURE_MISMATCH, 'the signature does not match the canonical request', canonicalRequest);
  }
  return { ok: true, accessKeyId, region, service, canonicalRequest };
}

/** A refusal as the Bedrock stand-in sends it (`StandInRefusal`). */
export interface SigV4Refusal {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/**
 * What an AWS JSON-protocol service such as bedrock-runtime answers when SigV4 fails, by cause
 * (the common error types of the AWS API references, e.g. https://docs.aws.amazon.com/signer/latest/api/CommonErrors.html,
 * with the messages AWS services send): an unknown access key is UnrecognizedClientException, no
 * signature MissingAuthenticationTokenException, anything else about the signature
 * InvalidSignatureException; all 403.
 */
export function sigV4Refusal(result: Extract<SigV4Result, { ok: false }>): SigV4Refusal {
  switch (result.reason) {
    case SigV4Failure.MISSING_AUTHORIZATION:
      return { status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    case SigV4Failure.UNKNOWN_ACCESS_KEY:
      return { status: 403, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    case SigV4Failure.SIGNATURE_MISMATCH:
      return {
        status: 403,
        errorType: 'InvalidSignatureException',
        message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      };
    default:
      return { status: 403, errorType: 'InvalidSignatureException', message: `${result.detail} (stand-in SigV4 check: ${result.reason})` };
  }
}

export interface SigV4CheckOptions extends Omit<VerifyOptions, 'now'> {
  /** Every verdict, newest last (the last 1,000 are kept). */
  readonly verdicts?: SigV4Result[];
}

/**
 * A `verifyRequest` hook for the Bedrock stand-in: verifies each request's SigV4 signature
 * against `options.credentials` (read on every request, so a caller may change them) and refuses
 * a bad one as Bedrock would (`sigV4Refusal`).
 */
export function bedrockSigV4Check(options: SigV4CheckOptions): (req: { method: string; url: string; headers: Readonly<Record<string, string>>; body: string }) => SigV4Refusal | undefined {
  return (req) => {
    const result = verifySigV4({ method: req.method, url: req.url, headers: req.headers, body: Buffer.from(req.body, 'utf8') }, options);
    if (options.verdicts) {
      options.verdicts.push(result);
      if (options.verdicts.length > 1000) options.verdicts.splice(0, options.verdicts.length - 1000);
    }
    return result.ok ? undefined : sigV4Refusal(result);
  };
}
