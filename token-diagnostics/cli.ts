/**
 * The command lines of `npm run explain-token` and `npm run check-idp`: argument parsing,
 * loading the environment's settings exactly as the stack bundles them, and exit codes.
 * scripts/ holds only the entry points.
 */
import { loadConfig, DEFAULT_CONFIG_DIR } from '../gateway-config';
import { effectiveLimits, stageNameOf } from '../gateway-config/derive';
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { buildAuthorizerSettings, trustedEndpoints } from '../gateway-config/tenant-table';
import type { AuthorizerSettings } from '../functions/authorizer/settings';
import { checkIdentityProvider, renderIdpReports } from './check-idp';
import { explainToken, type TenantLimits } from './explain';
import type { FetchLike } from './jwks';
import { renderExplanation } from './render';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXPLAIN_USAGE = `usage: npm run explain-token -- --env <name> [--token <jwt> | < token-file] [--model <id>] [--route converse|invoke] [--json] [--resolve <host>=<origin>]...
  Runs the environment's authorizer on the token and explains each check. Reading the token
  from stdin keeps it out of your shell history. Exit code: 0 allowed, 1 refused (401 or 403), 2 usage error.
  --resolve sends requests for <host> to <origin> instead (e.g. a local copy of the JWKS).`;

export const CHECK_IDP_USAGE = `usage: npm run check-idp -- --env <name> [--idp <id>] [--json] [--resolve <host>=<origin>]...
  Fetches each identity provider's discovery document and JWKS and reports every mismatch with
  the config. Exit code: 0 no mismatch, 1 mismatches found, 2 usage error.`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The whole of stdin, or undefined when stdin is a terminal. */
  readonly readStdin: () => Promise<string | undefined>;
  /** @default GATEWAY_CONFIG_DIR or config/ */
  readonly configDir?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

interface ParsedArgs {
  readonly values: Map<string, string[]>;
  readonly flags: Set<string>;
}

function parseArgs(argv: readonly string[], valueOptions: readonly string[], flagOptions: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flagOptions.includes(name) && inline === undefined) {
      flags.add(name);
    } else if (valueOptions.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return { values, flags };
}

const single = (args: ParsedArgs, name: string): string | undefined => {
  const all = args.values.get(name);
  if (all !== undefined && all.length > 1) throw new UsageError(`${name} given more than once`);
  return all?.[0];
};

/** `--resolve host=origin` pairs: requests for `host` go to `origin` (scheme, host and port) instead. */
export function parseResolve(entries: readonly string[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const host = entry.slice(0, at).toLowerCase();
    let origin: URL | undefined;
    try {
      origin = at > 0 ? new URL(entry.slice(at + 1)) : undefined;
    } catch {
      origin = undefined;
    }
    if (origin === undefined || !['http:', 'https:'].includes(origin.protocol) || origin.pathname !== '/' || host.includes('/')) {
      throw new UsageError(`--resolve ${JSON.stringify(entry)}: expected <host>=<origin>, e.g. login.microsoftonline.com=http://127.0.0.1:8080`);
    }
    map.set(host, origin.origin);
  }
  return map;
}

/** `url` with its scheme, host and port replaced when its host is resolved elsewhere. */
export function resolveUrl(url: string, resolve: ReadonlyMap<string, string>): string {
  const parsed = new URL(url);
  const origin = resolve.get(parsed.hostname.toLowerCase());
  return origin === undefined ? url : `${origin}${parsed.pathname}${parsed.search}`;
}

export function resolvingFetch(resolve: ReadonlyMap<string, string>, base: FetchLike = (url, init) => fetch(url, init)): FetchLike {
  return (url, init) => base(resolveUrl(url, resolve), init);
}

/** The authorizer settings with JWKS URLs resolved elsewhere; everything else as bundled. */
export function resolveSettings<S extends AuthorizerSettings>(settings: S, resolve: ReadonlyMap<string, string>): S {
  if (resolve.size === 0) return settings;
  return { ...settings, identityProviders: settings.identityProviders.map((idp) => ({ ...idp, jwksUri: resolveUrl(idp.jwksUri, resolve) })) };
}

