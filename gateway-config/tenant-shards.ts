/**
 * Tenant shards: with `tenantShards: N` an environment's API keys, usage plan links and per-tenant
 * usage plans live in N stacks of their own, next to the core stack (API, authorizer, tier plans).
 *
 * A tenant's shard depends on its id and N only (jump consistent hash of SHA-256(id)), so adding or
 * removing a tenant never moves another, and every synth assigns the same shards. Raising N from
 * N to N+1 moves only the tenants the new shard takes (about 1/(N+1) of them), never between old
 * shards: see docs/scaling.md for the resharding procedure.
 */
import { createHash } from 'node:crypto';
import type { Environment, GatewayConfig, Tenant } from './schema';

/** Upper bound on `tenantShards`: each shard is a stack with its own state and plan. */
export const MAX_TENANT_SHARDS = 64;

const MASK_64 = (1n << 64n) - 1n;
const JUMP_MULTIPLIER = 2862933555777941757n;

/**
 * Jump consistent hash (Lamping and Veach, 2014, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm"): bucket in [0, buckets) for a 64-bit key; growing `buckets` by one moves a key only
 * into the new bucket, with probability 1/(buckets).
 */
export function jumpConsistentHash(key: bigint, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) throw new Error(`jumpConsistentHash: buckets must be a positive integer, got ${buckets}`);
  let k = key & MASK_64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MULTIPLIER + 1n) & MASK_64;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The shard (0-based) of a tenant id among `shards`. */
export function tenantShard(tenantId: string, shards: number): number {
  const digest = createHash('sha256').update(tenantId).digest();
  return jumpConsistentHash(digest.readBigUInt64BE(0), shards);
}

/** Shard count of an environment: 0 when it is not sharded (tenants live in the core stack). */
export function shardCount(environment: Pick<Environment, 'tenantShards'>): number {
  return environment.tenantShards ?? 0;
}

/** The tenants of each shard, in config order: index = shard (none when the environment is not sharded). */
export function tenantsByShard(config: GatewayConfig, environment: Environment): Tenant[][] {
  const shards: Tenant[][] = Array.from({ length: shardCount(environment) }, () => []);
  if (shards.length === 0) return shards;
  for (const tenant of config.tenants) shards[tenantShard(tenant.id, shards.length)].push(tenant);
  return shards;
}

/** Name of a shard, as in stack ids, state keys and reports: `tenants-3`. */
export function shardName(shard: number): string {
  return `tenants-${shard}`;
}
