/**
 * `npm run token -- --tenant <id> [--idp <id>] [--role <r>] [--ttl <s>] [--environment <name>]`:
 * prints a token signed by the development IdP of an emulator environment (`local` by default),
 * with the claims the named identity provider would issue (docs/local-gateway.md). Only the token
 * goes to stdout, so `TOKEN=$(npm run -s token -- --tenant acme)` works.
 */
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { DevIdpError, mintDevToken } from '../local-gateway/dev-idp';
import { LOCAL_ENVIRONMENT } from './lib/local-deploy';

const USAGE = 'usage: npm run token -- --tenant <id> [--idp <id>] [--role <role>] [--ttl <seconds>] [--environment <name>]';
const FLAGS = ['--tenant', '--idp', '--role', '--ttl', '--environment'] as const;

export function parseTokenArgs(args: readonly string[]): Partial<Record<(typeof FLAGS)[number], string>> {
  const out: Partial<Record<(typeof FLAGS)[number], string>> = {};
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i] as (typeof FLAGS)[number];
    if (!FLAGS.includes(flag)) throw new DevIdpError(`unknown argument ${JSON.stringify(args[i])}\n${USAGE}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new DevIdpError(`${flag} needs a value\n${USAGE}`);
    out[flag] = value;
  }
  if (out['--tenant'] === undefined) throw new DevIdpError(`--tenant is required\n${USAGE}`);
  if (out['--ttl'] !== undefined && !/^-?\d+$/.test(out['--ttl'])) throw new DevIdpError(`--ttl ${JSON.stringify(out['--ttl'])}: must be a whole number of seconds`);
  return out;
}

function main(): number {
  try {
    const args = parseTokenArgs(process.argv.slice(2));
    const { config } = loadConfig(DEFAULT_CONFIG_DIR);
    const name = args['--environment'] ?? LOCAL_ENVIRONMENT;
    const environment = config.environments.find((e) => e.name === name);
    if (!environment) throw new DevIdpError(`--environment ${JSON.stringify(name)}: no such environment; the config has ${config.environments.map((e) => e.name).join(', ')}`);
    const ttl = args['--ttl'] === undefined ? undefined : Number(args['--ttl']);
    const token = mintDevToken(config, environment, {
      tenant: args['--tenant']!,
      ...(args['--idp'] !== undefined ? { idp: args['--idp'] } : {}),
      ...(args['--role'] !== undefined ? { role: args['--role'] } : {}),
      ...(ttl !== undefined ? { ttlSeconds: ttl } : {}),
    });
    process.stdout.write(`${token}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof DevIdpError ? err.message : String(err)}\n`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main();
