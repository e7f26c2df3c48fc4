/**
 * Facts derived from the validated config that both the Terraform resources and
 * the authorizer's tenant table need, so the two can never disagree.
 */
import { deriveApiKeyValue, type ApiKeyScope } from '../functions/shared/api-key';
import { FORWARDER_DEFAULTS, type Environment, type GatewayConfig, type Model, type Quota, type Tenant, type Tier } from './schema';

/** The routes the gateway exposes, mirroring bedrock-runtime's REST paths. */
export const GATEWAY_ROUTES = ['converse', 'invoke'] as const;
export type GatewayRoute = (typeof GATEWAY_ROUTES)[number];

export interface EffectiveLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly quota: Quota;
}

/** True when a tenant's overrides change its throttle or quota, so it needs a usage plan of its own. */
export function tenantNeedsOwnPlan(tenant: Tenant): boolean {
  const o = tenant.overrides;
  return o !== undefined && (o.rateLimit !== undefined || o.burstLimit !== undefined || o.quota !== undefined);
}

export function tierOf(config: GatewayConfig, tenant: Tenant): Tier {
  const tier = config.tiers.find((t) => t.name === tenant.tier);
  if (!tier) throw new Error(`tenant ${tenant.id}: tier ${tenant.tier} is not defined (config was not validated)`);
  return tier;
}

export function effectiveLimits(config: GatewayConfig, tenant: Tenant): EffectiveLimits {
  const tier = tierOf(config, tenant);
  return {
    rateLimit: tenant.overrides?.rateLimit ?? tier.rateLimit,
    burstLimit: tenant.overrides?.burstLimit ?? tier.burstLimit,
    quota: tenant.overrides?.quota ?? tier.quota,
  };
}

/**
 * Models a tenant may call: `overrides.models` replaces the tier's list, `overrides.addModels`
 * adds to it (or to the replacement). Sorted for stable output.
 */
export function effectiveModels(config: GatewayConfig, tenant: Tenant): string[] {
  const base = tenant.overrides?.models ?? tierOf(config, tenant).models;
  return [...new Set([...base, ...(tenant.overrides?.addModels ?? [])])].sort();
}

/**
 * The tenant's API key value. With `apiKeySource = AUTHORIZER` clients never send it: it only
 * tells API Gateway which usage plan to count against, so it is an identifier, not a secret.
 * Derived (not random) so the same config synthesizes the same Terraform.
 */
export function apiKeyValue(environment: Environment, tenantId: string): string {
  return deriveApiKeyValue(apiKeyScope(environment), tenantId);
}

/** What derives an environment's API key values (the authorizer carries it instead of the values). */
export function apiKeyScope(environment: Pick<Environment, 'name' | 'apiKeySalt'>): ApiKeyScope {
  return { salt: environment.apiKeySalt ?? environment.name, environment: environment.name };
}

/** Prefix of the gateway's resource names (plans, keys, roles, function) in one environment. */
export function resourceNamePrefix(environment: Pick<Environment, 'name'>): string {
  return `bedrock-gw-${environment.name}`;
}

/** Name of the gateway's REST API in one environment. */
export function restApiName(environment: Pick<Environment, 'name'>): string {
  return `bedrock-ai-gateway-${environment.name}`;
}

export function stageNameOf(environment: Environment): string {
  return environment.stageName ?? environment.name;
}

/** Prefix of Bedrock's global cross-region inference profiles (`global.anthropic...`). */
export const GLOBAL_PROFILE_PREFIX = 'global.';

/** True for a global cross-region inference profile: it may route to any commercial region. */
export function isGlobalProfile(model: Model): boolean {
  return model.kind === 'inference-profile' && model.id.startsWith(GLOBAL_PROFILE_PREFIX);
}

/**
 * IAM resource ARNs that `bedrock:InvokeModel` needs for one catalogue entry.
 * - A foundation model: its ARN in the stack's region.
 * - A geographic inference profile (us., eu., apac., ...): the profile's ARN plus the foundation
 *   model's ARN in every region it routes to
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html).
 * - A global inference profile: the profile's ARN, the foundation model's ARN in the source
 *   region, and the region-less foundation model ARN `arn:aws:bedrock:::foundation-model/<id>`
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html). The
 *   region field is empty, not `*`: no wildcard is needed, so the rule pack needs no exception.
 * `partition` and `accountId` may be Terraform tokens.
 */
export function modelResourceArns(model: Model, region: string, partition: string, accountId: string): string[] {
  if (model.kind === 'foundation-model') return [`arn:${partition}:bedrock:${region}::foundation-model/${model.id}`];
  const profile = `arn:${partition}:bedrock:${region}:${accountId}:inference-profile/${model.id}`;
  if (isGlobalProfile(model)) {
    return [profile, `arn:${partition}:bedrock:${region}::foundation-model/${model.foundationModel}`, `arn:${partition}:bedrock:::foundation-model/${model.foundationModel}`];
  }
  return [profile, ...(model.regions ?? []).map((r) => `arn:${partition}:bedrock:${r}::foundation-model/${model.foundationModel}`)];
}

/** Every IAM resource ARN the gateway's model path may invoke: the whole catalogue, deduplicated, in catalogue order. */
export function catalogueResourceArns(models: readonly Model[], region: string, partition: string, accountId: string): string[] {
  return [...new Set(models.flatMap((m) => modelResourceArns(m, region, partition, accountId)))];
}

/** The forwarder function's settings with defaults applied (the config was validated). */
export interface ResolvedForwarder {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  readonly architecture: 'arm64' | 'x86_64';
}

export function resolvedForwarder(environment: Environment): ResolvedForwarder {
  const f = environment.forwarder ?? {};
  return {
    memoryMb: f.memoryMb ?? FORWARDER_DEFAULTS.memoryMb,
    // The longest the integration lets it run: API Gateway gives up then anyway.
    timeoutSeconds: f.timeoutSeconds ?? Math.floor(environment.integrationTimeoutMs / 1000),
    ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}),
    architecture: f.architecture ?? FORWARDER_DEFAULTS.architecture,
  };
}
