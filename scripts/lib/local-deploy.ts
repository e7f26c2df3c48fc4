/**
 * The steps of a deploy to a local AWS API emulator, shared by `npm start` and the
 * integration test: synthesize for an emulator endpoint, then init and apply the state
 * bootstrap stack and the gateway stack with the real Terraform and AWS provider.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../../gateway-config/load';
import type { Environment } from '../../gateway-config/schema';
import { shardCount } from '../../gateway-config/tenant-shards';
import { stateBucketTargets, stateStackId, type StateBucketTarget } from '../../stacks/state-stack';
import { SAVED_QUERIES } from '../../stacks/constructs/log-queries';
import { runTerraform, type TerraformResult } from './terraform';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The environment of the example config that targets the emulator. */
export const LOCAL_ENVIRONMENT = 'local';
/** Arguments every non-interactive Terraform run gets. */
export const TF_FLAGS = ['-input=false', '-no-color'] as const;

export interface LocalTarget {
  readonly environment: Environment;
  readonly gatewayStackId: string;
  readonly stateTarget: StateBucketTarget;
  readonly stateStackId: string;
}

/** Finds the emulator environment (`local` unless named) and its state bucket in a config directory. */
export function localTarget(configDir: string = DEFAULT_CONFIG_DIR, environmentName: string = LOCAL_ENVIRONMENT): LocalTarget {
  const { config } = loadConfig(configDir);
  const environment = config.environments.find((e) => e.name === environmentName);
  if (!environment) throw new Error(`no environment named ${environmentName} in ${configDir}/environments: add one with an emulator endpoint (see docs/local-deploy.md)`);
  if (!environment.emulator) throw new Error(`environment ${environmentName} has no emulator endpoint: a local deploy would target AWS`);
  if (environment.state.backend !== 's3') throw new Error(`environment ${environmentName} must keep its state in S3 (state.backend: 's3') for a local deploy`);
  const bucket = environment.state.bucket;
  const stateTarget = stateBucketTargets(config).find((t) => t.bucket === bucket)!;
  return { environment, gatewayStackId: `gateway-${environment.name}`, stateTarget, stateStackId: stateStackId(stateTarget) };
}

/**
 * Why `npm start` cannot deploy an environment, or undefined when it can. It deploys and serves
 * one gateway stack; with `tenantShards` the tenants' API keys and usage plan links live in shard
 * stacks it neither deploys nor serves, so it refuses rather than serve a gateway without them.
 */
export function localDeployRefusal(environment: Environment): string | undefined {
  const shards = shardCount(environment);
  if (shards === 0) return undefined;
  return (
    `environment ${environment.name} has tenantShards: ${shards}, and npm start deploys and serves one stack (gateway-${environment.name}): ` +
    `the tenants' API keys and usage plan links of a sharded environment live in ${shards} shard stacks (gateway-${environment.name}-tenants-0 to -${shards - 1}) that it does not deploy. ` +
    `Remove tenantShards from environment ${environment.name}, or deploy a sharded environment on the emulator with npm run bench:shards-emulator (docs/scaling.md).`
  );
}

export interface SynthOptions {
  /** Emulator endpoint baked into the emulator environments' provider and backend. @default the config's own */
  readonly endpoint?: string;
  /** Output directory (its parent must exist). */
  readonly outdir: string;
  /** @default the example config */
  readonly configDir?: string;
}

/**
 * Runs `tsx main.ts` (what `cdktf synth` runs) with the emulator endpoint and output directory set.
 * Resolves with what it printed (synth warnings go to stderr).
 */
export function synthesize(options: SynthOptions): Promise<string> {
  mkdirSync(path.dirname(path.resolve(options.outdir)), { recursive: true });
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(options.endpoint ? { GATEWAY_EMULATOR_ENDPOINT: options.endpoint } : {}),
    CDKTF_OUTDIR: path.resolve(options.outdir),
    ...(options.configDir ? { GATEWAY_CONFIG_DIR: path.resolve(options.configDir) } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`synth failed (exit ${code}):\n${output.trim()}`))));
  });
}

/** `<outdir>/stacks/<id>`, checked to exist. */
export function stackDir(outdir: string, stackId: string): string {
  const dir = path.join(outdir, 'stacks', stackId);
  if (!existsSync(path.join(dir, 'cdk.tf.json'))) throw new Error(`stack ${stackId} was not synthesized into ${outdir}`);
  return dir;
}

