/**
 * The state backend: an S3 bucket created by the bootstrap stack (exists, versioned, encrypted),
 * a Terraform Cloud workspace (not reachable from here: cannot-check), or a local file.
 */
import { GetBucketEncryptionCommand, GetBucketVersioningCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Environment } from '../../gateway-config/schema';
import { stateStackId } from '../../stacks/state-stack';
import { cannotCheck, describeError, fail, isNotImplemented, pass, type CheckResult } from './check';
import { clientConfig, type AwsTarget } from './target';

export function bootstrapFix(bucket: string): string {
  return `run the bootstrap once for this bucket: npm run cdktf -- deploy ${stateStackId({ bucket })} (docs/deploying-to-aws.md#bootstrap-the-state-bucket-once)`;
}

export async function checkStateBackend(environment: Environment, target: AwsTarget): Promise<CheckResult[]> {
  const state = environment.state;
  if (state.backend === 'cloud') {
    return [
      cannotCheck(
        'state-backend',
        'state backend reachable',
        `state lives in Terraform Cloud (organization ${state.organization}, ${state.workspace ? `workspace ${state.workspace}` : `workspaces tagged ${(state.workspaceTags ?? []).join(', ')}`}); preflight calls AWS only`,
        'check with `terraform login` (or TF_TOKEN_app_terraform_io) and `npm run plan -- <environment>`',
      ),
    ];
  }
  if (state.backend === 'local') {
    return [pass('state-backend', 'state backend reachable', `local state file ${state.path ?? `terraform.${environment.name}.tfstate`}: nothing to create (not for teams: nothing locks or shares it)`)];
  }
  const region = state.region ?? environment.region;
  const s3 = new S3Client(clientConfig(target, region));
  const bucket = state.bucket;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return [fail('state-bucket.exists', 'state bucket exists', `bucket ${bucket} does not exist (region ${region})`, bootstrapFix(bucket))];
    if (status === 403) {
      return [
        fail(
          'state-bucket.exists',
          'state bucket exists',
          `bucket ${bucket} exists but this identity may not read it (S3 bucket names are global: another account may own it)`,
          `grant s3:ListBucket on arn:aws:s3:::${bucket} (npm run deployer-policy -- --env ${environment.name}), or choose a globally unique name in config/environments.ts`,
        ),
      ];
    }
    return [fail('state-bucket.exists', 'state bucket exists', describeError(err), bootstrapFix(bucket))];
  }
  const results = [pass('state-bucket.exists', 'state bucket exists', `bucket ${bucket} (region ${region})`)];
  try {
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    results.push(
      versioning.Status === 'Enabled'
        ? pass('state-bucket.versioning', 'state bucket is versioned', 'versioning Enabled: every state version can be restored')
        : fail(
            'state-bucket.versioning',
            'state bucket is versioned',
            `versioning is ${versioning.Status ?? 'off (never enabled)'}: an overwritten state cannot be restored`,
            `deploy the bootstrap stack (it enables versioning): npm run cdktf -- deploy ${stateStackId({ bucket })}`,
          ),
    );
  } catch (err) {
    results.push(isNotImplemented(err) ? cannotCheck('state-bucket.versioning', 'state bucket is versioned', describeError(err), 'check versioning in the S3 console') : fail('state-bucket.versioning', 'state bucket is versioned', describeError(err), 'grant s3:GetBucketVersioning to run this check'));
  }
  try {
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const rule = encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    const algorithm = rule?.SSEAlgorithm;
    if (!algorithm) {
      results.push(fail('state-bucket.encryption', 'state bucket is encrypted', 'no default encryption rule', `deploy the bootstrap stack: npm run cdktf -- deploy ${stateStackId({ bucket })}`));
    } else if (state.kmsKeyId && !algorithm.startsWith('aws:kms')) {
      results.push(fail('state-bucket.encryption', 'state bucket is encrypted', `default encryption is ${algorithm}, but state.kmsKeyId is configured`, `deploy the bootstrap stack so the bucket uses ${state.kmsKeyId}`));
    } else {
      results.push(pass('state-bucket.encryption', 'state bucket is encrypted', `default encryption ${algorithm}${rule?.KMSMasterKeyID ? ` with ${rule.KMSMasterKeyID}` : ''}`));
    }
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'ServerSideEncryptionConfigurationNotFoundError') {
      results.push(fail('state-bucket.encryption', 'state bucket is encrypted', 'no default encryption configuration', `deploy the bootstrap stack: npm run cdktf -- deploy ${stateStackId({ bucket })}`));
    } else if (isNotImplemented(err)) {
      results.push(cannotCheck('state-bucket.encryption', 'state bucket is encrypted', describeError(err), 'check default encryption in the S3 console'));
    } else {
      results.push(fail('state-bucket.encryption', 'state bucket is encrypted', describeError(err), 'grant s3:GetEncryptionConfiguration to run this check'));
    }
  }
  return results;
}
