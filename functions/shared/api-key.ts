/**
 * The one definition of a tenant's API key value, shared by the Terraform API keys (synth,
 * `gateway-config/derive.ts`) and the authorizer, which derives the `usageIdentifierKey` of a
 * tenant when it first sees it instead of carrying 10,000 key values in its bundle. The value is
 * an identifier, not a secret (with `apiKeySource = AUTHORIZER` clients never send it), and so is
 * the salt: the bundle carrying the salt reveals no more than one carrying every key.
 */
import { createHash } from 'node:crypto';

export interface ApiKeyScope {
  /** `environment.apiKeySalt`, else the environment name. */
  readonly salt: string;
  readonly environment: string;
}

export function deriveApiKeyValue(scope: ApiKeyScope, tenantId: string): string {
  const digest = createHash('sha256').update(`bedrock-ai-gateway\0${scope.salt}\0${scope.environment}\0${tenantId}`).digest('base64url');
  return `bag-${digest.slice(0, 40)}`;
}
