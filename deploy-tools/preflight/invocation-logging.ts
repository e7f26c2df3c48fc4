/**
 * Bedrock model invocation logging is one configuration per account and region. A stack that
 * manages it (`aws_bedrock_model_invocation_logging_configuration`) would overwrite a
 * configuration someone else owns; preflight compares the account's current destination with
 * the stack's. Bedrock API: GetModelInvocationLoggingConfiguration
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetModelInvocationLoggingConfiguration.html).
 */
import { BedrockClient, GetModelInvocationLoggingConfigurationCommand, type LoggingConfig } from '@aws-sdk/client-bedrock';
import type { Environment } from '../../gateway-config/schema';
import { resourcesOfType, type StackJson } from '../synthesized-stacks';
import { cannotCheck, describeError, fail, isNotImplemented, pass, type CheckResult } from './check';
import { clientConfig, type AwsTarget } from './target';

export const LOGGING_TYPE = 'aws_bedrock_model_invocation_logging_configuration';

/** Resolves `${aws_x.y.name}` to that resource's literal `name` in the same stack. */
function literal(stack: StackJson, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ref = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(name|bucket)\}$/.exec(value);
  if (!ref) return value;
  const target = stack.resource?.[ref[1]]?.[ref[2]];
  return typeof target?.[ref[3]] === 'string' ? (target[ref[3]] as string) : undefined;
}

/** The destinations the stack would configure: CloudWatch log group and S3 bucket names. */
export function stackLoggingDestinations(stack: StackJson): string[] {
  return resourcesOfType(stack, LOGGING_TYPE).flatMap((r) => {
    const cfg = ([] as Array<Record<string, unknown>>).concat((r.logging_config as never) ?? [])[0] ?? {};
    const cw = ([] as Array<Record<string, unknown>>).concat((cfg.cloudwatch_config as never) ?? [])[0];
    const s3 = ([] as Array<Record<string, unknown>>).concat((cfg.s3_config as never) ?? [])[0];
    return [literal(stack, cw?.log_group_name), literal(stack, s3?.bucket_name)].filter((d): d is string => Boolean(d));
  });
}

export function accountLoggingDestinations(config: LoggingConfig | undefined): string[] {
  return [config?.cloudWatchConfig?.logGroupName, config?.s3Config?.bucketName].filter((d): d is string => Boolean(d));
}

/** Pure decision, tested on its own: who owns the account's configuration, given both sides. */
export function decideLogging(environmentName: string, region: string, managed: boolean, stackDestinations: readonly string[], account: readonly string[]): CheckResult {
  const id = 'bedrock.invocation-logging';
  const title = 'invocation logging (one per account and region) not owned elsewhere';
  const current = account.length ? `the account logs to ${account.join(', ')}` : 'the account has no invocation logging';
  if (!managed) return pass(id, title, `environment ${environmentName} does not manage it; ${current} in ${region}`);
  if (account.length === 0) return pass(id, title, `${current} in ${region}; this stack will configure it`);
  if (account.every((d) => stackDestinations.includes(d))) return pass(id, title, `${current}: this stack's own destinations (an earlier deploy)`);
  return fail(
    id,
    title,
    `${current} in ${region}, which this stack did not configure: applying would replace it (${stackDestinations.join(', ') || 'no destination'})`,
    'agree with the owner of the current configuration (it may feed audit or cost pipelines); then remove it, or keep it and point token metering at its log group',
  );
}

export async function checkInvocationLogging(environment: Environment, gateway: StackJson, target: AwsTarget): Promise<CheckResult[]> {
  const managed = resourcesOfType(gateway, LOGGING_TYPE).length > 0;
  try {
    const current = await new BedrockClient(clientConfig(target, environment.region)).send(new GetModelInvocationLoggingConfigurationCommand({}));
    return [decideLogging(environment.name, environment.region, managed, stackLoggingDestinations(gateway), accountLoggingDestinations(current.loggingConfig))];
  } catch (err) {
    const title = 'invocation logging (one per account and region) not owned elsewhere';
    if (isNotImplemented(err)) return [cannotCheck('bedrock.invocation-logging', title, describeError(err), 'check Bedrock > Settings > Model invocation logging in the console')];
    return [(managed ? fail : cannotCheck)('bedrock.invocation-logging', title, describeError(err), 'grant bedrock:GetModelInvocationLoggingConfiguration to run this check')];
  }
}
