/**
 * The forwarder's settings: the environment's Bedrock region, its routes and each tenant's model
 * allowlist, generated at synth from the validated config (`gateway-config/tenant-table.ts`, the
 * same derivation as the authorizer's tenant table) and bundled with the function. Plain JSON.
 */
export interface ForwarderSettings {
  /** Environment name, for log lines. */
  readonly environment: string;
  /** Region of the bedrock-runtime endpoint the forwarder calls (the environment's). */
  readonly region: string;
  /** Gateway routes under `/model/{modelId}/`, e.g. `converse`, `invoke`. */
  readonly routes: readonly string[];
  /** Tenant id -> whether it may call at all and the model ids it may call. */
  readonly tenants: Readonly<Record<string, ForwarderTenant>>;
}

export interface ForwarderTenant {
  readonly enabled: boolean;
  /** Catalogue ids, sorted. */
  readonly models: readonly string[];
}
