/**
 * A local stand-in for Amazon Bedrock Runtime, on loopback: `POST /model/{modelId}/converse` and
 * `POST /model/{modelId}/invoke` answer deterministically with token counts, and documented trigger
 * inputs produce Bedrock's error statuses. It records what it received (for tests) and writes one
 * model invocation log record per call, in the format of Bedrock's model invocation logging
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html), to a
 * CloudWatch Logs group (on the emulator: the stack's invocation log group when served by
 * `serveLocalGateway`), and hands the same record to `onInvocationLog`, so a
 * metering pipeline can be fed the way a subscription filter would feed it.
 *
 * Trigger inputs (anywhere in the Converse messages' text, or in the InvokeModel body):
 *   [stand-in:throttle]     429 ThrottlingException
 *   [stand-in:validation]   400 ValidationException
 *   [stand-in:not-ready]    429 ModelNotReadyException
 *   [stand-in:unavailable]  503 ServiceUnavailableException
 *   [stand-in:teapot]       418 (a status Bedrock never sends: the gateway maps it to 502)
 * and one that shapes a success:
 *   [stand-in:output-tokens=N]  reports N output tokens (a long generation), e.g. to spend a token budget
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toSubscriptionEvent } from '../functions/metering/subscription';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LOOPBACK, listenOnLoopback } from './loopback';

export const DEFAULT_INVOCATION_LOG_GROUP = '/aws/bedrock/modelinvocations';

export interface StandInTrigger {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** Trigger text -> the error Bedrock answers with. */
export const STAND_IN_TRIGGERS: Readonly<Record<string, StandInTrigger>> = {
  '[stand-in:throttle]': { status: 429, errorType: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  '[stand-in:validation]': { status: 400, errorType: 'ValidationException', message: 'The provided request is not valid (stand-in trigger).' },
  '[stand-in:not-ready]': { status: 429, errorType: 'ModelNotReadyException', message: 'The model is not ready to serve inference requests (stand-in trigger).' },
  '[stand-in:unavailable]': { status: 503, errorType: 'ServiceUnavailableException', message: 'The service is unavailable (stand-in trigger).' },
  '[stand-in:teapot]': { status: 418, errorType: 'TeapotException', message: 'An unexpected status (stand-in trigger).' },
};

/** `[stand-in:output-tokens=N]`: the success reports N output tokens. */
export const OUTPUT_TOKENS_TRIGGER = /\[stand-in:output-tokens=(\d{1,10})\]/;

export type BedrockOperation = 'Converse' | 'InvokeModel';

export interface ReceivedRequest {
  readonly operation: BedrockOperation;
  readonly modelId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** From the Converse body's `requestMetadata`, or InvokeModel's `X-Amzn-Bedrock-Request-Metadata` header. */
  readonly requestMetadata?: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface InvocationLogRecord {
  readonly schemaType: 'ModelInvocationLog';
  readonly schemaVersion: '1.0';
  readonly timestamp: string;
  readonly accountId: string;
  readonly identity: { readonly arn: string };
  readonly region: string;
  readonly requestId: string;
  readonly operation: BedrockOperation;
  readonly modelId: string;
  readonly input: {
    readonly inputContentType: 'application/json';
    readonly inputBodyJson?: unknown;
    readonly inputTokenCount: number;
    readonly cacheReadInputTokenCount: number;
    readonly cacheWriteInputTokenCount: number;
  };
  readonly output: { readonly outputContentType: 'application/json'; readonly outputBodyJson?: unknown; readonly outputTokenCount: number };
  readonly requestMetadata?: Readonly<Record<string, string>>;
  readonly inferenceRegion: string;
}

export interface InvocationLogInput {
  readonly requestId: string;
  readonly operation: BedrockOperation;
  readonly modelId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadInputTokens?: number;
  readonly cacheWriteInputTokens?: number;
  readonly requestMetadata?: Readonly<Record<string, string>>;
  readonly inputBody?: unknown;
  readonly outputBody?: unknown;
  readonly accountId: string;
  readonly region: string;
  readonly identityArn: string;
  readonly timestamp: Date;
}

/** One model invocation log record, as Bedrock writes it to CloudWatch Logs. */
export function buildInvocationLogRecord(input: InvocationLogInput): InvocationLogRecord {
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: input.timestamp.toISOString(),
    accountId: input.accountId,
    identity: { arn: input.identityArn },
    region: input.region,
    requestId: input.requestId,
    operation: input.operation,
    modelId: input.modelId,
    input: {
      inputContentType: 'application/json',
      ...(input.inputBody !== undefined ? { inputBodyJson: input.inputBody } : {}),
      inputTokenCount: input.inputTokens,
      cacheReadInputTokenCount: input.cacheReadInputTokens ?? 0,
      cacheWriteInputTokenCount: input.cacheWriteInputTokens ?? 0,
    },
    output: { outputContentType: 'application/json', ...(input.outputBody !== undefined ? { outputBodyJson: input.outputBody } : {}), outputTokenCount: input.outputTokens },
    ...(input.requestMetadata ? { requestMetadata: input.requestMetadata } : {}),
    inferenceRegion: input.region,
  };
}

/** The event a CloudWatch Logs subscription filter delivers to a Lambda function (`awslogs.data`: gzip, base64). */
export interface SubscriptionFilterEvent {
  readonly awslogs: { readonly data: string };
}

/**
 * Invocation log records as a subscription filter on the invocation log group would deliver them
 * to a function (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html):
 * a DATA_MESSAGE with one log event per record, gzipped and base64-encoded. Feeds a metering
 * handler locally exactly as CloudWatch Logs feeds it.
 */
export function subscriptionFilterEvent(
  records: readonly InvocationLogRecord[],
  options: { readonly logGroup?: string; readonly logStream?: string; readonly filterName?: string; readonly owner?: string } = {},
): SubscriptionFilterEvent {
  // One encoder for the subscription payload: the metering function's own (functions/metering/subscription.ts).
  return toSubscriptionEvent(
    records.map((record) => ({ record, id: record.requestId, timestamp: Date.parse(record.timestamp) })),
    {
      logGroup: options.logGroup ?? DEFAULT_INVOCATION_LOG_GROUP,
      ...(options.logStream ? { logStream: options.logStream } : {}),
      subscriptionFilters: [options.filterName ?? 'metering'],
      owner: options.owner ?? records[0]?.accountId ?? '123456789012',
    },
  );
}

/** How the stand-in refuses a request that `verifyRequest` rejects. */
export type StandInRefusal = string | { readonly status: number; readonly errorType: string; readonly message: string };

export interface StandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Where invocation log records go; omitted: records only reach `onInvocationLog`. */
  readonly invocationLogs?: { readonly client: CloudWatchLogsClient; readonly groupName?: string };
  /** Called with every record written (the metering pipeline's feed). */
  readonly onInvocationLog?: (record: InvocationLogRecord) => void | Promise<void>;
  /**
   * Checks each request before it is served (e.g. a SigV4 verifier, `bedrockSigV4Check`): a
   * returned string refuses it with 403 UnrecognizedClientException and that message; a returned
   * `{ status, errorType, message }` refuses it with exactly that answer.
   */
  readonly verifyRequest?: (req: { method: string; url: string; headers: Readonly<Record<string, string>>; body: string }) => StandInRefusal | undefined | Promise<StandInRefusal | undefined>;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default 123456789012 */
  readonly accountId?: string;
  /**
   * Caller identity written into log records (`serveLocalGateway` passes the stack's caller: the
   * integration's credentials role session, or the forwarder's role session).
   * @default `arn:aws:sts::<account>:assumed-role/bedrock-gateway/local`, which no stack's subscription filter selects
   */
  readonly identityArn?: string;
}

