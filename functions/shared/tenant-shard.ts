/**
 * The one definition of a tenant's shard, shared by synth (`gateway-config/tenant-shards.ts`: which
 * shard stack holds a tenant's keys and which S3 object its table row is published in) and the
 * authorizer (which object to read for a tenant claim). Both must agree bit for bit, so there is
 * exactly one implementation.
 *
 * A tenant's shard depends on its id and the shard count only (jump consistent hash of the first 8
 * bytes of SHA-256(id)), so adding or removing a tenant never moves another, and every synth
 * assigns the same shards. Raising N to N+1 moves only the tenants the new shard takes (about
 * 1/(N+1) of them), never between old shards: see docs/scaling.md for the resharding procedure.
 */
import { createHash } from 'node:crypto';

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

/** Name of a shard, as in stack ids, state keys, reports and S3 keys: `tenants-3`. */
export function shardName(shard: number): string {
  return `tenants-${shard}`;
}

/** Prefix of the S3 keys of the published tenant tables (the authorizer may read under it, nothing else). */
export const TENANT_TABLE_KEY_PREFIX = 'tenant-tables/';

/** S3 key of a shard's tenant table: `tenant-tables/tenants-3.json`. */
export function tenantTableKey(shard: number): string {
  return `${TENANT_TABLE_KEY_PREFIX}${shardName(shard)}.json`;
}
