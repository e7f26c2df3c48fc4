/**
 * The gateway config's code: schema (types + runtime checks), validation, loading and
 * derivation. The files users edit live in `config/` and import their types from here:
 * `import type { TenantInput } from '../gateway-config';`.
 */
export type {
  EnvironmentInput,
  GatewayConfigInput,
  IdentityProviderInput,
  ModelInput,
  PolicySuppressionInput,
  TenantInput,
  TierInput,
  Environment,
  GatewayConfig,
  IdentityProvider,
  Model,
  Tenant,
  Tier,
} from './schema';
export { loadConfig, DEFAULT_CONFIG_DIR } from './load';
export { ConfigError } from './validate';