/** Whitespace-separated words / 4 characters, whichever is larger: deterministic, roughly like a tokenizer. */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(text.trim().split(/\s+/).filter(Boolean).length, Math.ceil(text.length / 4));
}

export class BedrockStandIn {
  readonly received: ReceivedRequest[] = [];
  readonly records: InvocationLogRecord[] = [];
  private server: Server | undefined;
  private streamReady: Promise<string> | undefined;
  private pendingLogs: Promise<unknown> = Promise.resolve();
  private sequence = 0;

  constructor(private readonly options: StandInOptions = {}) {}

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the Bedrock stand-in is not listening');
    return `http://${LOOPBACK}:${address.port}`;
  }

  get invocationLogGroup(): string {
    return this.options.invocationLogs?.groupName ?? DEFAULT_INVOCATION_LOG_GROUP;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, 'InternalServerException', (err as Error).message);
      });
    });
    await listenOnLoopback(server, this.options.port ?? 0);
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    await this.flushLogs();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once every invocation log record so far has been written. */
  async flushLogs(): Promise<void> {
    await this.pendingLogs;
  }

  clear(): void {
    this.received.length = 0;
    this.records.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const headers = flatHeaders(req);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const refusal = await this.options.verifyRequest?.({ method: req.method ?? '', url: req.url ?? '/', headers, body });
    if (typeof refusal === 'string') return send(res, 403, 'UnrecognizedClientException', refusal);
    if (refusal !== undefined) return send(res, refusal.status, refusal.errorType, refusal.message);
    const match = /^\/model\/([^/]+)\/(converse|invoke)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) return send(res, 404, 'UnknownOperationException', `no such operation: ${req.method} ${url.pathname}`);
    const modelId = decodeURIComponent(match[1]);
    const operation: BedrockOperation = match[2] === 'converse' ? 'Converse' : 'InvokeModel';
    const requestId = randomUUID();
    let parsed: unknown;
    try {
      parsed = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      this.received.push({ operation, modelId, headers, body, status: 400 });
      return send(res, 400, 'ValidationException', 'Malformed input request, please reformat your input and try again.', requestId);
    }
    const requestMetadata = operation === 'Converse' ? metadataOf((parsed as { requestMetadata?: unknown }).requestMetadata) : metadataHeader(headers['x-amzn-bedrock-request-metadata']);
    const trigger = Object.entries(STAND_IN_TRIGGERS).find(([text]) => body.includes(text))?.[1];
    const status = trigger?.status ?? 200;
    this.received.push({ operation, modelId, headers, body, ...(requestMetadata ? { requestMetadata } : {}), status });
    if (trigger) return send(res, trigger.status, trigger.errorType, trigger.message, requestId);

    const prompt = operation === 'Converse' ? converseText(parsed) : body;
    const reply = `Stand-in reply from ${modelId}: ${prompt.replace(/\s+/g, ' ').trim().slice(0, 60)}`;
    const inputTokens = countTokens(prompt);
    const reported = OUTPUT_TOKENS_TRIGGER.exec(body);
    const outputTokens = reported ? Number(reported[1]) : countTokens(reply);
    const output =
      operation === 'Converse'
        ? {
            output: { message: { role: 'assistant', content: [{ text: reply }] } },
            stopReason: 'end_turn',
            usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
            metrics: { latencyMs: 1 },
          }
        : {
            id: `msg_${requestId.replaceAll('-', '')}`,
            type: 'message',
            role: 'assistant',
            model: modelId,
            content: [{ type: 'text', text: reply }],
            stop_reason: 'end_turn',
            usage: { input_tokens: inputTokens, output_tokens: outputTokens },
          };
    const record = buildInvocationLogRecord({
      requestId,
      operation,
      modelId,
      inputTokens,
      outputTokens,
      ...(requestMetadata ? { requestMetadata } : {}),
      inputBody: parsed,
      outputBody: output,
      accountId: this.options.accountId ?? '123456789012',
      region: this.options.region ?? 'us-east-1',
      identityArn: this.options.identityArn ?? `arn:aws:sts::${this.options.accountId ?? '123456789012'}:assumed-role/bedrock-gateway/local`,
      timestamp: new Date(),
    });
    this.records.push(record);
    const written = this.writeLog(record);
    this.pendingLogs = this.pendingLogs.then(() => written).catch(() => undefined);
    await written;
    const payload = JSON.stringify(output);
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      ...(operation === 'InvokeModel' ? { 'x-amzn-bedrock-input-token-count': String(inputTokens), 'x-amzn-bedrock-output-token-count': String(outputTokens) } : {}),
    });
    res.end(payload);
  }

  private async writeLog(record: InvocationLogRecord): Promise<void> {
    const logs = this.options.invocationLogs;
    if (logs) {
      const stream = await this.logStream(logs.client);
      await logs.client.send(new PutLogEventsCommand({ logGroupName: this.invocationLogGroup, logStreamName: stream, logEvents: [{ timestamp: Date.parse(record.timestamp), message: JSON.stringify(record) }] }));
    }
    await this.options.onInvocationLog?.(record);
  }

  /** Bedrock writes to a stream named `aws/bedrock/modelinvocations`; the group is created if missing. */
  private logStream(client: CloudWatchLogsClient): Promise<string> {
    this.streamReady ??= (async () => {
      const stream = `aws/bedrock/modelinvocations/${++this.sequence}-${Date.now()}`;
      await client.send(new CreateLogGroupCommand({ logGroupName: this.invocationLogGroup })).catch((err: { name?: string }) => {
        if (err.name !== 'ResourceAlreadyExistsException') throw err;
      });
      await client.send(new CreateLogStreamCommand({ logGroupName: this.invocationLogGroup, logStreamName: stream }));
      return stream;
    })();
    return this.streamReady;
  }
}

function send(res: ServerResponse, status: number, errorType: string, message: string, requestId: string = randomUUID()): void {
  // Bedrock's error shape: the type in x-amzn-ErrorType (the SDK reads it), a message in the body.
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': requestId });
  res.end(JSON.stringify({ message }));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !k.startsWith(':')) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function metadataOf(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function metadataHeader(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  try {
    return metadataOf(JSON.parse(value));
  } catch {
    return undefined;
  }
}

/** The text of every message content block and system prompt of a Converse request. */
function converseText(body: unknown): string {
  const texts: string[] = [];
  const { messages, system } = (body ?? {}) as { messages?: unknown; system?: unknown };
  for (const block of Array.isArray(system) ? system : []) if (typeof block?.text === 'string') texts.push(block.text);
  for (const message of Array.isArray(messages) ? messages : []) {
    for (const block of Array.isArray(message?.content) ? message.content : []) if (typeof block?.text === 'string') texts.push(block.text);
  }
  return texts.join('\n');
}
