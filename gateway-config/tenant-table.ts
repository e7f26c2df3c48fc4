/** Builds the authorizer's settings (identity providers + tenant table) for one environment. */
import type { AuthorizerSettings, TenantEntry } from '../functions/authorizer/settings';
import { packTenantTable } from '../functions/authorizer/tenant-table';
import type { ForwarderSettings } from '../functions/forwarder/settings';
import { apiKeyScope, apiKeyValue, effectiveModels, GATEWAY_ROUTES } from './derive';
import type { Environment, GatewayConfig, IdentityProvider } from './schema';

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
      ...trustedEndpoints(environment, idp),
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
