import { Testing } from 'cdktf';
import type { GatewayConfig } from '../../gateway-config/schema';
import { StateStack, stateBucketTargets, stateStackId, type StateBucketTarget } from '../../stacks/state-stack';
import { exampleConfig } from '../helpers/config';
import type { TerraformJson } from '../helpers/synth';

const config = exampleConfig();

function synthState(target: StateBucketTarget): TerraformJson {
  const app = Testing.app();
  return JSON.parse(Testing.synth(new StateStack(app, stateStackId(target), { target, statePath: 'bootstrap.tfstate' }), true)) as TerraformJson;
}

const only = (json: TerraformJson, type: string) => {
  const resources = Object.values(json.resource[type] ?? {});
  if (resources.length !== 1) throw new Error(`expected one ${type}, found ${resources.length}`);
  return resources[0];
};

const awsTarget: StateBucketTarget = {
  bucket: 'example-corp-bedrock-gateway-tfstate',
  region: 'us-east-1',
  noncurrentVersionExpirationDays: 90,
  environments: ['dev', 'prod'],
};

describe('stateBucketTargets', () => {
  test('one bootstrap target per state bucket, shared by the environments that use it', () => {
    expect(stateBucketTargets(config).map((t) => [stateStackId(t), t.region, t.environments, t.emulatorEndpoint])).toEqual([
      ['state-example-corp-bedrock-gateway-tfstate', 'us-east-1', ['dev', 'prod'], undefined],
      ['state-bedrock-gateway-local-tfstate', 'us-east-1', ['local', 'local-forwarder'], expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)],
    ]);
  });

  test('environments without an S3 backend need no state bucket', () => {
    const cloudOnly: GatewayConfig = {
      ...config,
      environments: config.environments.map((e) => ({ ...e, state: { backend: 'cloud' as const, organization: 'example-corp', workspace: e.name } })),
    };
    expect(stateBucketTargets(cloudOnly)).toEqual([]);
  });
});

describe('StateStack on AWS', () => {
  const json = synthState(awsTarget);

  test('keeps its own state in a local file', () => {
    expect(json.terraform.backend).toEqual({ local: { path: 'bootstrap.tfstate' } });
  });

  test('versioned bucket that refuses destroy', () => {
    expect(only(json, 'aws_s3_bucket')).toMatchObject({ bucket: 'example-corp-bedrock-gateway-tfstate', lifecycle: { prevent_destroy: true } });
    expect(only(json, 'aws_s3_bucket_versioning')).toMatchObject({ versioning_configuration: { status: 'Enabled' } });
  });

  test('default encryption with SSE-S3, or the configured KMS key', () => {
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' }, bucket_key_enabled: false },
    ]);
    const kms = synthState({ ...awsTarget, kmsKeyId: 'alias/terraform-state' });
    expect(only(kms, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: 'alias/terraform-state' }, bucket_key_enabled: true },
    ]);
  });

  test('all four public access blocks', () => {
    expect(only(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test('a bucket policy denying every request not made over TLS', () => {
    const policy = JSON.parse(only(json, 'aws_s3_bucket_policy').policy as string);
    const bucketArn = `\${${'aws_s3_bucket'}.${Object.keys(json.resource.aws_s3_bucket)[0]}.arn}`;
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });

  test('noncurrent state versions expire after the configured number of days', () => {
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([
      { id: 'expire-noncurrent-state-versions', status: 'Enabled', filter: [{ prefix: '' }], noncurrent_version_expiration: [{ noncurrent_days: 90 }] },
    ]);
    const short = synthState({ ...awsTarget, noncurrentVersionExpirationDays: 30 });
    expect(only(short, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 30 }] })]);
  });

  test('outputs name the bucket, its ARN and the environments it serves', () => {
    expect(Object.keys(json.output).sort()).toEqual(['state_bucket_arn', 'state_bucket_environments', 'state_bucket_name']);
    expect(json.output.state_bucket_environments.value).toEqual(['dev', 'prod']);
  });
});

describe('StateStack on the emulator', () => {
  const json = synthState({ ...awsTarget, bucket: 'local-tfstate', emulatorEndpoint: 'http://127.0.0.1:4599', environments: ['local'] });

  test('points the provider at the loopback endpoint with dummy credentials', () => {
    expect(json.provider.aws[0]).toMatchObject({ access_key: 'testing', secret_key: 'testing', s3_use_path_style: true, skip_credentials_validation: true });
    expect((json.provider.aws[0].endpoints as Array<Record<string, string>>)[0].s3).toBe('http://127.0.0.1:4599');
  });

  test('the emulator bucket can be destroyed and has no TLS-only policy (the emulator speaks plain HTTP)', () => {
    expect(only(json, 'aws_s3_bucket').lifecycle).toEqual({ prevent_destroy: false });
    expect(json.resource.aws_s3_bucket_policy).toBeUndefined();
  });
});
