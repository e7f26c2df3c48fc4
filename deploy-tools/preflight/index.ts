/**
 * `npm run preflight -- --env <name>`: read-only checks that a first (or next) deploy of one
 * environment can succeed, against the account and region the environment targets (or its
 * emulator). Each check is data (`check.ts`); the run fails when any check fails.
 */
import type { GatewayConfig } from '../../gateway-config/schema';
import { gatewayStacks, synthesizeEnvironment, type EnvironmentStacks } from '../synthesized-stacks';
import type { CheckResult } from './check';
import { checkHostedZone, checkWebAcls } from './edge';
import { checkCredentials } from './identity';
import { checkInvocationLogging } from './invocation-logging';
import { checkModels } from './models';
import { checkQuotas } from './quotas';
import { checkStateBackend } from './state-backend';
import { targetOf, type AwsTarget } from './target';
import { checkProvider, checkTerraformCli } from './terraform-tools';

export interface PreflightOptions {
  /** Send the calls to this endpoint instead of the environment's own (tests: a fresh emulator). */
  readonly endpoint?: string;
  /** Already synthesized stacks of the environment (skips synthesis). */
  readonly stacks?: EnvironmentStacks;
}

export interface PreflightReport {
  readonly environment: string;
  readonly target: AwsTarget;
  readonly results: CheckResult[];
}

export async function runPreflight(config: GatewayConfig, environmentName: string, options: PreflightOptions = {}): Promise<PreflightReport> {
  const stacks = options.stacks ?? synthesizeEnvironment(config, environmentName);
  const environment = stacks.environment;
  const target = targetOf(environment, options.endpoint);
  const results: CheckResult[] = [checkTerraformCli(), checkProvider(stacks.gateway)];
  const credentials = await checkCredentials(environment, target);
  results.push(credentials.result);
  // Without an identity every AWS call below fails the same way; the credentials fix comes first.
  if (credentials.result.status === 'fail') return { environment: environment.name, target, results };
  results.push(...(await checkStateBackend(environment, target)));
  results.push(...(await checkModels(config, environment, target)));
  results.push(...(await checkQuotas(environment, gatewayStacks(stacks), target)));
  results.push(...(await checkHostedZone(environment, target)));
  results.push(...(await checkWebAcls(environment, stacks.gateway, target)));
  results.push(...(await checkInvocationLogging(environment, stacks.gateway, target)));
  return { environment: environment.name, target, results };
}
