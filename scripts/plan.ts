/**
 * `npm run plan -- <environment>`: synthesizes, runs `terraform init` and `terraform plan -out`
 * on the environment's gateway stack with this project's Terraform environment (provider
 * mirror when present), writes the plan as JSON and prints a summary for reviewers:
 * counts by action, destroyed and replaced resources named first.
 *
 *   npm run plan -- prod                     summary (markdown) on stdout
 *   npm run plan -- prod --out <dir>         work directory (default .local/plan/<environment>)
 *   npm run plan -- prod --json              the summary as JSON
 *
 * Credentials are the usual ones for the backend and provider (AWS: environment, profile or
 * OIDC role; Terraform Cloud: TF_TOKEN_app_terraform_io). Exit codes: 0 planned, 1 synth or
 * Terraform failed, 2 bad usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { ConfigError } from '../gateway-config/validate';
import { formatPlanSummary, summarizePlan } from '../review/plan-summary';
import { REPO_ROOT, TF_FLAGS, init, stackDir, synthesize, terraform } from './lib/local-deploy';

const USAGE = 'usage: npm run plan -- <environment> [--out <dir>] [--json]';

export interface PlanArgs {
  readonly environment: string;
  readonly outDir: string;
  readonly json: boolean;
}

export function parsePlanArgs(argv: readonly string[]): PlanArgs | string {
  let environment: string | undefined;
  let outDir: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--out' && argv[i + 1] !== undefined) outDir = argv[++i];
    else if (!arg.startsWith('--') && environment === undefined) environment = arg;
    else return `unexpected argument ${arg}\n${USAGE}`;
  }
  if (!environment) return `name an environment\n${USAGE}`;
  return { environment, outDir: path.resolve(outDir ?? path.join(REPO_ROOT, '.local', 'plan', environment)), json };
}

export interface PlanResult {
  readonly summary: ReturnType<typeof summarizePlan>;
  readonly planJsonPath: string;
}

/** Synth, init and plan one environment; returns the summary and where the plan JSON is. */
export async function planEnvironment(args: PlanArgs, configDir: string = process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR): Promise<PlanResult> {
  const { config } = loadConfig(configDir);
  if (!config.environments.some((e) => e.name === args.environment)) {
    throw new UsageError(`no environment ${args.environment}; configured: ${config.environments.map((e) => e.name).join(', ')}`);
  }
  const stackId = `gateway-${args.environment}`;
  const outdir = path.join(args.outDir, 'cdktf.out');
  mkdirSync(args.outDir, { recursive: true });
  await synthesize({ outdir, configDir });
  const dir = stackDir(outdir, stackId);
  await init(dir);
  const planFile = path.join(args.outDir, `${stackId}.tfplan`);
  await terraform(dir, ['plan', ...TF_FLAGS, '-lock-timeout=60s', `-out=${planFile}`]);
  const { stdout } = await terraform(dir, ['show', '-json', '-no-color', planFile]);
  const planJsonPath = path.join(args.outDir, `${stackId}.plan.json`);
  writeFileSync(planJsonPath, stdout);
  return { summary: summarizePlan(stackId, JSON.parse(stdout)), planJsonPath };
}

export class UsageError extends Error {}

if (require.main === module) {
  const args = parsePlanArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    process.exitCode = 2;
  } else {
    planEnvironment(args).then(
      ({ summary, planJsonPath }) => {
        process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatPlanSummary(summary)}\nPlan JSON: ${path.relative(process.cwd(), planJsonPath)}\n`);
      },
      (err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
      },
    );
  }
}
