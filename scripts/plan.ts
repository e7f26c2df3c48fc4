/**
 * `npm run plan -- <environment>`: synthesizes, runs `terraform init` and `terraform plan -out`
 * on every stack of the environment with this project's Terraform environment (provider mirror
 * when present), writes each plan as JSON and prints a summary per stack for reviewers: counts by
 * action, destroyed and replaced resources named first.
 *
 *   npm run plan -- prod                     summary (markdown) on stdout
 *   npm run plan -- prod --out <dir>         work directory (default .local/plan/<environment>)
 *   npm run plan -- prod --json              the summaries as JSON ({ environment, total, stacks })
 *   npm run plan -- prod --only core         the core stack `gateway-<environment>` only
 *   npm run plan -- prod --only shards       the tenant shard stacks only (the core must be applied)
 *   npm run plan -- prod --parallel 2        shard plans at a time (default 4)
 *
 * An environment with `tenantShards: N` is the core stack `gateway-<env>` and N shard stacks
 * `gateway-<env>-tenants-<i>` that read the core's outputs from its state (cdktf.out/manifest.json
 * records the dependency). The core is planned first, then the shards, a few at a time, with one
 * summary per stack and a total line. A shard plan reads the core's *applied* outputs: when the
 * core's state does not have the outputs the shards read yet (never applied, or applied before it
 * had shards), the shards are reported as not planned, with the reason, and the run succeeds (a
 * pull request that introduces shards plans its core; the shards are planned after the core is
 * applied). With `--only shards` that is an error instead (exit 1): the caller asked for shard plans.
 *
 * Credentials are the usual ones for the backend and provider (AWS: environment, profile or
 * OIDC role; Terraform Cloud: TF_TOKEN_app_terraform_io). An environment whose Terraform Cloud
 * workspace is chosen by tags (`workspaceTags`) needs TF_WORKSPACE naming one workspace with those
 * tags (Terraform cannot ask which in automation); any other environment refuses a non-empty
 * TF_WORKSPACE, which would select another state. Exit codes: 0 planned, 1 synth or Terraform
 * failed (any stack), 2 bad usage (including TF_WORKSPACE).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { ConfigError } from '../gateway-config/validate';
import type { Environment } from '../gateway-config/schema';
import { formatEnvironmentPlan, summarizePlan, type EnvironmentPlan, type StackPlan } from '../review/plan-summary';
import { REPO_ROOT, TF_FLAGS, init, outputs, stackDir, synthesize, terraform } from './lib/local-deploy';

const USAGE = 'usage: npm run plan -- <environment> [--only core|shards] [--parallel <n>] [--out <dir>] [--json]';
/** Shard plans at a time: each is a Terraform process refreshing its shard against the cloud's API rate limits. */
export const DEFAULT_SHARD_PARALLELISM = 4;

export interface PlanArgs {
  readonly environment: string;
  readonly outDir: string;
  readonly json: boolean;
  /** Plan only the core stack or only the shard stacks. @default every stack of the environment */
  readonly only?: 'core' | 'shards';
  /** Shard plans run at a time. @default DEFAULT_SHARD_PARALLELISM */
  readonly parallel: number;
}

export function parsePlanArgs(argv: readonly string[]): PlanArgs | string {
  let environment: string | undefined;
  let outDir: string | undefined;
  let json = false;
  let only: PlanArgs['only'];
  let parallel = DEFAULT_SHARD_PARALLELISM;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--out' && argv[i + 1] !== undefined) outDir = argv[++i];
    else if (arg === '--only' && argv[i + 1] !== undefined) {
      const value = argv[++i];
      if (value !== 'core' && value !== 'shards') return `--only must be core or shards, got ${value}\n${USAGE}`;
      only = value;
    } else if (arg === '--parallel' && argv[i + 1] !== undefined) {
      parallel = Number(argv[++i]);
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 16) return `--parallel must be a whole number from 1 to 16, got ${argv[i]}\n${USAGE}`;
    } else if (!arg.startsWith('--') && environment === undefined) environment = arg;
    else return `unexpected argument ${arg}\n${USAGE}`;
  }
  if (!environment) return `name an environment\n${USAGE}`;
  return { environment, outDir: path.resolve(outDir ?? path.join(REPO_ROOT, '.local', 'plan', environment)), json, ...(only ? { only } : {}), parallel };
}

/** The environment's stacks in apply order, from the synthesized manifest: the core, then the stacks that depend on it. */
export function environmentStacks(outdir: string, environment: string): { core: string; shards: string[] } {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies?: string[] }> };
  const core = `gateway-${environment}`;
  if (!manifest.stacks[core]) throw new Error(`stack ${core} was not synthesized into ${outdir}`);
  const shards = Object.entries(manifest.stacks)
    .filter(([, s]) => (s.dependencies ?? []).includes(core))
    .map(([id]) => id)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return { core, shards };
}

/** The core outputs a synthesized shard stack reads through `terraform_remote_state`. */
export function coreOutputsRead(shardDirectory: string): string[] {
  const text = readFileSync(path.join(shardDirectory, 'cdk.tf.json'), 'utf8');
  return [...new Set([...text.matchAll(/terraform_remote_state\.[\w-]+\.outputs\.(\w+)/g)].map((m) => m[1]))].sort();
}

