/**
 * The S3 bucket that holds the gateway stacks' Terraform state: versioned (every state
 * write is a recoverable version), encrypted by default, closed to the public, reachable
 * over TLS only, and pruned of old noncurrent versions after a configurable number of days.
 */
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { lockDownBucket } from './private-bucket-access';

/** Default for `noncurrentVersionExpirationDays`. */
export const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 90;

export interface StateBucketProps {
  readonly bucketName: string;
  /** KMS key (id, ARN or alias) for default encryption. @default SSE-S3 (AES256) */
  readonly kmsKeyId?: string;
  /** Days after which a state version that is no longer current is deleted. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Refuse `terraform destroy` of the bucket (`prevent_destroy`): losing it loses every
   * environment's state. @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Attach the bucket policy that denies every request not made over TLS. Only a plain-HTTP
   * emulator needs it off (moto enforces bucket policies, and its endpoint is http://).
   * @default true
   */
  readonly denyInsecureTransport?: boolean;
}

export class StateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  readonly encryption: S3BucketServerSideEncryptionConfigurationA;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  /** Absent when `denyInsecureTransport` is false. */
  readonly policy?: S3BucketPolicy;
  readonly lifecycle: S3BucketLifecycleConfiguration;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const days = props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS;
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`StateBucket noncurrentVersionExpirationDays must be a whole number of at least 1 day, got ${days}`);
    }

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    this.encryption = new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyId
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyId }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKeyId !== undefined,
        },
      ],
    });
    ({ publicAccessBlock: this.publicAccessBlock, policy: this.policy } = lockDownBucket(this, this.bucket, props.denyInsecureTransport ?? true));
    this.lifecycle = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-noncurrent-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: days }],
        },
      ],
      // Noncurrent-version rules only mean something once versioning is on.
      dependsOn: [this.versioning],
    });
  }
}
