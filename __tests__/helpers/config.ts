/** Config fixtures: the shipped example, loaded and validated as main.ts does, plus deep-copy helpers. */
import * as path from 'node:path';
import { loadConfig } from '../../gateway-config/load';
import { validateConfig } from '../../gateway-config/validate';
import type { GatewayConfig, GatewayConfigInput } from '../../gateway-config/schema';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const EXAMPLE_CONFIG_DIR = path.join(REPO_ROOT, 'config');

/** The example config with defaults applied. */
export function exampleConfig(): GatewayConfig {
  return loadConfig(EXAMPLE_CONFIG_DIR).config;
}

/** The example config as written (before defaults), deep-copied so tests can break it. */
export function exampleInput(): GatewayConfigInput {
  const sections = ['environments', 'identity-providers', 'models', 'tiers', 'tenants'];
  const [environments, identityProviders, models, tiers, tenants] = sections.map(
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (s) => structuredClone(require(path.join(EXAMPLE_CONFIG_DIR, s)).default),
  );
  return { environments, identityProviders, models, tiers, tenants };
}

/** The example config with `edit` applied to its input, validated (defaults applied) as main.ts would. */
export function exampleConfigWith(edit: (input: GatewayConfigInput) => void): GatewayConfig {
  const input = exampleInput();
  edit(input);
  return validateConfig(input);
}

/**
 * The findings the example config accepts (its first environment's policy suppressions), for
 * tests that write an environment of their own and must synthesize like the example does.
 */
export function exampleSuppressions() {
  return exampleConfig().environments[0].policy.suppressions;
}
