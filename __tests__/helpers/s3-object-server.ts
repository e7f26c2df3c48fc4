/**
 * A small S3 `GetObject` endpoint on 127.0.0.1 for the authorizer's tenant table reads: path-style
 * `GET /<bucket>/<key>`, every request's SigV4 signature checked with the independent verifier
 * (`local-gateway/sigv4-verify.ts`, service `s3`), ETags, `If-None-Match` -> 304, S3's XML errors
 * (`NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`), and switchable faults (a status, a body
 * that is not a table, a response that never comes). It records what it was asked.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback, LOOPBACK } from '../../local-gateway/loopback';
import { verifySigV4, type SigV4Credentials } from '../../local-gateway/sigv4-verify';

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

export type Fault = { readonly kind: 'status'; readonly status: number; readonly code: string } | { readonly kind: 'body'; readonly body: string } | { readonly kind: 'hang' };

export class S3ObjectServer {
  readonly requests: RecordedRequest[] = [];
  /** Bucket -> key -> body. */
  private readonly objects = new Map<string, Map<string, string>>();
  fault: Fault | undefined;
  private readonly server: Server;

  private constructor(
    private readonly credentials: readonly SigV4Credentials[],
    private readonly region: string,
  ) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.method ?? '', req.url ?? '/', req.headers, Buffer.concat(chunks), res));
    });
  }

  static async start(options: { credentials: readonly SigV4Credentials[]; region: string }): Promise<S3ObjectServer> {
    const server = new S3ObjectServer(options.credentials, options.region);
    await listenOnLoopback(server.server, 0);
    return server;
  }

  get endpoint(): string {
    return `http://${LOOPBACK}:${(this.server.address() as AddressInfo).port}`;
  }

  put(bucket: string, key: string, body: string): void {
    let keys = this.objects.get(bucket);
    if (!keys) this.objects.set(bucket, (keys = new Map()));
    keys.set(key, body);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, res: ServerResponse): void {
    const reply = (status: number, responseHeaders: Record<string, string> = {}, text = '') => {
      this.requests.push({ path: url, headers, status });
      res.writeHead(status, responseHeaders);
      res.end(text);
    };
    const error = (status: number, code: string) => reply(status, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
    if (this.fault?.kind === 'hang') {
      this.requests.push({ path: url, headers, status: 0 });
      return;
    }
    const signature = verifySigV4({ method, url, headers, body }, { credentials: this.credentials, service: 's3', region: this.region });
    if (!signature.ok) return error(403, 'SignatureDoesNotMatch');
    if (method !== 'GET') return error(405, 'MethodNotAllowed');
    if (this.fault?.kind === 'status') return error(this.fault.status, this.fault.code);
    const [, bucket, ...rest] = url.split('?')[0].split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const object = this.objects.get(decodeURIComponent(bucket))?.get(key);
    if (object === undefined) return error(404, 'NoSuchKey');
    const text = this.fault?.kind === 'body' ? this.fault.body : object;
    const etag = `"${createHash('md5').update(text).digest('hex')}"`;
    if (headers['if-none-match'] === etag) return reply(304, { etag });
    reply(200, { etag, 'content-type': 'application/json' }, text);
  }
}
