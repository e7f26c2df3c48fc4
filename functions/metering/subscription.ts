/**
 * CloudWatch Logs subscription payloads: what a subscription filter delivers to a Lambda function
 * (`{ awslogs: { data } }`, base64 of gzip of JSON), decoded and, for tests, the local Bedrock
 * stand-in and benchmarks, encoded
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample).
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export interface SubscriptionPayload {
  /** `DATA_MESSAGE`, or `CONTROL_MESSAGE` (CloudWatch checking that the destination is reachable). */
  readonly messageType: string;
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
}

export interface SubscriptionEvent {
  readonly awslogs: { readonly data: string };
}

/** Decodes a subscription event; throws when it is not one (the batch then goes to the on-failure queue). */
export function decodeSubscriptionEvent(event: SubscriptionEvent): SubscriptionPayload {
  const data = event?.awslogs?.data;
  if (typeof data !== 'string') throw new Error('not a CloudWatch Logs subscription event: awslogs.data missing');
  const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as SubscriptionPayload;
  if (!Array.isArray(payload.logEvents)) throw new Error('not a CloudWatch Logs subscription payload: logEvents missing');
  return payload;
}

export interface EncodeOptions {
  readonly logGroup: string;
  /** @default 'aws/bedrock/modelinvocations' */
  readonly logStream?: string;
  /** @default ['metering'] */
  readonly subscriptionFilters?: readonly string[];
  /** @default '123456789012' */
  readonly owner?: string;
}

/** One log event: a record (serialized as Bedrock writes it, one JSON object per event) or a raw line. */
export interface EventInput {
  readonly record: unknown;
  /** @default the record's `timestamp`, else now */
  readonly timestamp?: number;
  /** @default derived from the timestamp and the content (stable: the same record gets the same id) */
  readonly id?: string;
}

/** CloudWatch-style event id: digits, stable for the same timestamp and message. */
export function logEventId(timestamp: number, message: string): string {
  const digest = BigInt(`0x${createHash('sha256').update(message).digest('hex').slice(0, 24)}`).toString().padStart(29, '0').slice(0, 29);
  return `${String(timestamp).padStart(15, '0')}${digest}`;
}

/** Turns invocation log records into the event a subscription filter delivers to the metering function. */
export function toSubscriptionEvent(events: readonly (EventInput | unknown)[], options: EncodeOptions): SubscriptionEvent {
  const logEvents: LogEvent[] = events.map((input) => {
    const event = isEventInput(input) ? input : { record: input };
    const message = typeof event.record === 'string' ? event.record : JSON.stringify(event.record);
    const recordTime = typeof (event.record as { timestamp?: unknown })?.timestamp === 'string' ? Date.parse((event.record as { timestamp: string }).timestamp) : NaN;
    const timestamp = event.timestamp ?? (Number.isFinite(recordTime) ? recordTime : Date.now());
    return { id: event.id ?? logEventId(timestamp, message), timestamp, message };
  });
  const payload: SubscriptionPayload = {
    messageType: 'DATA_MESSAGE',
    owner: options.owner ?? '123456789012',
    logGroup: options.logGroup,
    logStream: options.logStream ?? 'aws/bedrock/modelinvocations',
    subscriptionFilters: [...(options.subscriptionFilters ?? ['metering'])],
    logEvents,
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload), 'utf8')).toString('base64') } };
}

function isEventInput(value: unknown): value is EventInput {
  return typeof value === 'object' && value !== null && 'record' in value && Object.keys(value).every((k) => ['record', 'timestamp', 'id'].includes(k));
}
