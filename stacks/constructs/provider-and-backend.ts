/**
 * The AWS provider and the state backend of one environment. Emulator environments point
 * both at a loopback endpoint with dummy credentials and the provider's skip flags.
 */
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces, TerraformStack } from 'cdktf';
import { AwsProvider, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import type { Environment } from '../../gateway-config/schema';

export const PROJECT_TAG = 'bedrock-ai-gateway';

/** Services the stacks touch; all are redirected to the emulator in emulator environments. */
export const EMULATED_SERVICES = ['acm', 'apigateway', 'bedrock', 'cloudwatch', 'dynamodb', 'events', 'iam', 'kms', 'lambda', 'logs', 'route53', 's3', 'sns', 'sqs', 'sts', 'wafv2'] as const;

/** Credentials the emulator accepts; never real ones. */
export const EMULATOR_CREDENTIALS = { accessKey: 'testing', secretKey: 'testing' } as const;

/** Provider settings that send every service to a local emulator, with dummy credentials and no AWS-side checks. */
export function emulatorProviderSettings(endpoint: string): Partial<AwsProviderConfig> {
  return {
    ...EMULATOR_CREDENTIALS,
    skipCredentialsValidation: true,
    skipMetadataApiCheck: 'true',
    skipRequestingAccountId: true,
    skipRegionValidation: true,
    s3UsePathStyle: true,
    endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, endpoint]))],
  };
}

export function configureProvider(stack: TerraformStack, environment: Environment): AwsProvider {
  return new AwsProvider(stack, 'aws', {
    region: environment.region,
    defaultTags: [
      { tags: { ...environment.tags, project: PROJECT_TAG, environment: environment.name, 'managed-by': 'cdktf' } },
    ],
    ...(environment.emulator ? emulatorProviderSettings(environment.emulator.endpoint) : {}),
  });
}

/** The state key of an environment: `<prefix>/<environment>/terraform.tfstate`. */
export function stateKey(prefix: string, environmentName: string): string {
  return `${prefix}/${environmentName}/terraform.tfstate`;
}

export function configureBackend(stack: TerraformStack, environment: Environment): void {
  const state = environment.state;
  switch (state.backend) {
    case 's3': {
      const emulator = environment.emulator;
      const backend = new S3Backend(stack, {
        bucket: state.bucket,
        key: stateKey(state.keyPrefix, environment.name),
        region: state.region ?? environment.region,
        encrypt: true,
        ...(state.kmsKeyId ? { kmsKeyId: state.kmsKeyId } : {}),
        ...(emulator
          ? {
              ...EMULATOR_CREDENTIALS,
              endpoints: { s3: emulator.endpoint, sts: emulator.endpoint, iam: emulator.endpoint },
              usePathStyle: true,
              skipCredentialsValidation: true,
              skipRequestingAccountId: true,
              skipMetadataApiCheck: true,
              skipRegionValidation: true,
            }
          : {}),
      });
      // Native S3 locking (Terraform >= 1.10); cdktf 0.21's S3Backend type predates the field.
      backend.addOverride('use_lockfile', true);
      return;
    }
    case 'cloud':
      new CloudBackend(stack, {
        organization: state.organization,
        // Validation guarantees exactly one of workspace / workspaceTags.
        workspaces: state.workspace ? new NamedCloudWorkspace(state.workspace, state.project) : new TaggedCloudWorkspaces([...(state.workspaceTags ?? [])], state.project),
        ...(state.hostname ? { hostname: state.hostname } : {}),
      });
      return;
    case 'local':
      new LocalBackend(stack, { path: state.path ?? `terraform.${environment.name}.tfstate` });
      return;
  }
}