function environmentOf(config: GatewayConfig, name: string | undefined): Environment {
  if (name === undefined) throw new UsageError(`--env is required; configured environments: ${config.environments.map((e) => e.name).join(', ')}`);
  const environment = config.environments.find((e) => e.name === name);
  if (environment === undefined) throw new UsageError(`unknown environment ${JSON.stringify(name)}; configured: ${config.environments.map((e) => e.name).join(', ')}`);
  return environment;
}

export function tenantLimits(config: GatewayConfig): Record<string, TenantLimits> {
  return Object.fromEntries(config.tenants.map((t) => [t.id, effectiveLimits(config, t)]));
}

/** `npm run explain-token`: returns the exit code. */
export async function runExplainToken(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv, ['--env', '--token', '--model', '--route', '--resolve'], ['--json', '--help']);
    if (args.flags.has('--help')) {
      io.stdout(`${EXPLAIN_USAGE}\n`);
      return 0;
    }
    const route = single(args, '--route') ?? 'converse';
    const { config } = loadConfig(io.configDir ?? (process.env.GATEWAY_CONFIG_DIR || DEFAULT_CONFIG_DIR));
    const environment = environmentOf(config, single(args, '--env'));
    // The whole table, also for a sharded environment (whose function reads it per shard from S3).
    const settings = buildAuthorizerSettings(config, environment, { embedTenants: true });
    if (!settings.routes.includes(route)) throw new UsageError(`--route must be one of ${settings.routes.join(', ')} (got ${JSON.stringify(route)})`);
    const model = single(args, '--model');
    if (model !== undefined && !config.models.some((m) => m.id === model)) {
      io.stderr(`note: model ${JSON.stringify(model)} is not in the catalogue (config/models.ts); the authorizer will refuse it\n`);
    }
    let token = single(args, '--token');
    if (token === undefined) token = (await io.readStdin())?.trim();
    if (token === undefined || token.length === 0) throw new UsageError('no token: pass --token <jwt>, or pipe it on stdin');
    const resolve = parseResolve(args.values.get('--resolve') ?? []);
    const explanation = await explainToken({
      settings: resolveSettings(settings, resolve),
      token,
      region: environment.region,
      stage: stageNameOf(environment),
      route,
      catalogue: config.models.map((m) => m.id),
      limits: tenantLimits(config),
      ...(model !== undefined ? { model } : {}),
      ...(io.now !== undefined ? { now: io.now } : {}),
    });
    io.stdout(args.flags.has('--json') ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
    return explanation.outcome.status === 'allow' ? 0 : 1;
  } catch (err) {
    return failed(err, io, EXPLAIN_USAGE);
  }
}

/** `npm run check-idp`: returns the exit code. */
export async function runCheckIdp(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv, ['--env', '--idp', '--resolve'], ['--json', '--help']);
    if (args.flags.has('--help')) {
      io.stdout(`${CHECK_IDP_USAGE}\n`);
      return 0;
    }
    const { config } = loadConfig(io.configDir ?? (process.env.GATEWAY_CONFIG_DIR || DEFAULT_CONFIG_DIR));
    const environment = environmentOf(config, single(args, '--env'));
    const only = single(args, '--idp');
    const providers = only === undefined ? config.identityProviders : config.identityProviders.filter((p) => p.id === only);
    if (providers.length === 0) throw new UsageError(`unknown identity provider ${JSON.stringify(only)}; configured: ${config.identityProviders.map((p) => p.id).join(', ')}`);
    const resolve = parseResolve(args.values.get('--resolve') ?? []);
    const fetchImpl = resolvingFetch(resolve);
    // What the environment's authorizer trusts: on an emulator environment with a development IdP,
    // its loopback stand-in for each provider, as explain-token uses it.
    const trusted = providers.map((idp) => ({ ...idp, ...trustedEndpoints(environment, idp) }));
    const reports = await Promise.all(trusted.map((idp) => checkIdentityProvider(idp, { fetch: fetchImpl })));
    io.stdout(args.flags.has('--json') ? `${JSON.stringify({ environment: environment.name, reports }, null, 2)}\n` : renderIdpReports(environment.name, reports));
    return reports.some((r) => r.findings.length > 0) ? 1 : 0;
  } catch (err) {
    return failed(err, io, CHECK_IDP_USAGE);
  }
}

function failed(err: unknown, io: CliIo, usage: string): number {
  if (err instanceof UsageError) {
    io.stderr(`error: ${err.message}\n${usage}\n`);
    return 2;
  }
  io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return 2;
}
