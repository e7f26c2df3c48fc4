/**
 * One signed S3 `GetObject` over node:https, without the S3 client: the authorizer reads a small
 * JSON object per tenant shard, and `@aws-sdk/client-s3` would add hundreds of kilobytes to a
 * bundle whose cold start matters. Signed with the SDK's own SigV4 signer (`@smithy/signature-v4`,
 * about 15 KB bundled) and the function's credentials from the Lambda environment.
 *
 * On AWS: virtual-hosted-style `https://<bucket>.s3.<region>.amazonaws.com/<key>`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html; `.amazonaws.com.cn`
 * in the China regions, https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html).
 * With a loopback endpoint override (an emulator): path-style `<endpoint>/<bucket>/<key>`.
 * A conditional GET (`If-None-Match: <etag>`) answers 304 with no body when the object is unchanged
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3ObjectLocation {
  readonly bucket: string;
  readonly region: string;
  /** Loopback emulator endpoint (path-style); absent on AWS. */
  readonly endpoint?: string;
}

export interface S3GetOptions {
  /** Read when a request is signed (Lambda's are the function role's, from its environment). */
  readonly credentials: () => AwsCredentials;
  /** Upper bound on the whole request, in milliseconds. */
  readonly timeoutMs: number;
  /** Responses larger than this are refused. @default 16 MiB */
  readonly maxBytes?: number;
}

export type S3GetResult =
  | { readonly status: 200; readonly etag: string | undefined; readonly body: string }
  | { readonly status: 304; readonly etag: string | undefined }
  /** Any other status: S3's error code (`NoSuchKey`, `AccessDenied`), when its XML body names one. */
  | { readonly status: number; readonly code: string | undefined };

/** Why a GET did not produce a response: `timeout`, `too-large`, or a network error code (`ECONNREFUSED`). */
export class S3RequestError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'S3RequestError';
  }
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** SHA-256 (and HMAC-SHA-256 with a secret) on node:crypto, the signer's hash constructor. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.create();
  }
  private create(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.create();
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The URL of an object: virtual-hosted on AWS, path-style on an emulator. */
export function s3ObjectUrl(location: S3ObjectLocation, key: string): URL {
  const path = key.split('/').map(encodeURIComponent).join('/');
  if (location.endpoint !== undefined) return new URL(`${location.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(location.bucket)}/${path}`);
  const suffix = location.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${location.bucket}.s3.${location.region}.${suffix}/${path}`);
}

/** GETs `key`, signed; conditional on `ifNoneMatch` when given. Resolves with any HTTP status; rejects only without one. */
export async function getS3Object(location: S3ObjectLocation, key: string, options: S3GetOptions & { readonly ifNoneMatch?: string }): Promise<S3GetResult> {
  const url = s3ObjectUrl(location, key);
  const signer = new SignatureV4({ service: 's3', region: location.region, credentials: options.credentials(), sha256: NodeSha256, uriEscapePath: false, applyChecksum: true });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: { host: url.host, ...(options.ifNoneMatch !== undefined ? { 'if-none-match': options.ifNoneMatch } : {}) },
  });
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers: signed.headers, timeout: options.timeoutMs, signal: AbortSignal.timeout(options.timeoutMs) }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new S3RequestError('too-large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => reject(requestError(err)));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
        const body = Buffer.concat(chunks).toString('utf8');
        if (status === 200) resolve({ status, etag, body });
        else if (status === 304) resolve({ status, etag });
        else resolve({ status, code: /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(body)?.[1] });
      });
    });
    req.on('timeout', () => req.destroy(new S3RequestError('timeout')));
    req.on('error', (err) => reject(requestError(err)));
    req.end();
  });
}

function requestError(err: unknown): S3RequestError {
  if (err instanceof S3RequestError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return new S3RequestError('timeout');
  return new S3RequestError(typeof e?.code === 'string' ? e.code : 'network-error');
}
