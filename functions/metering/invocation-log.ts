/**
 * Bedrock model invocation log records (schemaType `ModelInvocationLog`,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html): one JSON
 * object per log event with `timestamp`, `requestId`, `operation`, `modelId` (an id, or an ARN of a
 * model or inference profile), `input.inputTokenCount`, `output.outputTokenCount`, the prompt
 * cache counts `input.cacheReadInputTokenCount` / `input.cacheWriteInputTokenCount`, the caller's
 * `requestMetadata`, and `errorCode` on a failed invocation. With text data delivery off the
 * bodies are absent but the counts and metadata are still written.
 *
 * Each record is classified exactly once; only `metered` records add usage. Nothing here reads or
 * keeps the bodies, so prompts never reach the metering function's logs.
 */
import { decodeStampValue } from '../shared/tenant-stamp';
import type { MeteringSettings, ModelPriceSettings } from './settings';

/** Why a record was not metered; each is a metric and an audit line. */
export type Rejection = 'malformed' | 'foreign' | 'no-tenant' | 'unknown-tenant' | 'failed';

export interface TokenCounts {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export interface MeteredCall {
  readonly kind: 'metered';
  readonly tenant: string;
  /** Catalogue id (an ARN in the record is reduced to its id). */
  readonly model: string;
  readonly tokens: TokenCounts;
  /** nano-USD; 0 when unpriced. */
  readonly costNanoUsd: number;
  readonly priced: boolean;
  /** Epoch ms of the invocation (the record's timestamp, else the log event's). */
  readonly atMs: number;
  readonly requestId: string | null;
}

export interface RejectedRecord {
  readonly kind: Rejection;
  readonly atMs: number;
  readonly requestId: string | null;
  /** The decoded tenant when there was one (unknown tenants, failed calls). */
  readonly tenant: string | null;
  readonly model: string | null;
  readonly tokens: TokenCounts;
  readonly detail: string;
}

export type Classified = MeteredCall | RejectedRecord;

/** The request metadata keys the gateway stamps (functions/shared/tenant-stamp.ts). */
const TENANT_KEY = 'gw-tenant';
const ENV_KEY = 'gw-env';

const ZERO: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** Catalogue id of a record's `modelId`: an ARN (`.../foundation-model/<id>`, `.../inference-profile/<id>`) is reduced to the id. */
export function catalogueModelId(modelId: string): string {
  return modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
}

/** Cost of `tokens` in nano-USD at `price` (per-token nano-USD prices: exact integer arithmetic). */
export function costOf(tokens: TokenCounts, price: ModelPriceSettings): number {
  return tokens.input * price.input + tokens.output * price.output + tokens.cacheRead * price.cacheRead + tokens.cacheWrite * price.cacheWrite;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optionalCount = (v: unknown): number | null => (v === undefined || v === null ? 0 : isCount(v) ? v : null);

/** Classifies one log event's message. Never throws. */
export function classifyRecord(message: string, eventTimestamp: number, settings: MeteringSettings): Classified {
  const reject = (kind: Rejection, detail: string, extra: Partial<RejectedRecord> = {}): RejectedRecord => ({
    kind,
    atMs: eventTimestamp,
    requestId: null,
    tenant: null,
    model: null,
    tokens: ZERO,
    detail,
    ...extra,
  });
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return reject('malformed', 'not a JSON object');
    record = parsed as Record<string, unknown>;
  } catch {
    return reject('malformed', 'not JSON');
  }
  const requestId = typeof record.requestId === 'string' ? record.requestId : null;
  const recordTime = typeof record.timestamp === 'string' ? Date.parse(record.timestamp) : NaN;
  const atMs = Number.isFinite(recordTime) ? recordTime : eventTimestamp;
  if (record.schemaType !== undefined && record.schemaType !== 'ModelInvocationLog') return reject('foreign', `schemaType ${String(record.schemaType).slice(0, 64)}`, { atMs, requestId });

  const metadata = record.requestMetadata;
  const stamped = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
  const env = typeof stamped[ENV_KEY] === 'string' ? safeDecode(stamped[ENV_KEY] as string) : null;
  if (env !== settings.environment) return reject('foreign', env === null ? 'no gw-env in requestMetadata' : `gw-env ${env.slice(0, 64)}`, { atMs, requestId });

  const rawTenant = stamped[TENANT_KEY];
  const tenant = typeof rawTenant === 'string' && rawTenant !== '' ? safeDecode(rawTenant) : null;
  if (tenant === null) return reject('no-tenant', 'stamped record without gw-tenant', { atMs, requestId });

  const modelId = typeof record.modelId === 'string' && record.modelId !== '' ? catalogueModelId(record.modelId) : null;
  const input = (typeof record.input === 'object' && record.input !== null ? record.input : {}) as Record<string, unknown>;
  const output = (typeof record.output === 'object' && record.output !== null ? record.output : {}) as Record<string, unknown>;
  const failed = typeof record.errorCode === 'string' && record.errorCode !== '';
  const counts = {
    input: optionalCount(input.inputTokenCount),
    output: optionalCount(output.outputTokenCount),
    cacheRead: optionalCount(input.cacheReadInputTokenCount),
    cacheWrite: optionalCount(input.cacheWriteInputTokenCount),
  };
  if (counts.input === null || counts.output === null || counts.cacheRead === null || counts.cacheWrite === null) {
    return reject('malformed', 'token counts are not whole numbers >= 0', { atMs, requestId, tenant, model: modelId });
  }
  const tokens = counts as TokenCounts;
  if (failed) return reject('failed', `errorCode ${String(record.errorCode).slice(0, 64)}`, { atMs, requestId, tenant, model: modelId, tokens });
  if (modelId === null) return reject('malformed', 'no modelId', { atMs, requestId, tenant });
  if (!isCount(input.inputTokenCount) || !isCount(output.outputTokenCount)) {
    return reject('malformed', 'input.inputTokenCount or output.outputTokenCount missing', { atMs, requestId, tenant, model: modelId });
  }
  if (!(tenant in settings.tenants)) return reject('unknown-tenant', 'tenant not in this environment', { atMs, requestId, tenant, model: modelId, tokens });

  const price = settings.models[modelId] ?? null;
  return { kind: 'metered', tenant, model: modelId, tokens, costNanoUsd: price ? costOf(tokens, price) : 0, priced: price !== null, atMs, requestId };
}

function safeDecode(value: string): string | null {
  try {
    return decodeStampValue(value);
  } catch {
    return null;
  }
}
