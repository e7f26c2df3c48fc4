/** Synthesizes one gateway stack in memory and exposes its Terraform JSON. */
import { Testing } from 'cdktf';
import type { Environment, GatewayConfig } from '../../gateway-config/schema';
import { GatewayStack } from '../../stacks/gateway-stack';

export interface TerraformJson {
  terraform: { backend?: Record<string, Record<string, unknown>> };
  provider: { aws: Array<Record<string, unknown>> };
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
}

export interface Synthesized {
  readonly stack: GatewayStack;
  /** The JSON string, as cdktf's matchers want it. */
  readonly synthesized: string;
  readonly json: TerraformJson;
}

export function synthGateway(config: GatewayConfig, environmentName = 'dev'): Synthesized {
  const environment: Environment | undefined = config.environments.find((e) => e.name === environmentName);
  if (!environment) throw new Error(`no environment ${environmentName} in config`);
  const app = Testing.app();
  const stack = new GatewayStack(app, `gateway-${environmentName}`, { config, environment });
  const synthesized = Testing.synth(stack);
  return { stack, synthesized, json: JSON.parse(synthesized) as TerraformJson };
}

/** All resources of one Terraform type, by logical id. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource[type] ?? {};
}

/** The single resource of a type whose properties include `match`. */
export function findResource(json: TerraformJson, type: string, match: Record<string, unknown>): Record<string, unknown> {
  const found = Object.values(resourcesOf(json, type)).filter((r) => Object.entries(match).every(([k, v]) => JSON.stringify(r[k]) === JSON.stringify(v)));
  if (found.length !== 1) throw new Error(`expected exactly one ${type} matching ${JSON.stringify(match)}, found ${found.length}`);
  return found[0];
}
