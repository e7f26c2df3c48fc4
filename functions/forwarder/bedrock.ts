/**
 * The call to bedrock-runtime, made with the AWS SDK (`BedrockRuntimeClient`: credentials from the
 * function's role, endpoint resolution, SigV4 with signing name `bedrock`), passing bytes through
 * as the direct mode's integration does:
 *
 * - Converse: the SDK would re-serialize the request from its own model, dropping fields it does
 *   not know and re-encoding base64 blobs (image and document bytes); so the body the forwarder
 *   built (the client's JSON, stamped) replaces the serialized one before signing.
 * - InvokeModel: the body is a blob already; the stamp goes into `requestMetadata`, which the SDK
 *   sends as the `X-Amzn-Bedrock-Request-Metadata` header (JSON text).
 * - The response: Bedrock's raw status, headers and body are captured below the SDK's
 *   deserializer and returned as they came, for results and errors alike.
 *
 * One attempt (retries are the client's, as in the direct mode), HTTP/1.1 with keep-alive: a
 * Lambda environment serves one request at a time, so HTTP/2 multiplexing would buy nothing.
 */
import { Readable } from 'node:stream';
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface BedrockCall {
  readonly route: string;
  readonly modelId: string;
  readonly body: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface BedrockResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface BedrockClientOptions {
  readonly region: string;
  /** Loopback endpoint of a Bedrock stand-in (tests, local gateway); absent on AWS. */
  readonly endpoint?: string;
  /** @default 3000 */
  readonly connectionTimeoutMs?: number;
}

export function createBedrockClient(options: BedrockClientOptions): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: options.connectionTimeoutMs ?? 3000 }),
  });
}

/** The SDK's middleware stack, as the two middlewares below use it. */
interface MiddlewareStackOf {
  add(
    middleware: (next: (args: { request: unknown }) => Promise<{ response: unknown }>) => (args: { request: unknown }) => Promise<{ response: unknown }>,
    options: { step: 'build' | 'deserialize'; priority: 'high' | 'low'; name: string },
  ): void;
}

interface RawHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Sends one call and resolves with Bedrock's raw answer, whatever its status. Rejects only when
 * Bedrock gave no answer (network failure, abort): the caller maps that to 502/504.
 */
export async function callBedrock(client: BedrockRuntimeClient, call: BedrockCall, abortSignal: AbortSignal): Promise<BedrockResponse> {
  const command =
    call.route === 'converse'
      ? new ConverseCommand({ modelId: call.modelId, messages: [] })
      : new InvokeModelCommand({ modelId: call.modelId, body: call.body, contentType: 'application/json', accept: 'application/json', requestMetadata: JSON.stringify(call.metadata) });
  const stack = command.middlewareStack as unknown as MiddlewareStackOf;
  if (call.route === 'converse') {
    // After the SDK's serializer, before content-length and signing: the bytes signed are ours.
    stack.add(
      (next) => async (args) => {
        const request = args.request as { body?: unknown; headers: Record<string, string> };
        request.body = call.body;
        delete request.headers['content-length'];
        return next(args);
      },
      { step: 'build', priority: 'high', name: 'gatewayConverseBody' },
    );
  }
  let captured: BedrockResponse | undefined;
  // Below the deserializer: the HTTP response as it arrived.
  stack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawHttpResponse;
      const body = await collect(response.body);
      captured = { status: response.statusCode, headers: lowerCase(response.headers), body };
      response.body = Readable.from([Buffer.from(body)]);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'gatewayRawResponse' },
  );
  try {
    await client.send(command as ConverseCommand, { abortSignal });
  } catch (err) {
    // A modelled or unmodelled Bedrock error: its raw answer is what the client gets.
    if (captured) return captured;
    throw err;
  }
  if (!captured) throw new Error('no response captured');
  return captured;
}

async function collect(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function lowerCase(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}
