/**
 * `npm run deployer-policy -- --env <name> [--account <id>] [--no-bootstrap] [--no-preflight] [--plan-only] [--split]`:
 * prints the least-privilege IAM policy (JSON) a role needs to plan, apply and destroy one
 * environment's stacks, use its state and run preflight (deploy-tools/deployer-policy/);
 * `--plan-only`: the reads a plan needs, for the review workflow's plan role. `--split`: a JSON array
 * of documents that each fit a managed policy (6,144 characters), needed when the policy is above the
 * 10,240 characters a role's inline policies hold together (prod of the example: attachmentAdvice).
 * Without `--account` the account of the current credentials is used (STS GetCallerIdentity). Exit codes: 0 printed, 1 a
 * synthesized type has no mapping or the account is unknown, 2 bad usage or invalid config.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { ConfigError } from '../gateway-config/validate';
import { attachmentAdvice, buildDeployerPolicy, policySize, splitPolicy, UnmappedResourceTypesError } from '../deploy-tools/deployer-policy/policy';
import { synthesizeEnvironment, UnknownEnvironmentError } from '../deploy-tools/synthesized-stacks';

const USAGE = 'usage: npm run deployer-policy -- --env <environment> [--account <12-digit id>] [--no-bootstrap] [--no-preflight] [--plan-only] [--split]';

interface Args {
  readonly environment: string;
  readonly account?: string;
  readonly includeBootstrap: boolean;
  readonly includePreflight: boolean;
  readonly split: boolean;
  readonly planOnly: boolean;
}

function parse(argv: readonly string[]): Args | string {
  let environment: string | undefined;
  let account: string | undefined;
  let includeBootstrap = true;
  let includePreflight = true;
  let split = false;
  let planOnly = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1] !== undefined) environment = argv[++i];
    else if (argv[i] === '--account' && /^\d{12}$/.test(argv[i + 1] ?? '')) account = argv[++i];
    else if (argv[i] === '--no-bootstrap') includeBootstrap = false;
    else if (argv[i] === '--no-preflight') includePreflight = false;
    else if (argv[i] === '--split') split = true;
    else if (argv[i] === '--plan-only') planOnly = true;
    else return `unexpected argument ${argv[i]}${argv[i] === '--account' ? ' (an account id is 12 digits)' : ''}\n${USAGE}`;
  }
  return environment ? { environment, ...(account ? { account } : {}), includeBootstrap, includePreflight, split, planOnly } : `name an environment\n${USAGE}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    return 2;
  }
  try {
    const { config } = loadConfig(process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR);
    const stacks = synthesizeEnvironment(config, args.environment);
    let account = args.account;
    if (!account) {
      try {
        account = (await new STSClient({ region: stacks.environment.region, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}))).Account;
      } catch (err) {
        process.stderr.write(`cannot tell the account from the current credentials (${(err as Error).message.split('\n')[0]}): pass --account <12-digit id>\n`);
        return 1;
      }
    }
    const result = buildDeployerPolicy(stacks, { account: account!, includeBootstrap: args.includeBootstrap, includePreflight: args.includePreflight, planOnly: args.planOnly });
    if (result.unmapped.length > 0) throw new UnmappedResourceTypesError(result.unmapped);
    if (args.split) {
      // A JSON array of policy documents, each small enough for one managed policy.
      process.stdout.write(`${JSON.stringify(splitPolicy(result.policy), null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${JSON.stringify(result.policy, null, 2)}\n`);
    // Sizes as IAM counts them (whitespace excluded); the limits and what to do: attachmentAdvice.
    const advice = attachmentAdvice(policySize(result.policy));
    if (advice) process.stderr.write(`${advice}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return err instanceof ConfigError || err instanceof UnknownEnvironmentError ? 2 : 1;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
