/**
 * `npm run report`: tenants, tiers, models and identity providers per environment (markdown).
 *
 *   npm run report                          the working tree's config
 *   npm run report -- --base origin/main    only what changes against that git ref (read with
 *                                           git archive; nothing is checked out)
 *   npm run report -- --json                the same, for machines
 *   npm run report -- --config <dir>        another config directory (default: config/ or GATEWAY_CONFIG_DIR)
 *
 * Exit codes: 0 report printed; 1 the working tree's config is invalid (reported); 2 bad
 * usage or a base that is not a commit.
 */
import { DEFAULT_CONFIG_DIR } from '../gateway-config/load';
import { GitRefError, loadConfigAtRef } from '../review/config-at-ref';
import { loadForReview } from '../review/load-outcome';
import { reviewChanges } from '../review/tenant-diff';
import { buildTenantReport, formatTenantReport } from '../review/tenant-report';

const USAGE = 'usage: npm run report [-- --base <git ref>] [--json] [--config <dir>]';

export interface ReportArgs {
  readonly base?: string;
  readonly json: boolean;
  readonly configDir: string;
}

export function parseReportArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ReportArgs | string {
  let base: string | undefined;
  let json = false;
  let configDir = env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if ((arg === '--base' || arg === '--config') && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      if (arg === '--base') base = argv[++i];
      else configDir = argv[++i];
    } else return `${arg === '--base' || arg === '--config' ? `${arg} needs a value` : `unknown argument ${arg}`}\n${USAGE}`;
  }
  return { ...(base !== undefined ? { base } : {}), json, configDir };
}

export function runReport(args: ReportArgs): { output: string; exitCode: number } {
  const head = loadForReview(args.configDir);
  if (args.base === undefined) {
    if (!head.valid) {
      const text = `The config in ${args.configDir} is invalid (${head.problems.length} ${head.problems.length === 1 ? 'problem' : 'problems'}):\n${head.problems.map((p) => `- ${p}`).join('\n')}\n`;
      return { output: args.json ? `${JSON.stringify({ valid: false, problems: head.problems }, null, 2)}\n` : text, exitCode: 1 };
    }
    const report = buildTenantReport(head.config);
    return { output: args.json ? `${JSON.stringify(report, null, 2)}\n` : formatTenantReport(report), exitCode: 0 };
  }
  const base = loadConfigAtRef(args.configDir, args.base);
  const result = reviewChanges({ ref: args.base, base, head }, (config) => formatTenantReport(buildTenantReport(config)));
  return { output: args.json ? `${JSON.stringify(result.json, null, 2)}\n` : result.markdown, exitCode: result.exitCode };
}

if (require.main === module) {
  const args = parseReportArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    process.exitCode = 2;
  } else {
    try {
      const { output, exitCode } = runReport(args);
      process.stdout.write(output);
      process.exitCode = exitCode;
    } catch (err) {
      if (!(err instanceof GitRefError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    }
  }
}