export interface StepOptions {
  /** Called with each complete output line (for progress display). */
  readonly onLine?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs Terraform and fails with its output when it exits non-zero. */
export async function terraform(cwd: string, args: readonly string[], options: StepOptions = {}): Promise<TerraformResult> {
  let pending = '';
  const result = await runTerraform(cwd, [...args], {
    ...(options.env ? { env: options.env } : {}),
    onOutput: options.onLine
      ? (chunk) => {
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          lines.forEach((l) => options.onLine!(l));
        }
      : undefined,
  });
  if (pending && options.onLine) options.onLine(pending);
  if (result.code !== 0) {
    throw new Error(`terraform ${args[0]} failed in ${cwd} (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
  }
  return result;
}

/** `terraform init`; `statePath` overrides a local backend's state file (the bootstrap stack's). */
export function init(cwd: string, options: StepOptions & { statePath?: string } = {}): Promise<TerraformResult> {
  const backend = options.statePath ? [`-backend-config=path=${path.resolve(options.statePath)}`] : [];
  return terraform(cwd, ['init', ...TF_FLAGS, '-reconfigure', ...backend], options);
}

export function apply(cwd: string, options: StepOptions = {}): Promise<TerraformResult> {
  return terraform(cwd, ['apply', '-auto-approve', ...TF_FLAGS], options);
}

/** The outputs of a stack, as `terraform output -json` gives them (values only). */
export async function outputs(cwd: string): Promise<Record<string, unknown>> {
  const { stdout } = await terraform(cwd, ['output', '-json', '-no-color']);
  const parsed = JSON.parse(stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
}

/** Number of resources an apply reports as added (`Apply complete! Resources: N added, ...`). */
export function resourcesAdded(applyOutput: string): number {
  const match = /Resources: (\d+) added/.exec(applyOutput);
  return match ? Number(match[1]) : 0;
}

/** Lines of Terraform output worth showing as progress: one per resource event, plus summaries. */
export function isProgressLine(line: string): boolean {
  return /: (Creating|Creation complete|Modifying|Modifications complete|Destroying|Destruction complete|Still creating)|^(Apply complete|Plan:|Error)/.test(line.trim());
}

/** The resources of one type in a synthesized stack (`cdk.tf.json`), by logical id. */
export function synthesizedResources(stackDirectory: string, type: string): Record<string, Record<string, unknown>> {
  const json = JSON.parse(readFileSync(path.join(stackDirectory, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return json.resource?.[type] ?? {};
}

/**
 * Names of the log groups a synthesized stack creates. The execution log group's name holds the
 * REST API id (a Terraform reference until deployed): pass the deployed id to resolve it.
 */
export function synthesizedLogGroupNames(stackDirectory: string, restApiId?: string): string[] {
  return Object.values(synthesizedResources(stackDirectory, 'aws_cloudwatch_log_group'))
    .map((g) => g.name)
    .filter((n): n is string => typeof n === 'string')
    .map((n) => (restApiId === undefined ? n : n.replace(/\$\{aws_api_gateway_rest_api\.[^}]+\.id\}/g, restApiId)))
    .sort();
}

/** The custom domain a synthesized stack serves, if it has one. */
export function synthesizedCustomDomainName(stackDirectory: string): string | undefined {
  const names = Object.values(synthesizedResources(stackDirectory, 'aws_api_gateway_domain_name')).map((d) => d.domain_name);
  return typeof names[0] === 'string' ? names[0] : undefined;
}

/**
 * The saved Logs Insights queries of a synthesized stack, and those it leaves out: emulator
 * stacks create none, because moto 5.2 has no PutQueryDefinition (see docs/local-deploy.md).
 */
export function savedQueriesOf(stackDirectory: string, namePrefix: string): { created: string[]; skipped: string[]; skippedReason?: string } {
  const created = Object.values(synthesizedResources(stackDirectory, 'aws_cloudwatch_query_definition')).map((q) => String(q.name)).sort();
  const skipped = SAVED_QUERIES.map((q) => `${namePrefix}/${q.id}`).filter((name) => !created.includes(name));
  return { created, skipped, ...(skipped.length > 0 ? { skippedReason: 'the emulator (moto 5.2) has no PutQueryDefinition; created on AWS' } : {}) };
}
