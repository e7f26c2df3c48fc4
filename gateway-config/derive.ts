/**
 * Facts derived from the validated config that both the Terraform resources and
 * the authorizer's tenant table need, so the two can never disagree.
 */
import { createHash } from 'node:crypto';
import type { Environment, GatewayConfig, Model, Quota, Tenant, Tier } from './schema';

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
  const salt = environment.apiKeySalt ?? environment.name;
  const digest = createHash('sha256').update(`bedrock-ai-gateway\0${salt}\0${environment.name}\0${tenantId}`).digest('base64url');
  return `bag-${digest.slice(0, 40)}`;
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

/**
 * IAM resource ARNs that `bedrock:InvokeModel` needs for one catalogue entry. An inference profile
 * needs its own ARN plus the foundation model's ARN in every region it routes to.
 * `partition` and `accountId` may be Terraform tokens.
 */
export function modelResourceArns(model: Model, region: string, partition: string, accountId: string): string[] {
  if (model.kind === 'foundation-model') return [`arn:${partition}:bedrock:${region}::foundation-model/${model.id}`];
  return [
    `arn:${partition}:bedrock:${region}:${accountId}:inference-profile/${model.id}`,
    ...model.regions.map((r) => `arn:${partition}:bedrock:${r}::foundation-model/${model.foundationModel}`),
  ];
}
