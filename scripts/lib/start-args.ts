/**
 * The arguments of `npm start` (scripts/local-deploy.ts), parsed apart from the script so they
 * can be tested without deploying anything.
 */
import { LOCAL_ENVIRONMENT } from './local-deploy';

export interface StartArgs {
  readonly help: boolean;
  /** Leave the emulator running afterwards. */
  readonly keep: boolean;
  /** Serve the deployed stack on loopback (local gateway, stand-in, development IdP). */
  readonly serve: boolean;
  /** The emulator environment to deploy and serve. @default local */
  readonly environment: string;
}

export function startUsage(emulatorEnvironments: readonly string[]): string {
  return [
    'usage: npm start [-- --keep] [--no-serve] [--environment <name>]',
    '  --keep                leave the emulator running afterwards (stop it with `npm run local:stop`)',
    '  --no-serve            deploy and print the summary only; do not serve the gateway on loopback',
    `  --environment <name>  the emulator environment to deploy and serve (default ${LOCAL_ENVIRONMENT}; the config has ${emulatorEnvironments.join(', ') || 'none'})`,
  ].join('\n');
}

/**
 * Parses `npm start`'s arguments. `emulatorEnvironments` are the names of the config's
 * environments with an `emulator` block, the only ones a local deploy may target.
 */
export function parseStartArgs(args: readonly string[], emulatorEnvironments: readonly string[]): { ok: true; args: StartArgs } | { ok: false; error: string } {
  let keep = false;
  let serve = true;
  let help = false;
  let environment: string | undefined;
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--keep') keep = true;
    else if (arg === '--no-serve') serve = false;
    else if (arg === '--environment' || arg.startsWith('--environment=')) {
      const value = arg === '--environment' ? args[++i] : arg.slice('--environment='.length);
      if (value === undefined || value === '' || value.startsWith('--')) return { ok: false, error: `--environment needs an environment name: one of ${emulatorEnvironments.join(', ')}` };
      if (environment !== undefined && environment !== value) return { ok: false, error: `--environment given twice (${environment}, ${value}): one environment is deployed and served at a time` };
      environment = value;
    } else unknown.push(arg);
  }
  if (unknown.length > 0) return { ok: false, error: `unknown argument(s): ${unknown.join(' ')}` };
  if (environment !== undefined && !emulatorEnvironments.includes(environment)) {
    return { ok: false, error: `--environment ${environment}: not an emulator environment of the config (a local deploy targets only environments with an emulator block): one of ${emulatorEnvironments.join(', ')}` };
  }
  return { ok: true, args: { help, keep, serve, environment: environment ?? LOCAL_ENVIRONMENT } };
}
