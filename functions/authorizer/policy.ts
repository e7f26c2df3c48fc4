/**
 * API Gateway authorizer policies. API Gateway caches the response per token for the authorizer
 * TTL and reuses it on every route, so an Allow lists every route of every model the tenant may
 * call (and nothing else), whichever route the token was first presented on.
 */
import { DenyReason, type DenyReasonCode } from './errors';
import type { TenantEntry } from './settings';

/** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<VERB>/<path>`. */
export interface MethodArn {
  /** `arn:...:<apiId>/<stage>`: the API and stage every policy resource is built under. */
  readonly prefix: string;
  readonly verb: string;
  /** Resource path without the leading slash, as API Gateway put it in the ARN (possibly percent-encoded). */
  readonly path: string;
}

export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string | readonly string[];
}

export interface AuthorizerResponse {
  readonly principalId: string;
  readonly policyDocument: { readonly Version: '2012-10-17'; readonly Statement: readonly PolicyStatement[] };
  /** API Gateway accepts strings, numbers and booleans here; we send strings only. */
  readonly context?: Readonly<Record<string, string>>;
  readonly usageIdentifierKey?: string;
}

const METHOD_ARN = /^(arn:[a-z-]+:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[^/]+)\/([A-Z]+)\/(.*)$/;
const GATEWAY_VERB = 'POST';

export function parseMethodArn(methodArn: unknown): MethodArn | undefined {
  if (typeof methodArn !== 'string') return undefined;
  const match = METHOD_ARN.exec(methodArn);
  return match ? { prefix: match[1], verb: match[2], path: match[3] } : undefined;
}

/**
 * The forms a model id can take in a method ARN: SDKs percent-encode `:` (`%3A`), other clients
 * send it raw or lowercase-encoded. Mixed encodings within one id are not listed (see README).
 */
export function modelPathForms(modelId: string): string[] {
  if (!modelId.includes(':')) return [modelId];
  return [modelId, modelId.replaceAll(':', '%3A'), modelId.replaceAll(':', '%3a')];
}

/** Every method ARN the tenant may call under `prefix`: each model x each route x each encoding. */
export function tenantResources(prefix: string, models: readonly string[], routes: readonly string[]): string[] {
  const resources: string[] = [];
  for (const model of models) {
    for (const form of modelPathForms(model)) {
      for (const route of routes) resources.push(`${prefix}/${GATEWAY_VERB}/model/${form}/${route}`);
    }
  }
  return resources;
}

/**
 * Per (API/stage, tenant) resource lists, built once per container: the warm path then only
 * assembles the response object. Bounded, since the prefix comes from the request.
 */
export class TenantPolicyCache {
  private readonly entries = new Map<string, { readonly resources: readonly string[]; readonly set: ReadonlySet<string> }>();

  constructor(
    private readonly routes: readonly string[],
    private readonly maxEntries = 1024,
  ) {}

  get(prefix: string, tenantId: string, tenant: TenantEntry): { readonly resources: readonly string[]; readonly set: ReadonlySet<string> } {
    const key = `${prefix}\n${tenantId}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const resources = Object.freeze(tenantResources(prefix, tenant.models, this.routes));
      entry = { resources, set: new Set(resources) };
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, entry);
    }
    return entry;
  }
}

/**
 * Why an Allow policy that does not list `arn` refuses it, for the audit line. The answer
 * API Gateway gives is decided by the policy alone; this only explains it.
 */
export function explainRefusal(arn: MethodArn, tenant: TenantEntry, routes: readonly string[]): DenyReasonCode {
  const parts = arn.path.split('/');
  if (arn.verb !== GATEWAY_VERB || parts.length !== 3 || parts[0] !== 'model' || !routes.includes(parts[2])) return DenyReason.ROUTE_NOT_ALLOWED;
  let model: string;
  try {
    model = decodeURIComponent(parts[1]);
  } catch {
    return DenyReason.MODEL_SEGMENT_MALFORMED;
  }
  return tenant.models.includes(model) ? DenyReason.MODEL_ENCODING_UNSUPPORTED : DenyReason.MODEL_NOT_ALLOWED;
}

export function buildAllowPolicy(params: {
  readonly principalId: string;
  readonly resources: readonly string[];
  readonly usageIdentifierKey: string;
  readonly context: Readonly<Record<string, string>>;
}): AuthorizerResponse {
  return {
    principalId: params.principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: params.resources }] },
    context: params.context,
    usageIdentifierKey: params.usageIdentifierKey,
  };
}

export function buildDenyPolicy(params: {
  readonly principalId: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}): AuthorizerResponse {
  return {
    principalId: params.principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: params.resource }] },
    ...(params.context ? { context: params.context } : {}),
  };
}
