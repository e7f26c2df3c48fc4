/**
 * A TOKEN Lambda authorizer as API Gateway runs it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html):
 * the identity source must be present and match the identity validation expression (else 401
 * without calling the function); the function gets `{ type: 'TOKEN', authorizationToken, methodArn }`;
 * its response is cached per token for the TTL and reused on every route (a policy that only
 * covers the first route is then wrong on the second: the cache makes that visible); `Error("Unauthorized")`
 * is 401, any other failure 500; the policy is evaluated against the request's method ARN with IAM
 * wildcard semantics (`*`, `?`), an explicit Deny winning.
 */
import { randomUUID } from 'node:crypto';
import { lambdaContext, loadLambdaFunction, type LoadedFunction } from './lambda-bundle';
import type { AuthorizerModel, LambdaFunctionModel } from './stack-model';

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: { readonly Statement: ReadonlyArray<{ readonly Effect: string; readonly Action: string | readonly string[]; readonly Resource: string | readonly string[] }> };
  readonly context?: Readonly<Record<string, string | number | boolean>>;
  readonly usageIdentifierKey?: string;
}

export type AuthorizerOutcome =
  | { readonly kind: 'allow'; readonly result: AuthorizerResult; readonly cached: boolean; readonly latencyMs: number }
  | { readonly kind: 'deny'; readonly result: AuthorizerResult; readonly explicit: boolean; readonly cached: boolean; readonly latencyMs: number }
  | { readonly kind: 'unauthorized'; readonly latencyMs: number }
  | { readonly kind: 'failure'; readonly message: string; readonly latencyMs: number };

/** IAM-style wildcard match: `*` any run of characters, `?` one character; the whole string. */
export function matchesWildcard(pattern: string, value: string): boolean {
  let regex = WILDCARDS.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
    if (WILDCARDS.size >= 10_000) WILDCARDS.clear();
    WILDCARDS.set(pattern, regex);
  }
  return regex.test(value);
}

/** Compiled policy resource patterns (a cached policy is evaluated on every request). */
const WILDCARDS = new Map<string, RegExp>();

/** Allowed when a statement allows `execute-api:Invoke` on the ARN and none denies it. */
export function evaluatePolicy(result: AuthorizerResult, methodArn: string): { allowed: boolean; explicitDeny: boolean } {
  let allowed = false;
  for (const statement of result.policyDocument?.Statement ?? []) {
    const actions = ([] as string[]).concat(statement.Action as string | string[]);
    if (!actions.some((a) => matchesWildcard(a.toLowerCase(), 'execute-api:invoke'))) continue;
    const resources = ([] as string[]).concat(statement.Resource as string | string[]);
    if (!resources.some((r) => matchesWildcard(r, methodArn))) continue;
    if (statement.Effect === 'Deny') return { allowed: false, explicitDeny: true };
    if (statement.Effect === 'Allow') allowed = true;
  }
  return { allowed, explicitDeny: false };
}

export interface AuthorizerRunnerOptions {
  readonly region: string;
  /**
   * Environment variables for the function's cold start, over its own: a sharded environment's
   * authorizer gets its tenant table bucket (a Terraform reference in the stack) and the
   * emulator's S3 endpoint (`GATEWAY_S3_ENDPOINT`). @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Clock in epoch ms (tests). @default Date.now */
  readonly now?: () => number;
}

export class AuthorizerRunner {
  private readonly cache = new Map<string, { result: AuthorizerResult; expires: number }>();
  private loaded: LoadedFunction | undefined;
  private validation: RegExp | undefined;
  /** How many times the function itself ran (cache misses). */
  invocations = 0;

  constructor(
    readonly model: AuthorizerModel,
    private readonly fn: LambdaFunctionModel,
    private readonly options: AuthorizerRunnerOptions,
  ) {
    if (model.type !== 'TOKEN') throw new Error(`authorizer ${model.name}: only TOKEN authorizers are served locally (got ${model.type})`);
  }

  /** Loads the bundle now rather than on the first request. */
  warm(): void {
    this.loaded ??= loadLambdaFunction(this.fn, this.options.environment);
  }

  dispose(): void {
    this.loaded?.dispose();
    this.loaded = undefined;
  }

  clearCache(): void {
    this.cache.clear();
  }

  /** The header the identity source names, e.g. `method.request.header.Authorization`. */
  get identityHeader(): string {
    return this.model.identitySource.replace(/^method\.request\.header\./, '').toLowerCase();
  }

  async authorize(token: string | undefined, methodArn: string): Promise<AuthorizerOutcome> {
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 100) / 100;
    if (token === undefined || token === '') return { kind: 'unauthorized', latencyMs: latency() };
    const expression = this.model.identityValidationExpression;
    if (expression !== undefined && !(this.validation ??= new RegExp(`^(?:${expression})$`)).test(token)) return { kind: 'unauthorized', latencyMs: latency() };

    const now = (this.options.now ?? Date.now)();
    let result: AuthorizerResult | undefined;
    let cached = false;
    const hit = this.model.ttlSeconds > 0 ? this.cache.get(token) : undefined;
    if (hit && hit.expires > now) {
      result = hit.result;
      cached = true;
    } else {
      this.warm();
      this.invocations++;
      try {
        const requestId = randomUUID();
        result = (await this.loaded!.handler({ type: 'TOKEN', authorizationToken: token, methodArn }, lambdaContext(this.fn, requestId, this.options.region))) as AuthorizerResult;
      } catch (err) {
        if (err instanceof Error && err.message === 'Unauthorized') return { kind: 'unauthorized', latencyMs: latency() };
        return { kind: 'failure', message: err instanceof Error ? err.message : String(err), latencyMs: latency() };
      }
      if (!result || typeof result.principalId !== 'string' || !result.policyDocument) {
        return { kind: 'failure', message: 'the authorizer returned no principalId or policyDocument', latencyMs: latency() };
      }
      if (this.model.ttlSeconds > 0) this.cache.set(token, { result, expires: now + this.model.ttlSeconds * 1000 });
    }
    const decision = evaluatePolicy(result, methodArn);
    if (decision.allowed) return { kind: 'allow', result, cached, latencyMs: latency() };
    return { kind: 'deny', result, explicit: decision.explicitDeny, cached, latencyMs: latency() };
  }
}
