/**
 * `npm run usage -- --env <name> [--period current|previous|YYYY-MM-DD] [--json]`: per tenant,
 * tokens in and out, cost, budget, percent used, state and when it resets, read from the
 * environment's token ledger. For an emulator environment it reads the emulator `npm start --
 * --keep` left running; otherwise the default AWS credentials and the environment's region.
 *
 * Exit codes: 0 printed; 1 config invalid or the ledger unreadable; 2 bad usage.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildMeteringSettings } from '../gateway-config/budgets';
import { resourceNamePrefix } from '../gateway-config/derive';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { buildUsageReport, formatUsageReport, parsePeriodChoice, type PeriodChoice } from '../usage-report/report';
import { readKeptEmulator } from './lib/kept-emulator';
import { EMULATOR_SDK_CREDENTIALS } from './lib/moto';

const USAGE = 'usage: npm run usage -- --env <name> [--period current|previous|YYYY-MM-DD] [--json]';

export interface UsageArgs {
  readonly env: string;
  readonly period: PeriodChoice;
  readonly json: boolean;
}

export function parseUsageArgs(argv: readonly string[]): UsageArgs | string {
  let env: string | undefined;
  let period: PeriodChoice = 'current';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--env' || arg === '--period') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return `${arg} needs a value\n${USAGE}`;
      i++;
      if (arg === '--env') env = value;
      else {
        const choice = parsePeriodChoice(value);
        if (choice === null) return `--period must be current, previous or a date YYYY-MM-DD (got ${JSON.stringify(value)})\n${USAGE}`;
        period = choice;
      }
    } else return `unknown argument ${arg}\n${USAGE}`;
  }
  if (env === undefined) return `--env is required\n${USAGE}`;
  return { env, period, json };
}

async function main(): Promise<number> {
  const args = parseUsageArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    return 2;
  }
  const { config } = loadConfig(process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR);
  const environment = config.environments.find((e) => e.name === args.env);
  if (!environment) {
    console.error(`no environment ${JSON.stringify(args.env)} in config; environments: ${config.environments.map((e) => e.name).join(', ')}`);
    return 2;
  }
  if (!environment.tokenBudgets) {
    console.error(`environment ${environment.name} has no tokenBudgets: nothing is metered there`);
    return 1;
  }
  let clientConfig: Record<string, unknown> = { region: environment.region };
  if (environment.emulator) {
    const kept = readKeptEmulator();
    if (!kept) {
      console.error(`environment ${environment.name} runs on an emulator, and none is running: deploy with npm start -- --keep first`);
      return 1;
    }
    clientConfig = { ...clientConfig, endpoint: kept.endpoint, credentials: { ...EMULATOR_SDK_CREDENTIALS } };
  }
  const dynamodb = new DynamoDBClient(clientConfig);
  const apiGateway = new APIGatewayClient(clientConfig);
  try {
    const rows = await buildUsageReport(buildMeteringSettings(config, environment), {
      dynamodb,
      apiGateway,
      tableName: `${resourceNamePrefix(environment)}-token-ledger`,
      period: args.period,
    });
    console.log(args.json ? JSON.stringify({ environment: environment.name, period: args.period, tenants: rows }, null, 2) : formatUsageReport(environment.name, rows));
    return 0;
  } catch (err) {
    console.error(`cannot read the token ledger of ${environment.name}: ${(err as Error).message}`);
    return 1;
  } finally {
    dynamodb.destroy();
    apiGateway.destroy();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
