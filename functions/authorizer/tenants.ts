/**
 * Verified claims -> tenant. The token only names the tenant; tier, quota key and models come
 * from the bundled tenant table, so a token cannot raise its own tier or widen its models.
 */
import type { JWTPayload } from 'jose';
import { DenyReason, type DenyReasonCode } from './errors';
import type { AuthorizerSettings, IdentityProviderSettings, TenantEntry } from './settings';
import { TenantTable } from './tenant-table';

/** Tenant id -> entry: the bundled table (`TenantTable`), or a sharded environment's tables in S3 (`ShardedTenantTableStore`). */
export interface TenantLookup {
  get(tenantId: string): TenantEntry | undefined | Promise<TenantEntry | undefined>;
}

export type TenantResolution =
  | {
      readonly ok: true;
      readonly tenantId: string;
      readonly tenant: TenantEntry;
      readonly role: string;
      /** The tier the token asserted when it differs from the configured one (logged, never used). */
      readonly claimedTier?: string;
    }
  | { readonly ok: false; readonly reason: DenyReasonCode; readonly tenantId: string | null; readonly role: string };

const MAX_CLAIM_LOG_LENGTH = 64;

/**
 * Tenant claims -> tenants, through the bundled table (own-property lookups: a plain-object lookup
 * would find `constructor` or `__proto__` on the prototype for a tenant claim of that name), or in
 * a sharded environment through the claim's shard table, read from S3 (the `lookup` that
 * `./sharded-index.ts` gives: the S3 code stays out of unsharded bundles).
 */
export class TenantDirectory {
  private readonly tenants: TenantLookup;

  constructor(settings: AuthorizerSettings, lookup?: TenantLookup) {
    if (lookup !== undefined) this.tenants = lookup;
    else if (settings.tenants.format === 'tenant-table-shards/1') throw new Error('sharded tenant tables: the handler needs a lookup that reads them (sharded-index.ts)');
    else this.tenants = new TenantTable(settings.tenants);
  }

  /** Throws `TenantTableUnavailableError` when a sharded table cannot be read (fail closed). */
  async resolve(idp: IdentityProviderSettings, payload: JWTPayload): Promise<TenantResolution> {
    const role = roleOf(ownClaim(payload, idp.claims.role));
    const claimed = ownClaim(payload, idp.claims.tenant);
    if (typeof claimed !== 'string' || claimed.length === 0) return { ok: false, reason: DenyReason.TENANT_CLAIM_MISSING, tenantId: null, role };
    const tenant = await this.tenants.get(claimed);
    if (tenant === undefined) return { ok: false, reason: DenyReason.TENANT_UNKNOWN, tenantId: claimed, role };
    if (!tenant.identityProviders.includes(idp.id)) return { ok: false, reason: DenyReason.IDP_NOT_ALLOWED_FOR_TENANT, tenantId: claimed, role };
    if (!tenant.enabled) return { ok: false, reason: DenyReason.TENANT_DISABLED, tenantId: claimed, role };
    const claimedTier = idp.claims.tier === undefined ? undefined : ownClaim(payload, idp.claims.tier);
    if (claimedTier !== undefined && claimedTier !== tenant.tier) {
      const shown = typeof claimedTier === 'string' ? claimedTier : JSON.stringify(claimedTier);
      return { ok: true, tenantId: claimed, tenant, role, claimedTier: shown.slice(0, MAX_CLAIM_LOG_LENGTH) };
    }
    return { ok: true, tenantId: claimed, tenant, role };
  }
}

/** Claim names are literal keys (`custom:tenant_id`, `extn.tenant`), never paths; own properties only. */
function ownClaim(payload: JWTPayload, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

/** A role claim may be a string or an array (`cognito:groups`, `roles`, `groups`); the context needs one string. */
function roleOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').join(',');
  return '';
}
