/**
 * The Lambda forwarder (integration mode `forwarder`): API Gateway's AWS_PROXY event -> the tenant
 * and model checks -> one Converse or InvokeModel call -> Bedrock's status and body. Bedrock's
 * errors keep their status and `x-amzn-ErrorType`; no answer in time is a 504, no answer at all a
 * 502, each in the gateway's error shape. One log line per request, without bodies or tokens.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BEDROCK_ERROR_STATUSES } from '../shared/gateway-errors';
import { callBedrock, createBedrockClient, type BedrockResponse } from './bedrock';
import { parseRequest, type ProxyEvent } from './request';
import { errorResult, ForwarderError, upstreamFailed, upstreamTimeout, type ProxyResult } from './responses';
import type { ForwarderSettings } from './settings';

/** The part of the Lambda context the forwarder reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface HandlerOptions {
  /** @default a client for `settings.region` (or `endpoint`) */
  readonly client?: BedrockRuntimeClient;
  /** Loopback endpoint of a Bedrock stand-in, when no client is given. */
  readonly endpoint?: string;
  /** Left for the function to answer after giving up on Bedrock. @default 500 */
  readonly deadlineMarginMs?: number;
  /** Bound on the Bedrock call when no Lambda context is given (in-process callers). @default 29000 */
  readonly defaultBudgetMs?: number;
  /** Where the log line goes. @default stdout */
  readonly log?: (line: string) => void;
}

export type ForwarderHandler = (event: ProxyEvent, context?: InvocationContext) => Promise<ProxyResult>;

/** Headers of Bedrock's answer passed to the client (as in the direct mode's method responses). */
const PASSED_HEADERS = { 'x-amzn-requestid': 'x-amzn-RequestId', 'x-amzn-errortype': 'x-amzn-ErrorType' } as const;

/** Builds the handler once per container: the SDK client and its connection pool live here. */
export function createHandler(settings: ForwarderSettings, options: HandlerOptions = {}): ForwarderHandler {
  const client = options.client ?? createBedrockClient({ region: settings.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  const margin = options.deadlineMarginMs ?? 500;
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));

  return async (event, context) => {
    const started = performance.now();
    const requestId = typeof event?.requestContext?.requestId === 'string' ? event.requestContext.requestId : '';
    const line: Record<string, unknown> = { log: 'forwarder', environment: settings.environment, requestId, tenant: null, model: null, route: null };
    const finish = (result: ProxyResult, reason?: string): ProxyResult => {
      line.status = result.statusCode;
      if (reason) line.reason = reason;
      line.latencyMs = Math.round((performance.now() - started) * 100) / 100;
      log(JSON.stringify(line));
      return result;
    };
    try {
      const request = parseRequest(event, settings);
      Object.assign(line, { tenant: request.tenantId, model: request.modelId, route: request.route });
      const budget = Math.max((context?.getRemainingTimeInMillis() ?? options.defaultBudgetMs ?? 29_000) - margin, 1);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), budget);
      let response: BedrockResponse;
      const t0 = performance.now();
      try {
        response = await callBedrock(client, request, abort.signal);
      } catch {
        throw abort.signal.aborted ? upstreamTimeout() : upstreamFailed();
      } finally {
        clearTimeout(timer);
        line.bedrockMs = Math.round((performance.now() - t0) * 100) / 100;
      }
      return finish(bedrockResult(response));
    } catch (err) {
      const error = err instanceof ForwarderError ? err : upstreamFailed();
      if (!(err instanceof ForwarderError)) line.error = err instanceof Error ? err.name : 'unknown';
      return finish(errorResult(error, requestId), error.reason);
    }
  };
}

/** Bedrock's answer as it came; a status Bedrock does not document becomes a 502, never a 2xx. */
function bedrockResult(response: BedrockResponse): ProxyResult {
  const documented = (response.status >= 200 && response.status < 300) || (BEDROCK_ERROR_STATUSES as readonly string[]).includes(String(response.status));
  const headers: Record<string, string> = { 'Content-Type': response.headers['content-type'] ?? 'application/json' };
  for (const [lower, name] of Object.entries(PASSED_HEADERS)) if (response.headers[lower] !== undefined) headers[name] = response.headers[lower];
  return { statusCode: documented ? response.status : 502, headers, body: Buffer.from(response.body).toString('utf8'), isBase64Encoded: false };
}
