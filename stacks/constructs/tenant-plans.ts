/**
 * Quotas: one usage plan per tier, one more per tenant whose overrides change its limits,
 * and one API key per tenant in the plan that governs it. Key values are derived
 * identifiers (see `apiKeyValue`); the authorizer hands them to API Gateway.
 */
import { Construct } from 'constructs';
import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { ApiGatewayUsagePlan } from '@cdktf/provider-aws/lib/api-gateway-usage-plan';
import { ApiGatewayUsagePlanKey } from '@cdktf/provider-aws/lib/api-gateway-usage-plan-key';
import { apiKeyValue, effectiveLimits, tenantNeedsOwnPlan, type EffectiveLimits } from '../../gateway-config/derive';
import type { Environment, GatewayConfig, Tenant } from '../../gateway-config/schema';

export interface TenantPlansProps {
  readonly config: GatewayConfig;
  readonly environment: Environment;
  readonly namePrefix: string;
  readonly restApiId: string;
  readonly stageName: string;
  /**
   * Keys are disabled and re-enabled at run time (token budgets): Terraform ignores their
   * `enabled`, so an apply never re-enables a spent tenant. @default false
   */
  readonly keyEnabledAtRuntime?: boolean;
  /** The tenants to give keys (and own plans): a tenant shard's. @default every tenant of the config */
  readonly tenants?: readonly Tenant[];
  /**
   * Tier name -> usage plan id of tier plans made elsewhere (a shard links its keys to the core
   * stack's tier plans); when set, this construct makes no tier plans. @default tier plans made here
   */
  readonly tierPlanIds?: Readonly<Record<string, string>>;
}

export class TenantPlans extends Construct {
  /** Tier name -> plan (none when `tierPlanIds` is given). */
  readonly tierPlans = new Map<string, ApiGatewayUsagePlan>();
  /** Tenant id -> its own plan, for tenants with limit overrides. */
  readonly tenantPlans = new Map<string, ApiGatewayUsagePlan>();
  /** Tenant id -> API key. */
  readonly apiKeys = new Map<string, ApiGatewayApiKey>();

  constructor(scope: Construct, id: string, private readonly props: TenantPlansProps) {
    super(scope, id);
    const { config, environment, namePrefix } = props;
    if (props.tierPlanIds === undefined) {
      for (const tier of config.tiers) {
        this.tierPlans.set(tier.name, this.plan(`tier-${tier.name}`, `${namePrefix}-tier-${tier.name}`, `Tier ${tier.name}${tier.description ? `: ${tier.description}` : ''}`, tier));
      }
    }
    const tierPlanId = (tier: string): string => props.tierPlanIds?.[tier] ?? this.tierPlans.get(tier)!.id;
    for (const tenant of props.tenants ?? config.tenants) {
      let planId: string;
      if (tenantNeedsOwnPlan(tenant)) {
        const plan = this.plan(`tenant-${tenant.id}`, `${namePrefix}-tenant-${tenant.id}`, `Tenant ${tenant.id}: ${tenant.tier} with overrides`, effectiveLimits(config, tenant));
        this.tenantPlans.set(tenant.id, plan);
        planId = plan.id;
      } else {
        planId = tierPlanId(tenant.tier);
      }
      const key = new ApiGatewayApiKey(this, `key-${tenant.id}`, {
        name: `${namePrefix}-${tenant.id}`,
        description: `Usage identifier of tenant ${tenant.id} (${tenant.tier}); supplied by the authorizer, never by clients`,
        value: apiKeyValue(environment, tenant.id),
        enabled: tenant.enabled,
        tags: { tenant: tenant.id, tier: tenant.tier },
        ...(props.keyEnabledAtRuntime ? { lifecycle: { ignoreChanges: ['enabled'] } } : {}),
      });
      new ApiGatewayUsagePlanKey(this, `plan-key-${tenant.id}`, { keyId: key.id, keyType: 'API_KEY', usagePlanId: planId });
      this.apiKeys.set(tenant.id, key);
    }
  }

  private plan(id: string, name: string, description: string, limits: EffectiveLimits): ApiGatewayUsagePlan {
    return new ApiGatewayUsagePlan(this, id, {
      name,
      description,
      apiStages: [{ apiId: this.props.restApiId, stage: this.props.stageName }],
      throttleSettings: { rateLimit: limits.rateLimit, burstLimit: limits.burstLimit },
      quotaSettings: { limit: limits.quota.limit, period: limits.quota.period },
    });
  }
}
