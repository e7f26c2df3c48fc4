/**
 * The Terraform JSON of one environment's stacks, synthesized in process exactly as `main.ts`
 * builds them (`stacks/app.ts`): the environment's gateway stack and, with an S3 backend, the
 * bootstrap stack of its state bucket. Preflight reads names from it and deployer-policy reads
 * the resource types, so both describe what would be deployed, never a second guess from config.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { addStacks } from '../stacks/app';
import { stateBucketTargets, stateStackId } from '../stacks/state-stack';
import { shardStackId } from '../stacks/tenant-shard-stack';
import { shardCount, shardName } from '../gateway-config/tenant-shards';

export interface StackJson {
  readonly terraform?: {
    readonly backend?: Record<string, Record<string, unknown>>;
    readonly required_providers?: Record<string, { source?: string; version?: string }>;
  };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface EnvironmentStacks {
  readonly environment: Environment;
  readonly gatewayStackId: string;
  readonly gateway: StackJson;
  /** The bootstrap stack of the environment's state bucket (S3 backend only). */
  readonly state?: { readonly id: string; readonly json: StackJson };
  /** Its tenant shard stacks, in shard order (`tenantShards`; none when unsharded). `part` names the shard's state (`tenants-0`). */
  readonly shards: ReadonlyArray<{ readonly id: string; readonly part: string; readonly json: StackJson }>;
}

/** @throws Error naming the configured environments when `name` is not one of them. */
export function findEnvironment(config: GatewayConfig, name: string): Environment {
  const environment = config.environments.find((e) => e.name === name);
  if (!environment) throw new UnknownEnvironmentError(`no environment ${name}; configured: ${config.environments.map((e) => e.name).join(', ')}`);
  return environment;
}

export class UnknownEnvironmentError extends Error {}

export function synthesizeEnvironment(config: GatewayConfig, environmentName: string): EnvironmentStacks {
  const environment = findEnvironment(config, environmentName);
  const outdir = mkdtempSync(path.join(tmpdir(), 'bag-deploy-tools-'));
  try {
    const app = new App({ outdir, skipValidation: true });
    addStacks(app, config);
    app.synth();
    const read = (id: string): StackJson => JSON.parse(readFileSync(path.join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));
    const gatewayStackId = `gateway-${environment.name}`;
    const state = environment.state;
    const target = state.backend === 's3' ? stateBucketTargets(config).find((t) => t.bucket === state.bucket) : undefined;
    return {
      environment,
      gatewayStackId,
      gateway: read(gatewayStackId),
      shards: Array.from({ length: shardCount(environment) }, (_, i) => ({ id: shardStackId(environment, i), part: shardName(i), json: read(shardStackId(environment, i)) })),
      ...(target ? { state: { id: stateStackId(target), json: read(stateStackId(target)) } } : {}),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every `aws_*` resource type in a stack, sorted. */
export function resourceTypes(stack: StackJson): string[] {
  return Object.keys(stack.resource ?? {}).sort();
}

/** Every `aws_*` data source type in a stack, sorted. */
export function dataSourceTypes(stack: StackJson): string[] {
  return Object.keys(stack.data ?? {}).sort();
}

/** The gateway stack and its tenant shard stacks: where the environment's API keys and usage plans are. */
export function gatewayStacks(stacks: EnvironmentStacks): StackJson[] {
  return [stacks.gateway, ...stacks.shards.map((s) => s.json)];
}

/** The resources of one type, by logical id. */
export function resourcesOfType(stack: StackJson, type: string): Array<Record<string, unknown>> {
  return Object.values(stack.resource?.[type] ?? {});
}