/** Runs `work` over `items`, at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** init + plan -out + show -json of one synthesized stack; a failure becomes a failed StackPlan, not a rejection. */
async function planStack(outdir: string, outDir: string, stack: string, role: StackPlan['role'], alreadyInitialized = false): Promise<StackPlan> {
  try {
    const dir = stackDir(outdir, stack);
    if (!alreadyInitialized) await init(dir);
    const planFile = path.join(outDir, `${stack}.tfplan`);
    await terraform(dir, ['plan', ...TF_FLAGS, '-lock-timeout=60s', `-out=${planFile}`]);
    const { stdout } = await terraform(dir, ['show', '-json', '-no-color', planFile]);
    const planJsonPath = path.join(outDir, `${stack}.plan.json`);
    writeFileSync(planJsonPath, stdout);
    return { stack, role, status: 'planned', summary: summarizePlan(stack, JSON.parse(stdout)), planFile, planJsonPath };
  } catch (err) {
    return { stack, role, status: 'failed', error: (err as Error).message };
  }
}

/**
 * Why the shards cannot be planned yet, or undefined when the core's state has every output they
 * read. `terraform output` reads the state through the configured backend (S3 or Terraform Cloud).
 */
async function coreNotReady(outdir: string, environment: string, core: string, shards: readonly string[]): Promise<string | undefined> {
  const dir = stackDir(outdir, core);
  const needed = [...new Set(shards.flatMap((s) => coreOutputsRead(stackDir(outdir, s))))].sort();
  if (needed.length === 0) return undefined;
  const present = await outputs(dir);
  const missing = needed.filter((o) => !(o in present));
  if (missing.length === 0) return undefined;
  const state = Object.keys(present).length === 0 ? 'its state has no outputs yet' : `its state lacks ${missing.join(', ')}`;
  return `the tenant shards read the core stack's outputs (${needed.join(', ')}) from its state, and ${core} has not been applied with tenant shards yet: ${state}. Apply ${core} first, then plan the shards: npm run plan -- ${environment} --only shards`;
}

/**
 * Why TF_WORKSPACE does not fit the environment's backend, or undefined when it does. With
 * `cloud { workspaces { tags } }` Terraform picks the workspace from TF_WORKSPACE and, without a
 * terminal (TF_INPUT=0), cannot ask for one; Terraform treats an empty TF_WORKSPACE as unset.
 * https://developer.hashicorp.com/terraform/cli/cloud/settings (Environment variables: TF_WORKSPACE)
 */
export function workspaceProblem(environment: Environment, env: NodeJS.ProcessEnv): string | undefined {
  const selected = env.TF_WORKSPACE ?? '';
  const state = environment.state;
  if (state.backend === 'cloud' && state.workspaceTags !== undefined) {
    if (selected !== '') return undefined;
    return `environment ${environment.name} selects its Terraform Cloud workspace by tags (${state.workspaceTags.join(', ')}): set TF_WORKSPACE to the name of one workspace carrying them (CI: vars.TF_WORKSPACES in review.yml, the GitHub environment's vars.TF_WORKSPACE in deploy.yml)`;
  }
  if (selected === '') return undefined;
  const where = state.backend === 'cloud' ? `names its Terraform Cloud workspace (${state.workspace})` : `keeps its state in the ${state.backend} backend`;
  return `TF_WORKSPACE is set (${selected}), but environment ${environment.name} ${where}, where it would select another state: unset TF_WORKSPACE (it is only for environments with workspaceTags)`;
}

/** Synth, then init and plan the environment's stacks: the core first, then its shards (a few at a time). */
export async function planEnvironment(args: PlanArgs, configDir: string = process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR, env: NodeJS.ProcessEnv = process.env): Promise<EnvironmentPlan> {
  const { config } = loadConfig(configDir);
  const environment = config.environments.find((e) => e.name === args.environment);
  if (!environment) {
    throw new UsageError(`no environment ${args.environment}; configured: ${config.environments.map((e) => e.name).join(', ')}`);
  }
  const problem = workspaceProblem(environment, env);
  if (problem !== undefined) throw new UsageError(problem);
  const outdir = path.join(args.outDir, 'cdktf.out');
  mkdirSync(args.outDir, { recursive: true });
  await synthesize({ outdir, configDir });
  const { core, shards } = environmentStacks(outdir, args.environment);
  const stacks: StackPlan[] = [];
  let coreInitialized = false;
  if (args.only !== 'shards') {
    const corePlan = await planStack(outdir, args.outDir, core, 'core');
    stacks.push(corePlan);
    coreInitialized = true;
    // Nothing else can be planned: fail as a single-stack plan always did (message on stderr, exit 1).
    if (corePlan.status === 'failed') throw new Error(corePlan.error);
  }
  if (args.only === 'core' || shards.length === 0) {
    return { environment: args.environment, stacks, ...(args.only === 'shards' ? { note: `environment ${args.environment} has no tenant shards: nothing to plan` } : {}) };
  }
  if (!coreInitialized) await init(stackDir(outdir, core));
  const notReady = await coreNotReady(outdir, args.environment, core, shards);
  if (notReady !== undefined) {
    if (args.only === 'shards') throw new Error(`cannot plan the tenant shards of ${args.environment}: ${notReady}`);
    stacks.push(...shards.map((stack): StackPlan => ({ stack, role: 'shard', status: 'not planned', reason: notReady })));
    return { environment: args.environment, stacks };
  }
  stacks.push(...(await mapLimit(shards, args.parallel, (stack) => planStack(outdir, args.outDir, stack, 'shard'))));
  return { environment: args.environment, stacks };
}

export class UsageError extends Error {}

if (require.main === module) {
  const args = parsePlanArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    process.exitCode = 2;
  } else {
    planEnvironment(args).then(
      (plan) => {
        process.stdout.write(args.json ? `${JSON.stringify(plan, null, 2)}\n` : formatEnvironmentPlan(plan, (p) => path.relative(process.cwd(), p)));
        const failed = plan.stacks.filter((s) => s.status === 'failed');
        if (failed.length > 0) {
          process.stderr.write(`plan failed for ${failed.map((s) => s.stack).join(', ')}\n`);
          process.exitCode = 1;
        }
      },
      (err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
      },
    );
  }
}
