/**
 * A tiny Bedrock stand-in on 127.0.0.1 for forwarder and SigV4 tests: records every request
 * (method, raw path, headers, body bytes) and answers with what the test queued (status, headers,
 * body, optional delay), else a minimal Converse/InvokeModel success. Real HTTP, real SDK on the
 * other side.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The request target as received (still percent-encoded). */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface StandInAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  /** Milliseconds before answering. */
  readonly delayMs?: number;
}

export const CONVERSE_OK = JSON.stringify({
  output: { message: { role: 'assistant', content: [{ text: 'hello from the stand-in' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
  metrics: { latencyMs: 12 },
});
export const INVOKE_OK = JSON.stringify({ id: 'msg_1', type: 'message', content: [{ type: 'text', text: 'hello' }] });

export class BedrockStandIn {
  readonly requests: RecordedRequest[] = [];
  /** Answers for the next requests, in order; then the default success. */
  readonly queue: StandInAnswer[] = [];
  /** Called with each request before answering (e.g. a SigV4 verifier). */
  onRequest?: (request: RecordedRequest) => void;
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(): Promise<BedrockStandIn> {
    const standIn = new BedrockStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      this.requests.push(recorded);
      this.onRequest?.(recorded);
      const answer = this.queue.shift() ?? {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'stand-in-request-1' },
        body: recorded.url.endsWith('/converse') ? CONVERSE_OK : INVOKE_OK,
      };
      this.open.add(res);
      const send = () => {
        this.open.delete(res);
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body);
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          send();
        }, answer.delayMs);
        this.timers.add(timer);
      }
      else send();
    });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
