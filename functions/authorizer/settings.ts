/**
 * The authorizer's settings: identity providers and the tenant table, generated at synth
 * from the validated gateway config (`gateway-config/tenant-table.ts`) and bundled with the function,
 * so a cold start makes no network call except the JWKS fetch. Plain JSON: type imports only,
 * to keep the bundle small.
 */
import type { ShardedTenantTables } from './sharded-tenant-tables';
import type { PackedTenantTable } from './tenant-table';

export interface AuthorizerSettings {
  /** Environment name, for audit lines. */
  readonly environment: string;
  /** Tokens longer than this many bytes are refused before parsing. */
  readonly maxTokenBytes: number;
  /** Upper bound on one JWKS fetch, in milliseconds. */
  readonly jwksTimeoutMs: number;
  /** Gateway routes under `/model/{modelId}/`, e.g. `converse`, `invoke`. */
  readonly routes: readonly string[];
  readonly identityProviders: readonly IdentityProviderSettings[];
  /**
   * The tenant table, normalized (`./tenant-table.ts`); look tenants up through `TenantTable`. In a
   * sharded environment, where to find it instead: one S3 object per shard (`./sharded-tenant-tables.ts`).
   */
  readonly tenants: PackedTenantTable | ShardedTenantTables;
}

/** Settings that carry the whole tenant table (unsharded environments; tools that explain a decision offline). */
export type EmbeddedAuthorizerSettings = AuthorizerSettings & { readonly tenants: PackedTenantTable };

export interface IdentityProviderSettings {
  readonly id: string;
  /** `cognito`: audience is `client_id` (access tokens) or `aud` (ID tokens), and `token_use` must match. */
  readonly kind: 'cognito' | 'oidc';
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly tokenUse: 'access' | 'id';
  /** Required `typ` header, when set. */
  readonly requiredTyp?: string;
  readonly claims: { readonly tenant: string; readonly role: string; readonly tier?: string };
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds?: number;
}

/** One tenant, as `TenantTable.get` returns it. */
export interface TenantEntry {
  /** The API key value API Gateway counts usage against (`usageIdentifierKey`). */
  readonly apiKey: string;
  readonly tier: string;
  readonly enabled: boolean;
  /** Model ids the tenant may call, sorted. */
  readonly models: readonly string[];
  /** Identity provider ids whose tokens may speak for this tenant. */
  readonly identityProviders: readonly string[];
}
