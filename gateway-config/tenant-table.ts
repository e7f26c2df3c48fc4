/** Builds the authorizer's settings (identity providers + tenant table) for one environment. */
import type { AuthorizerSettings, TenantEntry } from '../functions/authorizer/settings';
import { packTenantTable } from '../functions/authorizer/tenant-table';
import { apiKeyScope, apiKeyValue, effectiveModels, GATEWAY_ROUTES } from './derive';
import type { Environment, GatewayConfig } from './schema';

export function buildAuthorizerSettings(config: GatewayConfig, environment: Environment): AuthorizerSettings {
  const tenants = [...config.tenants].sort((a, b) => a.id.localeCompare(b.id));
  return {
    environment: environment.name,
    maxTokenBytes: environment.authorizer.maxTokenBytes,
    jwksTimeoutMs: environment.authorizer.jwksTimeoutMs,
    routes: [...GATEWAY_ROUTES],
    identityProviders: config.identityProviders.map((idp) => ({
      id: idp.id,
      kind: idp.kind,
      issuer: idp.issuer,
      jwksUri: idp.jwksUri,
      audiences: idp.audiences,
      algorithms: idp.algorithms,
      tokenUse: idp.tokenUse,
      ...(idp.requiredTyp !== undefined ? { requiredTyp: idp.requiredTyp } : {}),
      claims: idp.claims,
      clockToleranceSeconds: idp.clockToleranceSeconds,
      ...(idp.maxTokenAgeSeconds !== undefined ? { maxTokenAgeSeconds: idp.maxTokenAgeSeconds } : {}),
    })),
    // Normalized: a tenant on its tier's models refers to the tier's list, and API keys are derived,
    // not listed (see functions/authorizer/tenant-table.ts).
    tenants: packTenantTable(
      tenants.map((tenant): [string, TenantEntry] => [
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
    ),
  };
}
