/**
 * Every catalogue model offered in the environment's region and accessible to the account;
 * for an inference profile, the regions it routes to (which the config must list, because the
 * gateway role may invoke the foundation model only there) and the model's access in each.
 *
 * Bedrock calls (read-only): GetFoundationModelAvailability (region offer, agreement,
 * entitlement, authorization of one model for the calling account) and GetInferenceProfile
 * (its `models[].modelArn`, one foundation-model ARN per region it routes to). Bedrock API
 * reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetFoundationModelAvailability.html
 * and https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetInferenceProfile.html
 */
import { BedrockClient, GetFoundationModelAvailabilityCommand, GetInferenceProfileCommand } from '@aws-sdk/client-bedrock';
import type { Environment, GatewayConfig, Model } from '../../gateway-config/schema';
import { cannotCheck, describeError, fail, isNotImplemented, pass, type CheckResult } from './check';
import { clientConfig, type AwsTarget } from './target';

const ACCESS_FIX = (region: string) =>
  `request access in the Bedrock console (region ${region}) under Model access; some providers need a use-case form or an AWS Marketplace subscription (docs/deploying-to-aws.md#bedrock-model-access)`;

class BedrockUnavailable extends Error {
  constructor(readonly cause: unknown) {
    super(describeError(cause));
  }
}

/** The region of a foundation-model ARN (`arn:aws:bedrock:us-east-2::foundation-model/...`). */
export function regionOfModelArn(arn: string): string {
  return arn.split(':')[3];
}

async function foundationModelResult(client: BedrockClient, modelId: string, region: string, id: string): Promise<CheckResult> {
  const title = `${modelId} offered and accessible in ${region}`;
  try {
    const a = await client.send(new GetFoundationModelAvailabilityCommand({ modelId }));
    if (a.regionAvailability !== 'AVAILABLE') return fail(id, title, `not offered in ${region}`, `choose a model offered in ${region} (aws bedrock list-foundation-models --region ${region}) or route through an inference profile`);
    const problems = [
      a.authorizationStatus !== 'AUTHORIZED' ? `authorization ${a.authorizationStatus}` : '',
      a.entitlementAvailability !== 'AVAILABLE' ? `entitlement ${a.entitlementAvailability}` : '',
      a.agreementAvailability?.status !== 'AVAILABLE' ? `agreement ${a.agreementAvailability?.status}${a.agreementAvailability?.errorMessage ? ` (${a.agreementAvailability.errorMessage})` : ''}` : '',
    ].filter(Boolean);
    return problems.length === 0 ? pass(id, title, 'offered, authorized, entitled, agreement accepted') : fail(id, title, `no access for this account: ${problems.join(', ')}`, ACCESS_FIX(region));
  } catch (err) {
    if (isNotImplemented(err)) throw new BedrockUnavailable(err);
    const name = (err as { name?: string }).name;
    if (name === 'AccessDeniedException') return cannotCheck(id, title, describeError(err), 'grant bedrock:GetFoundationModelAvailability to the identity running preflight');
    if (name === 'ResourceNotFoundException' || name === 'ValidationException') return fail(id, title, `unknown in ${region}: ${describeError(err)}`, `check the id in config/models.ts against aws bedrock list-foundation-models --region ${region}`);
    return fail(id, title, describeError(err), ACCESS_FIX(region));
  }
}

async function modelResults(model: Model, environment: Environment, clientIn: (region: string) => BedrockClient): Promise<CheckResult[]> {
  const region = environment.region;
  if (model.kind === 'foundation-model') return [await foundationModelResult(clientIn(region), model.id, region, `bedrock.model.${model.id}`)];
  const id = `bedrock.profile.${model.id}`;
  const title = `inference profile ${model.id} routes only to configured regions`;
  let routed: string[];
  try {
    const profile = await clientIn(region).send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: model.id }));
    if (profile.status !== 'ACTIVE') return [fail(id, title, `status ${profile.status}`, 'choose an active inference profile (aws bedrock list-inference-profiles)')];
    routed = [...new Set((profile.models ?? []).map((m) => regionOfModelArn(m.modelArn ?? '')))].sort();
  } catch (err) {
    if (isNotImplemented(err)) throw new BedrockUnavailable(err);
    if ((err as { name?: string }).name === 'AccessDeniedException') return [cannotCheck(id, title, describeError(err), 'grant bedrock:GetInferenceProfile to the identity running preflight')];
    return [fail(id, title, `not offered in ${region}: ${describeError(err)}`, `choose a profile offered in ${region} (aws bedrock list-inference-profiles --region ${region})`)];
  }
  if (model.regions === undefined) {
    // A global profile: IAM allows the region-less model ARN, so any region it routes to is allowed;
    // access is still checked in each of them below.
    const results = [pass(id, title, `global profile: routes to ${routed.join(', ')}; the gateway role may invoke it in any region`)];
    for (const r of routed) results.push(await foundationModelResult(clientIn(r), model.foundationModel, r, `bedrock.profile.${model.id}@${r}`));
    return results;
  }
  const regions = model.regions;
  const missing = routed.filter((r) => !regions.includes(r));
  const results = [
    missing.length === 0
      ? pass(id, title, `routes to ${routed.join(', ')}; configured ${regions.join(', ')}`)
      : fail(id, title, `routes to ${routed.join(', ')}, but the config lists ${regions.join(', ')}: requests routed to ${missing.join(', ')} would be denied (the gateway role may invoke the model only in listed regions)`, `set regions: [${routed.map((r) => `'${r}'`).join(', ')}] for ${model.id} in config/models.ts`),
  ];
  for (const r of routed) results.push(await foundationModelResult(clientIn(r), model.foundationModel, r, `bedrock.profile.${model.id}@${r}`));
  return results;
}

export async function checkModels(config: GatewayConfig, environment: Environment, target: AwsTarget): Promise<CheckResult[]> {
  const clients = new Map<string, BedrockClient>();
  const clientIn = (region: string) => clients.get(region) ?? clients.set(region, new BedrockClient(clientConfig(target, region))).get(region)!;
  const results: CheckResult[] = [];
  try {
    for (const model of config.models) results.push(...(await modelResults(model, environment, clientIn)));
  } catch (err) {
    if (!(err instanceof BedrockUnavailable)) throw err;
    return [
      cannotCheck(
        'bedrock.models',
        `${config.models.length} catalogue models offered and accessible`,
        `the target does not implement Bedrock's model catalogue (GetFoundationModelAvailability, GetInferenceProfile): ${err.message}`,
        'run preflight against the AWS account to check model access',
      ),
    ];
  }
  return results;
}
