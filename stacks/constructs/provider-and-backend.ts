/**
 * The AWS provider and the state backend of one environment. Emulator environments point
 * both at a loopback endpoint with dummy credentials and the provider's skip flags.
 */
import {
  CloudBackend,
  DataTerraformRemoteState,
  DataTerraformRemoteStateS3,
  LocalBackend,
  NamedCloudWorkspace,
  NamedRemoteWorkspace,
  S3Backend,
  TaggedCloudWorkspaces,
  type TerraformRemoteState,
  type TerraformStack,
} from 'cdktf';
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

/**
 * The state key of an environment: `<prefix>/<environment>/terraform.tfstate`; of one part of it
 * (a tenant shard): `<prefix>/<environment>/<part>/terraform.tfstate`.
 */
export function stateKey(prefix: string, environmentName: string, part?: string): string {
  return part === undefined ? `${prefix}/${environmentName}/terraform.tfstate` : `${prefix}/${environmentName}/${part}/terraform.tfstate`;
}

/** The S3 backend settings of an environment (or one part of it), shared by the backend and remote state reads. */
function s3Settings(environment: Environment, state: Extract<Environment['state'], { backend: 's3' }>, part?: string) {
  const emulator = environment.emulator;
  return {
    bucket: state.bucket,
    key: stateKey(state.keyPrefix, environment.name, part),
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
  };
}

/**
 * The core stack's outputs, read by a tenant shard stack from the core's state (same backend).
 * Validation allows shards only with s3 or a cloud backend with a named workspace.
 */
export function coreRemoteState(stack: TerraformStack, environment: Environment): TerraformRemoteState {
  const state = environment.state;
  switch (state.backend) {
    case 's3': {
      const { encrypt: _encrypt, kmsKeyId: _kms, ...read } = s3Settings(environment, state) as ReturnType<typeof s3Settings> & { kmsKeyId?: string };
      return new DataTerraformRemoteStateS3(stack, 'core', read);
    }
    case 'cloud':
      if (state.workspace === undefined) throw new Error(`environment ${environment.name}: tenant shards need state.workspace (config was not validated)`);
      return new DataTerraformRemoteState(stack, 'core', {
        organization: state.organization,
        workspaces: new NamedRemoteWorkspace(state.workspace),
        ...(state.hostname ? { hostname: state.hostname } : {}),
      });
    case 'local':
      throw new Error(`environment ${environment.name}: tenant shards need an s3 or cloud state backend (config was not validated)`);
  }
}

/** The backend of an environment's stack; `part` names a tenant shard's own state (`tenants-3`). */
export function configureBackend(stack: TerraformStack, environment: Environment, part?: string): void {
  const state = environment.state;
  switch (state.backend) {
    case 's3': {
      const backend = new S3Backend(stack, s3Settings(environment, state, part));
      // Native S3 locking (Terraform >= 1.10); cdktf 0.21's S3Backend type predates the field.
      backend.addOverride('use_lockfile', true);
      return;
    }
    case 'cloud':
      new CloudBackend(stack, {
        organization: state.organization,
        // Validation guarantees exactly one of workspace / workspaceTags.
        workspaces: state.workspace
          ? new NamedCloudWorkspace(part === undefined ? state.workspace : `${state.workspace}-${part}`, state.project)
          : new TaggedCloudWorkspaces([...(state.workspaceTags ?? [])], state.project),
        ...(state.hostname ? { hostname: state.hostname } : {}),
      });
      return;
    case 'local':
      new LocalBackend(stack, { path: state.path ?? `terraform.${environment.name}${part === undefined ? '' : `.${part}`}.tfstate` });
      return;
  }
}
