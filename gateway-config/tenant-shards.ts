/**
 * Tenant shards: with `tenantShards: N` an environment's API keys, usage plan links and per-tenant
 * usage plans live in N stacks of their own, next to the core stack (API, authorizer, tier plans).
 *
 * A tenant's shard depends on its id and N only (jump consistent hash of SHA-256(id)), so adding or
 * removing a tenant never moves another, and every synth assigns the same shards. Raising N from
 * N to N+1 moves only the tenants the new shard takes (about 1/(N+1) of them), never between old
 * shards: see docs/scaling.md for the resharding procedure.
 */
import type { Environment, GatewayConfig, Tenant } from './schema';
import { tenantShard } from '../functions/shared/tenant-shard';

// One definition, shared with the authorizer (which reads the shard's tenant table from S3).
export { jumpConsistentHash, shardName, tenantShard, tenantTableKey } from '../functions/shared/tenant-shard';

/** Upper bound on `tenantShards`: each shard is a stack with its own state and plan. */
export const MAX_TENANT_SHARDS = 64;

/** Shard count of an environment: 0 when it is not sharded (tenants live in the core stack). */
export function shardCount(environment: Pick<Environment, 'tenantShards'>): number {
  return environment.tenantShards ?? 0;
}

/**
 * Whether the environment's authorizer reads its tenant table from S3, one object per shard
 * published by the shard stacks (`stacks/constructs/tenant-table-bucket.ts`), instead of carrying
 * the table in its bundle: exactly when tenants live in shard stacks, so that a tenant change never
 * touches the core stack (with `tenantShards: 1` too: its one shard stack holds every tenant).
 */
export function publishesTenantTables(environment: Pick<Environment, 'tenantShards'>): boolean {
  return shardCount(environment) > 0;
}

/** The tenants of each shard, in config order: index = shard (none when the environment is not sharded). */
export function tenantsByShard(config: GatewayConfig, environment: Environment): Tenant[][] {
  const shards: Tenant[][] = Array.from({ length: shardCount(environment) }, () => []);
  if (shards.length === 0) return shards;
  for (const tenant of config.tenants) shards[tenantShard(tenant.id, shards.length)].push(tenant);
  return shards;
}
