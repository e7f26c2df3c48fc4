/**
 * The tenant table of a sharded environment (`tenantShards`): not in the bundle but in S3, one
 * object per shard (`tenant-tables/tenants-<i>.json`, the normalized format of `./tenant-table.ts`
 * for that shard's tenants), published by the shard's own stack. So a tenant change plans its shard
 * stack only: the core stack, with this function, is untouched.
 *
 * A tenant claim is hashed to its shard with the function synth uses (`../shared/tenant-shard.ts`);
 * the shard's object is fetched the first time a tenant of that shard is looked up (never at cold
 * start, which stays independent of tenants), kept for the container's life, and checked again
 * with a conditional GET (ETag) once it is older than `maxAgeSeconds`. Fail closed: a table that
 * cannot be read or is not a tenant table of this environment answers nothing (the handler refuses
 * the token, reason `TENANT_TABLE_UNAVAILABLE`); a failed check is not served from the old copy.
 */
import { shardName, tenantShard, tenantTableKey } from '../shared/tenant-shard';
import { UnauthorizedReason, TokenRejectedError } from './errors';
import type { S3GetResult } from './s3-object';
import type { TenantEntry } from './settings';
import { TenantTable, type PackedTenantTable } from './tenant-table';

export const SHARDED_TENANT_TABLES_FORMAT = 'tenant-table-shards/1';
/** How long a shard's table is used before it is checked again (a changed tenant takes effect within this, plus the API Gateway authorizer cache TTL). */
export const TENANT_TABLE_MAX_AGE_SECONDS = 60;

/** Bundled in place of the table when the environment is sharded. */
export interface ShardedTenantTables {
  readonly format: typeof SHARDED_TENANT_TABLES_FORMAT;
  readonly shards: number;
  readonly maxAgeSeconds: number;
}

/** Reads one object by key, optionally conditional on its ETag (`./s3-object.ts` `getS3Object`, bound to the bucket). */
export type TenantTableFetch = (key: string, ifNoneMatch: string | undefined) => Promise<S3GetResult>;

/** The table of a shard could not be used: the token is refused (401), as when a JWKS is unavailable. */
export class TenantTableUnavailableError extends TokenRejectedError {
  constructor(
    readonly tenantId: string,
    detail: string,
  ) {
    super(UnauthorizedReason.TENANT_TABLE_UNAVAILABLE, detail);
  }
}

interface CachedShard {
  table?: TenantTable;
  etag?: string;
  /** When the table was last fetched or confirmed unchanged (ms). */
  checkedAt: number;
  /** The fetch in flight, shared by concurrent lookups. */
  pending?: Promise<TenantTable>;
}

export function isShardedTenantTables(value: unknown): value is ShardedTenantTables {
  return (value as ShardedTenantTables | undefined)?.format === SHARDED_TENANT_TABLES_FORMAT;
}

export class ShardedTenantTableStore {
  private readonly shards = new Map<number, CachedShard>();
  private readonly maxAgeMs: number;

  constructor(
    private readonly spec: ShardedTenantTables,
    private readonly environment: string,
    private readonly fetch: TenantTableFetch,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(spec.shards) || spec.shards < 1) throw new Error(`sharded tenant tables: shards must be a positive integer, got ${spec.shards}`);
    this.maxAgeMs = spec.maxAgeSeconds * 1000;
  }

  /** The tenant's entry, from its shard's table (fetched or checked when needed); throws `TenantTableUnavailableError`. */
  async get(tenantId: string): Promise<TenantEntry | undefined> {
    const table = await this.table(tenantShard(tenantId, this.spec.shards), tenantId);
    return table.get(tenantId);
  }

  private table(shard: number, tenantId: string): Promise<TenantTable> | TenantTable {
    let cached = this.shards.get(shard);
    if (cached === undefined) {
      cached = { checkedAt: 0 };
      this.shards.set(shard, cached);
    }
    if (cached.table !== undefined && this.now() - cached.checkedAt < this.maxAgeMs) return cached.table;
    const entry = cached;
    entry.pending ??= this.load(shard, entry).finally(() => (entry.pending = undefined));
    return entry.pending.catch((err: unknown) => {
      throw new TenantTableUnavailableError(tenantId, `${shardName(shard)}: ${err instanceof Error ? err.message : 'unreadable'}`);
    });
  }

  private async load(shard: number, entry: CachedShard): Promise<TenantTable> {
    // A failed check leaves no table to serve: fail closed until a fetch succeeds.
    const previous = entry.table;
    entry.table = undefined;
    let result: S3GetResult;
    try {
      result = await this.fetch(tenantTableKey(shard), previous !== undefined ? entry.etag : undefined);
    } catch (err) {
      // Our own messages and network error codes: never a credential or a token.
      throw new Error(err instanceof Error ? err.message : 'network-error');
    }
    if (result.status === 304 && previous !== undefined) {
      entry.table = previous;
    } else if (result.status === 200 && 'body' in result) {
      entry.table = this.parse(result.body);
      entry.etag = result.etag;
    } else {
      throw new Error(`HTTP ${result.status}${'code' in result && result.code ? ` ${result.code}` : ''}`);
    }
    entry.checkedAt = this.now();
    return entry.table;
  }

  /** Parses and checks a published table: the normalized format, of this environment. */
  private parse(body: string): TenantTable {
    let packed: PackedTenantTable;
    try {
      packed = JSON.parse(body) as PackedTenantTable;
    } catch {
      throw new Error('not JSON');
    }
    const columns = [packed?.models, packed?.modelLists, packed?.idpLists, packed?.tiers, packed?.tierModelList, packed?.tier, packed?.modelList, packed?.idpList, packed?.disabled];
    if (packed?.format !== 'tenant-table/1' || typeof packed.rows !== 'object' || packed.rows === null || typeof packed.apiKeys !== 'object' || packed.apiKeys === null || !columns.every(Array.isArray)) {
      throw new Error('not a tenant table');
    }
    if (packed.keyScope !== undefined && packed.keyScope.environment !== this.environment) throw new Error(`the table of environment ${JSON.stringify(String(packed.keyScope.environment)).slice(0, 66)}`);
    return new TenantTable(packed);
  }
}

/** The lookup a sharded environment's handler uses (`createHandler(settings, { tenants })`). */
export function shardedTenantLookup(settings: { readonly environment: string; readonly tenants: unknown }, fetch: TenantTableFetch): ShardedTenantTableStore {
  if (!isShardedTenantTables(settings.tenants)) throw new Error('sharded tenant tables: the settings carry the table itself (build the handler without a lookup)');
  return new ShardedTenantTableStore(settings.tenants, settings.environment, fetch);
}
