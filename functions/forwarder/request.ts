/**
 * From API Gateway's REST v1 proxy event to the one call the forwarder may make. Everything that
 * decides who is calling comes from `requestContext.authorizer` (what the authorizer returned,
 * which API Gateway put there); the client's headers and body never name a tenant. The model id
 * is decoded exactly once and must be in the tenant's allowlist: the forwarder can only narrow the
 * authorizer's decision, never widen it.
 */
import { stampedEntries, isReservedMetadataKey, AUTHORIZER_CONTEXT_KEYS } from '../shared/tenant-stamp';
import { accessDenied, invalidBody, notFound, RefusalReason, unsupportedMediaType } from './responses';
import type { ForwarderSettings } from './settings';

/** The fields of API Gateway's REST v1 proxy event (`AWS_PROXY`) the forwarder reads. */
export interface ProxyEvent {
  readonly resource?: string;
  readonly httpMethod?: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: {
    readonly requestId?: string;
    /** The authorizer's context (strings), plus `principalId` and `integrationLatency`. */
    readonly authorizer?: Readonly<Record<string, unknown>> | null;
  };
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface ForwardRequest {
  readonly route: string;
  /** Decoded once from the path segment; in the tenant's allowlist. */
  readonly modelId: string;
  readonly tenantId: string;
  /** API Gateway's request id (also stamped as `gw-request-id`). */
  readonly requestId: string;
  /** What Bedrock receives: the Converse body with the stamp in `requestMetadata`, or the InvokeModel body unchanged. */
  readonly body: Uint8Array;
  /** The stamped entries (InvokeModel: the `X-Amzn-Bedrock-Request-Metadata` header). */
  readonly metadata: Readonly<Record<string, string>>;
}

const RESOURCE = /^\/model\/\{modelId\}\/([a-z-]+)$/;

/** @throws ForwarderError for anything the forwarder refuses. */
export function parseRequest(event: ProxyEvent, settings: ForwarderSettings): ForwardRequest {
  const requestId = typeof event?.requestContext?.requestId === 'string' ? event.requestContext.requestId : '';
  const route = RESOURCE.exec(event?.resource ?? '')?.[1];
  if (event?.httpMethod !== 'POST' || route === undefined || !settings.routes.includes(route)) throw notFound();

  const context = authorizerStrings(event.requestContext?.authorizer);
  const tenantId = context[AUTHORIZER_CONTEXT_KEYS.tenant];
  if (!tenantId) throw accessDenied(RefusalReason.NO_TENANT_CONTEXT);
  const tenant = Object.hasOwn(settings.tenants, tenantId) ? settings.tenants[tenantId] : undefined;
  if (!tenant) throw accessDenied(RefusalReason.TENANT_UNKNOWN);
  if (!tenant.enabled) throw accessDenied(RefusalReason.TENANT_DISABLED);

  let modelId: string;
  try {
    modelId = decodeURIComponent(event.pathParameters?.modelId ?? '');
  } catch {
    throw accessDenied(RefusalReason.MODEL_SEGMENT_MALFORMED);
  }
  if (!tenant.models.includes(modelId)) throw accessDenied(RefusalReason.MODEL_NOT_ALLOWED);

  if (!isJson(header(event.headers, 'content-type'))) throw unsupportedMediaType();
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  const metadata = stampedEntries(context, requestId);
  const body = route === 'converse' ? stampConverseBody(raw, metadata) : raw;
  return { route, modelId, tenantId, requestId, body, metadata };
}

/** The authorizer's context keys with string values (API Gateway passes them as strings). */
function authorizerStrings(authorizer: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (authorizer === null || typeof authorizer !== 'object') return out;
  for (const [key, value] of Object.entries(authorizer)) if (typeof value === 'string') out[key] = value;
  return out;
}

function header(headers: ProxyEvent['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** `application/json`, with or without parameters: what the direct mode's mapping template accepts. */
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * The Converse request as sent, field by field, with `requestMetadata` last: the client's entries
 * outside the `gw-` prefix kept, the gateway's stamped (as the direct mode's mapping template does).
 */
export function stampConverseBody(raw: Uint8Array, metadata: Readonly<Record<string, string>>): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw invalidBody('the Converse request is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidBody('the Converse request must be a JSON object');
  const { requestMetadata: client, ...fields } = parsed as Record<string, unknown>;
  if (client !== undefined && (client === null || typeof client !== 'object' || Array.isArray(client) || Object.values(client).some((v) => typeof v !== 'string'))) {
    throw invalidBody('requestMetadata must be an object of string values');
  }
  const kept = Object.entries((client ?? {}) as Record<string, string>).filter(([key]) => !isReservedMetadataKey(key));
  return Buffer.from(JSON.stringify({ ...fields, requestMetadata: { ...Object.fromEntries(kept), ...metadata } }), 'utf8');
}
