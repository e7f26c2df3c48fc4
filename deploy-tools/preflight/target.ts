/**
 * Where preflight sends its read-only calls: AWS with the default credential chain, or the
 * environment's emulator endpoint with the emulator's dummy credentials.
 */
import type { Environment } from '../../gateway-config/schema';
import { EMULATOR_CREDENTIALS } from '../../stacks/constructs/provider-and-backend';

export interface AwsTarget {
  /** Set for an emulator environment: every client is pointed at it. */
  readonly endpoint?: string;
  /** What the report header says the checks ran against. */
  readonly description: string;
}

export function targetOf(environment: Environment, endpointOverride?: string): AwsTarget {
  const endpoint = endpointOverride ?? environment.emulator?.endpoint;
  return endpoint ? { endpoint, description: `emulator at ${endpoint}` } : { description: `AWS, region ${environment.region}` };
}

/** Constructor settings for any AWS SDK v3 client in `region`. */
export function clientConfig(target: AwsTarget, region: string): { region: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string }; forcePathStyle?: boolean; maxAttempts: number } {
  return target.endpoint
    ? { region, endpoint: target.endpoint, credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKey, secretAccessKey: EMULATOR_CREDENTIALS.secretKey }, forcePathStyle: true, maxAttempts: 1 }
    : { region, maxAttempts: 3 };
}
