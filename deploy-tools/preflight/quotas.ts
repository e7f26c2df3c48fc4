/**
 * The API Gateway quotas a deploy can run into, against what the synthesized stack needs:
 * usage plans and API keys per account and region (what exists already, minus this
 * environment's own, plus what the stack creates), and the integration timeout above 29 s.
 *
 * Quotas are read from Service Quotas (ListServiceQuotas: applied values; the defaults from
 * ListAWSDefaultServiceQuotas where none was applied) and matched by name, not by code.
 * API Gateway quotas: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 * Raising the integration timeout above 29 s "might require a reduction in your account-level
 * throttle quota" (What's New, 2024-06-04:
 * https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/).
 */
import { APIGatewayClient, GetApiKeysCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { ListAWSDefaultServiceQuotasCommand, ListServiceQuotasCommand, ServiceQuotasClient, type ServiceQuota } from '@aws-sdk/client-service-quotas';
import { resourceNamePrefix } from '../../gateway-config/derive';
import { AWS_LIMITS, type Environment } from '../../gateway-config/schema';
import { resourcesOfType, type StackJson } from '../synthesized-stacks';
import { cannotCheck, describeError, fail, isNotImplemented, pass, type CheckResult } from './check';
import { clientConfig, type AwsTarget } from './target';

/** Without a quota increase, API Gateway waits at most 29 s for an integration. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

/** Service Quotas names (per account and region; "Usage plans per API key" must not match). */
export const QUOTA_NAMES = {
  usagePlans: /^usage plans per account/i,
  apiKeys: /^api keys( per account)?( per region)?$/i,
  integrationTimeout: /^maximum integration timeout/i,
} as const;

async function listQuotas(client: ServiceQuotasClient): Promise<ServiceQuota[]> {
  const collect = async (applied: boolean): Promise<ServiceQuota[]> => {
    const out: ServiceQuota[] = [];
    let NextToken: string | undefined;
    do {
      const page = applied
        ? await client.send(new ListServiceQuotasCommand({ ServiceCode: 'apigateway', NextToken }))
        : await client.send(new ListAWSDefaultServiceQuotasCommand({ ServiceCode: 'apigateway', NextToken }));
      out.push(...(page.Quotas ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  };
  const applied = await collect(true);
  const defaults = await collect(false);
  return [...applied, ...defaults.filter((d) => !applied.some((a) => a.QuotaCode === d.QuotaCode))];
}

async function countOthers(apigw: APIGatewayClient, what: 'plans' | 'keys', ownPrefix: string): Promise<number> {
  let position: string | undefined;
  let count = 0;
  do {
    const page = what === 'plans' ? await apigw.send(new GetUsagePlansCommand({ limit: 500, position })) : await apigw.send(new GetApiKeysCommand({ limit: 500, position }));
    count += (page.items ?? []).filter((item) => !(item.name ?? '').startsWith(`${ownPrefix}-`)).length;
    position = page.position;
  } while (position);
  return count;
}

/**
 * `stacks`: the gateway stack, then its tenant shard stacks (`gatewayStacks`): with `tenantShards`
 * the tenants' API keys and own usage plans are in the shards, so all of them are counted.
 */
export async function checkQuotas(environment: Environment, stacks: readonly StackJson[], target: AwsTarget): Promise<CheckResult[]> {
  const region = environment.region;
  const ownPrefix = resourceNamePrefix(environment);
  let quotas: ServiceQuota[] | undefined;
  let quotaError = '';
  let quotaFix = 'grant servicequotas:ListServiceQuotas and servicequotas:ListAWSDefaultServiceQuotas, or compare in the Service Quotas console';
  try {
    quotas = await listQuotas(new ServiceQuotasClient(clientConfig(target, region)));
  } catch (err) {
    quotaError = `Service Quotas: ${describeError(err)}`;
    if (isNotImplemented(err)) quotaFix = 'run preflight against the AWS account to compare with the applied quota';
  }
  const quotaValue = (name: RegExp) => quotas?.find((q) => name.test(q.QuotaName ?? ''))?.Value;
  const apigw = new APIGatewayClient(clientConfig(target, region));
  const results: CheckResult[] = [];

  for (const [key, what, type, fallback] of [
    ['usagePlans', 'plans', 'aws_api_gateway_usage_plan', AWS_LIMITS.usagePlansPerRegion],
    ['apiKeys', 'keys', 'aws_api_gateway_api_key', AWS_LIMITS.apiKeysPerRegion],
  ] as const) {
    const id = `quota.${key === 'usagePlans' ? 'usage-plans' : 'api-keys'}`;
    const noun = key === 'usagePlans' ? 'usage plans' : 'API keys';
    const title = `${noun} per account in ${region} suffice`;
    const needed = stacks.reduce((n, stack) => n + resourcesOfType(stack, type).length, 0);
    let others: number;
    try {
      others = await countOthers(apigw, what, ownPrefix);
    } catch (err) {
      results.push(fail(id, title, `cannot list existing ${noun}: ${describeError(err)}`, `grant apigateway:GET on arn:aws:apigateway:${region}::/${what === 'plans' ? 'usageplans' : 'apikeys'}`));
      continue;
    }
    const quota = quotaValue(QUOTA_NAMES[key]);
    const shards = stacks.length - 1;
    const need = `${shards === 0 ? 'this stack needs' : `the core stack and its ${shards} tenant shard stack${shards === 1 ? '' : 's'} need`} ${needed}, ${others} other${others === 1 ? '' : 's'} exist in the account`;
    if (quota === undefined) {
      results.push(
        cannotCheck(id, title, `${need}; the quota could not be read (${quotaError || `no ${noun} quota listed by Service Quotas`}); the default is ${fallback}`, quotaFix),
      );
    } else if (needed + others > quota) {
      results.push(fail(id, title, `${need}: ${needed + others} > quota ${quota}`, `request an increase of API Gateway's ${noun} quota in Service Quotas (${region}), or remove unused ${noun}`));
    } else {
      results.push(pass(id, title, `${need}: ${needed + others} of ${quota}`));
    }
  }

  const timeout = environment.integrationTimeoutMs;
  const title = 'integration timeout allowed';
  if (timeout <= DEFAULT_INTEGRATION_TIMEOUT_MS) {
    results.push(pass('quota.integration-timeout', title, `${timeout} ms is within the default ${DEFAULT_INTEGRATION_TIMEOUT_MS} ms (no quota increase needed; generations longer than that end in 504)`));
  } else {
    const quota = quotaValue(QUOTA_NAMES.integrationTimeout);
    const fix = `request "Maximum integration timeout in milliseconds" >= ${timeout} for API Gateway in Service Quotas (${region}); raising it may lower the account-level throttle quota (docs/deploying-to-aws.md#long-generations-and-the-integration-timeout)`;
    if (quota === undefined) results.push(cannotCheck('quota.integration-timeout', title, `integrationTimeoutMs ${timeout} needs a quota above ${DEFAULT_INTEGRATION_TIMEOUT_MS} ms; the quota could not be read (${quotaError || 'not listed by Service Quotas'})`, fix));
    else if (quota < timeout) results.push(fail('quota.integration-timeout', title, `integrationTimeoutMs ${timeout} > quota ${quota} ms: the integration update would be refused`, fix));
    else results.push(pass('quota.integration-timeout', title, `integrationTimeoutMs ${timeout} <= quota ${quota} ms`));
  }
  return results;
}
