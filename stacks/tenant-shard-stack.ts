/**
 * One tenant shard of an environment (`tenantShards`): the API keys, usage plan links and own
 * usage plans of the tenants that hash to it, in a stack and state of their own, so a change to
 * one tenant plans one shard and refreshes only that shard's resources. It links to the core
 * stack's REST API, stage and tier plans through the core's outputs, read from its state
 * (`terraform_remote_state`): apply the core stack first.
 *
 * The shard also publishes its slice of the authorizer's tenant table, one S3 object in the bucket
 * the core owns, which the authorizer reads: so a tenant change leaves the core stack untouched.
 */
import { Aspects, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Construct } from 'constructs';
import { resourceNamePrefix } from '../gateway-config/derive';
import type { Environment, GatewayConfig, Tenant } from '../gateway-config/schema';
import { buildShardTenantTable } from '../gateway-config/tenant-table';
import { shardName, tenantTableKey } from '../gateway-config/tenant-shards';
import { ignoreEmulatorDrift } from './constructs/emulator-drift';
import { configureBackend, configureProvider, coreRemoteState } from './constructs/provider-and-backend';
import { TenantPlans } from './constructs/tenant-plans';
import { TENANT_TABLE_BUCKET_OUTPUT, TIER_PLAN_IDS_OUTPUT } from './gateway-stack';
import { GatewayPolicyAspect } from './policy/pack';

export interface TenantShardStackProps {
  readonly config: GatewayConfig;
  readonly environment: Environment;
  /** 0-based. */
  readonly shard: number;
  /** The tenants of this shard (`tenantsByShard`). */
  readonly tenants: readonly Tenant[];
}

/** Stack id of a shard: `gateway-<environment>-tenants-<shard>`. */
export function shardStackId(environment: Pick<Environment, 'name'>, shard: number): string {
  return `gateway-${environment.name}-${shardName(shard)}`;
}

export class TenantShardStack extends TerraformStack {
  readonly plans: TenantPlans;
  /** This shard's tenant table, as the authorizer reads it. */
  readonly tenantTable: S3Object;
  readonly policy: GatewayPolicyAspect;

  constructor(scope: Construct, id: string, { config, environment, shard, tenants }: TenantShardStackProps) {
    super(scope, id);
    configureProvider(this, environment);
    configureBackend(this, environment, shardName(shard));
    if (environment.emulator) ignoreEmulatorDrift(this);
    this.policy = new GatewayPolicyAspect({ settings: environment.policy, suppressions: environment.policy.suppressions });
    Aspects.of(this).add(this.policy);

    const core = coreRemoteState(this, environment);
    const tierPlanIds = Object.fromEntries(config.tiers.map((tier) => [tier.name, Fn.lookup(core.get(TIER_PLAN_IDS_OUTPUT), tier.name) as string]));
    this.plans = new TenantPlans(this, 'plans', {
      config,
      environment,
      namePrefix: resourceNamePrefix(environment),
      restApiId: core.getString('rest_api_id'),
      stageName: core.getString('stage_name'),
      tenants,
      tierPlanIds,
    });
    this.tenantTable = new S3Object(this, 'tenant-table', {
      bucket: core.getString(TENANT_TABLE_BUCKET_OUTPUT),
      key: tenantTableKey(shard),
      content: terraformLiteral(JSON.stringify(buildShardTenantTable(config, environment, shard))),
      contentType: 'application/json',
    });
    new TerraformOutput(this, 'tenant_api_key_ids', {
      description: `API key ID per tenant of shard ${shard} (IDs only; the key values are identifiers the authorizer supplies)`,
      value: Object.fromEntries([...this.plans.apiKeys].map(([tenant, key]) => [tenant, key.id])),
    });
  }
}

/** A string Terraform takes literally: its template sequences `${` and `%{` escaped (`$${`, `%%{`). */
function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
