/**
 * An identity provider's public endpoints on 127.0.0.1: any path can serve a JSON document
 * (a discovery document, a JWKS) or fail with a status. Tests point configured https URLs at it
 * with `--resolve`-style host mapping, so the URLs themselves stay exactly as configured.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

export class IdpServer {
  /** Requests received, by path. */
  readonly requests = new Map<string, number>();
  private readonly routes = new Map<string, Route>();
  private port = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<IdpServer> {
    const holder: { idp?: IdpServer } = {};
    const server = createServer({ keepAlive: false }, (req, res) => holder.idp?.handle(req, res));
    const idp = new IdpServer(server);
    holder.idp = idp;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    idp.port = (server.address() as AddressInfo).port;
    return idp;
  }

  /** e.g. `http://127.0.0.1:40123` */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  json(path: string, body: unknown, status = 200): this {
    this.routes.set(path, { status, body: JSON.stringify(body), contentType: 'application/json' });
    return this;
  }

  raw(path: string, route: Route): this {
    this.routes.set(path, route);
    return this;
  }

  remove(path: string): this {
    this.routes.delete(path);
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.origin).pathname;
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    const route = this.routes.get(path);
    res.setHeader('connection', 'close');
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(route.status, { 'content-type': route.contentType ?? 'text/plain' }).end(route.body);
  }
}
