/**
 * `npm run preflight -- --env <name> [--json]`: read-only checks of the account and region an
 * environment targets before `terraform apply` (deploy-tools/preflight/). Exit codes: 0 nothing
 * failed, 1 a check failed, 2 bad usage or invalid config.
 */
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { ConfigError } from '../gateway-config/validate';
import { exitCodeOf, formatResults } from '../deploy-tools/preflight/check';
import { runPreflight } from '../deploy-tools/preflight';
import { UnknownEnvironmentError } from '../deploy-tools/synthesized-stacks';

const USAGE = 'usage: npm run preflight -- --env <environment> [--json]';

export function parseEnvArgs(argv: readonly string[], usage: string): { environment: string; json: boolean } | string {
  let environment: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1] !== undefined && environment === undefined) environment = argv[++i];
    else if (argv[i] === '--json') json = true;
    else return `unexpected argument ${argv[i]}\n${usage}`;
  }
  return environment ? { environment, json } : `name an environment\n${usage}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseEnvArgs(argv, USAGE);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    return 2;
  }
  try {
    const { config } = loadConfig(process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR);
    const report = await runPreflight(config, args.environment);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatResults(report.environment, report.target.description, report.results));
    return exitCodeOf(report.results);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return err instanceof ConfigError || err instanceof UnknownEnvironmentError ? 2 : 1;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
