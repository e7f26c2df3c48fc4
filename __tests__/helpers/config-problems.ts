/** The formatted problems `validateConfig` reports for a broken copy of the example config. */
import type { GatewayConfigInput } from '../../gateway-config/schema';
import { ConfigError, formatIssue, validateConfig, type SectionFiles } from '../../gateway-config/validate';
import { exampleInput } from './config';

export const FILES: SectionFiles = {
  environments: 'config/environments.ts',
  identityProviders: 'config/identity-providers.ts',
  models: 'config/models.ts',
  tiers: 'config/tiers.ts',
  tenants: 'config/tenants.ts',
};

export function problems(input: GatewayConfigInput): string[] {
  try {
    validateConfig(input, FILES);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  throw new Error('config was accepted');
}

export function broken(edit: (c: GatewayConfigInput) => void): GatewayConfigInput {
  const input = exampleInput();
  edit(input);
  return input;
}
