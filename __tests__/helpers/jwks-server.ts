/**
 * A real JWKS endpoint on 127.0.0.1 for authorizer tests: jose fetches it over HTTP exactly as
 * it would fetch Cognito's or Entra's. It can serve a key set, rotate keys, fail in each way an
 * IdP endpoint fails (5xx, non-JSON, not a key set, hanging, down) and count the fetches.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonWebKeySet {
  readonly keys: readonly Record<string, unknown>[];
}

/**
 * - `ok`: 200 with the key set
 * - `error`: 503 with a JSON error body
 * - `non-json`: 200 with an HTML page
 * - `not-jwks`: 200 with JSON that is not a key set
 * - `hang`: accepts the request and never answers (until closed)
 */
export type JwksServerMode = 'ok' | 'error' | 'non-json' | 'not-jwks' | 'hang';

export class JwksServer {
  /** Requests received since start (or the last `resetCount`), any path, any mode. */
  requests = 0;
  mode: JwksServerMode = 'ok';
  private jwks: JsonWebKeySet;
  private server: Server;
  private port = 0;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(jwks: JsonWebKeySet) {
    this.jwks = jwks;
    this.server = this.createHttpServer();
  }

  static async start(jwks: JsonWebKeySet = { keys: [] }): Promise<JwksServer> {
    const server = new JwksServer(jwks);
    await server.listen(0);
    return server;
  }

  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The JWKS URL to put in settings. */
  get jwksUri(): string {
    return `${this.origin}/.well-known/jwks.json`;
  }

  /** Replaces the served key set (key rotation). */
  setKeys(jwks: JsonWebKeySet): void {
    this.jwks = jwks;
  }

  resetCount(): void {
    this.requests = 0;
  }

  /** Stops listening and drops every connection: further fetches get ECONNREFUSED (an outage). */
  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port after `close` (the endpoint comes back). */
  async reopen(): Promise<void> {
    this.server = this.createHttpServer();
    await this.listen(this.port);
  }

  private createHttpServer(): Server {
    // keepAlive off: every fetch is a fresh connection, so `close` leaves nothing behind.
    const server = createServer({ keepAlive: false }, (req, res) => this.handle(req, res));
    return server;
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private handle(_req: IncomingMessage, res: ServerResponse): void {
    this.requests += 1;
    res.setHeader('connection', 'close');
    switch (this.mode) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks));
        return;
      case 'error':
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service Unavailable"}');
        return;
      case 'non-json':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>');
        return;
      case 'not-jwks':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"https://example.com"}');
        return;
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
    }
  }
}
