/** Builds the authorizer's settings (identity providers + tenant table) for one environment. */
import type { AuthorizerSettings, EmbeddedAuthorizerSettings, TenantEntry } from '../functions/authorizer/settings';
import { packTenantTable, type PackedTenantTable } from '../functions/authorizer/tenant-table';
import { SHARDED_TENANT_TABLES_FORMAT, TENANT_TABLE_MAX_AGE_SECONDS } from '../functions/authorizer/sharded-tenant-tables';
import type { ForwarderSettings } from '../functions/forwarder/settings';
import { apiKeyScope, apiKeyValue, effectiveModels, GATEWAY_ROUTES } from './derive';
import type { Environment, GatewayConfig, IdentityProvider, Tenant } from './schema';
import { publishesTenantTables, shardCount, tenantsByShard } from './tenant-shards';

/** Path of a development IdP issuer under its base URL: `<url>/idp/<id>`. */
export function developmentIssuer(baseUrl: string, idpId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/idp/${idpId}`;
}

/**
 * The issuer and JWKS the authorizer trusts for one provider: the provider's own, or on an
 * emulator environment with a development IdP, the loopback stand-in for it (plain http is
 * allowed there only: the schema accepts https issuers everywhere else).
 */
export function trustedEndpoints(environment: Environment, idp: IdentityProvider): { issuer: string; jwksUri: string } {
  const dev = environment.emulator?.developmentIdp;
  if (dev === undefined) return { issuer: idp.issuer, jwksUri: idp.jwksUri };
  const issuer = developmentIssuer(dev.url, idp.id);
  return { issuer, jwksUri: `${issuer}/jwks.json` };
}

export interface AuthorizerSettingsOptions {
  /**
   * Carry the whole tenant table even when the environment is sharded (whose deployed function
   * reads it from S3): for tools that decide offline (`npm run explain-token`, benchmarks). @default false
   */
  readonly embedTenants?: boolean;
}

export function buildAuthorizerSettings(config: GatewayConfig, environment: Environment, options: { readonly embedTenants: true }): EmbeddedAuthorizerSettings;
export function buildAuthorizerSettings(config: GatewayConfig, environment: Environment, options?: AuthorizerSettingsOptions): AuthorizerSettings;
export function buildAuthorizerSettings(config: GatewayConfig, environment: Environment, options: AuthorizerSettingsOptions = {}): AuthorizerSettings {
  return {
    environment: environment.name,
    maxTokenBytes: environment.authorizer.maxTokenBytes,
    jwksTimeoutMs: environment.authorizer.jwksTimeoutMs,
    routes: [...GATEWAY_ROUTES],
    identityProviders: config.identityProviders.map((idp) => ({
      id: idp.id,
      kind: idp.kind,
      ...trustedEndpoints(environment, idp),
      audiences: idp.audiences,
      algorithms: idp.algorithms,
      tokenUse: idp.tokenUse,
      ...(idp.requiredTyp !== undefined ? { requiredTyp: idp.requiredTyp } : {}),
      claims: idp.claims,
      clockToleranceSeconds: idp.clockToleranceSeconds,
      ...(idp.maxTokenAgeSeconds !== undefined ? { maxTokenAgeSeconds: idp.maxTokenAgeSeconds } : {}),
    })),
    // Sharded: the table is published per shard to S3 by the shard stacks (`buildShardTenantTable`),
    // so the core's bundle, and with it the core stack, does not change when a tenant does.
    tenants: publishesTenantTables(environment) && !options.embedTenants
      ? { format: SHARDED_TENANT_TABLES_FORMAT, shards: shardCount(environment), maxAgeSeconds: TENANT_TABLE_MAX_AGE_SECONDS }
      : packTenants(config, environment, config.tenants),
  };
}

/**
 * The tenant table of one shard, as its shard stack publishes it to S3 (`tenant-tables/tenants-<i>.json`):
 * the same normalized format as the bundled table, for that shard's tenants only, so a tenant's
 * entry (and every decision) is the same as the whole table would give.
 */
export function buildShardTenantTable(config: GatewayConfig, environment: Environment, shard: number): PackedTenantTable {
  const tenants = tenantsByShard(config, environment)[shard];
  if (tenants === undefined) throw new Error(`environment ${environment.name} has no tenant shard ${shard} (tenantShards: ${environment.tenantShards ?? 'unset'})`);
  return packTenants(config, environment, tenants);
}

/**
 * Normalized: a tenant on its tier's models refers to the tier's list, and API keys are derived,
 * not listed (see functions/authorizer/tenant-table.ts). Every tier's list is kept, whichever
 * tenants are given.
 */
function packTenants(config: GatewayConfig, environment: Environment, tenants: readonly Tenant[]): PackedTenantTable {
  const sorted = [...tenants].sort((a, b) => a.id.localeCompare(b.id));
  return packTenantTable(
    sorted.map((tenant): [string, TenantEntry] => [
      tenant.id,
      {
        apiKey: apiKeyValue(environment, tenant.id),
        tier: tenant.tier,
        enabled: tenant.enabled,
        models: effectiveModels(config, tenant),
        identityProviders: [...tenant.identityProviders],
      },
    ]),
    { tierModels: Object.fromEntries(config.tiers.map((tier) => [tier.name, tier.models])), keyScope: apiKeyScope(environment) },
  );
}

/** Builds the forwarder's settings (region, routes, each tenant's model allowlist) for one environment. */
export function buildForwarderSettings(config: GatewayConfig, environment: Environment): ForwarderSettings {
  const tenants = [...config.tenants].sort((a, b) => a.id.localeCompare(b.id));
  return {
    environment: environment.name,
    region: environment.region,
    routes: [...GATEWAY_ROUTES],
    tenants: Object.fromEntries(tenants.map((tenant) => [tenant.id, { enabled: tenant.enabled, models: effectiveModels(config, tenant) }])),
  };
}
