/**
 * The bucket of a sharded environment's tenant tables (`tenantShards`), owned by the core stack:
 * each shard stack publishes its shard's table as one object (`tenant-tables/tenants-<i>.json`,
 * `aws_s3_object`), and the authorizer reads the object of a tenant's shard. The tables stay out
 * of the authorizer's bundle, so a tenant change plans its shard stack and leaves the core alone.
 *
 * Private like the state bucket: encrypted by default (SSE-S3, so readers need no KMS grant),
 * versioned (every published table recoverable), public access blocked, ACLs off, TLS-only policy
 * (off on a plain-http emulator, with a suppression). Its name is generated (`bucket_prefix`);
 * everything in it is derived from the config, so destroy empties it (`force_destroy`).
 */
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { lockDownBucket } from './private-bucket-access';
import { TENANT_TABLE_KEY_PREFIX } from '../../functions/shared/tenant-shard';

/** Longest `bucket_prefix` S3 allows (63 characters minus the 26 Terraform appends). */
const MAX_BUCKET_PREFIX = 37;
/** Days a replaced table version is kept. */
const NONCURRENT_VERSION_DAYS = 30;

export interface TenantTableBucketProps {
  /** `bedrock-gw-<environment>`. */
  readonly namePrefix: string;
  /** Attach the TLS-only bucket policy. Off only for a plain-http emulator (moto enforces policies). @default true */
  readonly denyInsecureTransport?: boolean;
  /**
   * Expire replaced table versions after 30 days (a lifecycle rule). Off only on an emulator, whose
   * buckets go with it: provider 5.100 waits about a minute for a lifecycle configuration to settle.
   * @default true
   */
  readonly expireReplacedVersions?: boolean;
}

/** The bucket's `bucket_prefix` (`<namePrefix>-tables-`, cut to fit): the deployer policy scopes the shards' table objects to it. */
export function tenantTableBucketPrefix(namePrefix: string): string {
  const prefix = `${namePrefix}-tables-`;
  return prefix.length <= MAX_BUCKET_PREFIX ? prefix : `${prefix.slice(0, MAX_BUCKET_PREFIX - 1)}-`;
}

export class TenantTableBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  /** Absent when `denyInsecureTransport` is false. */
  readonly policy?: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: TenantTableBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: tenantTableBucketPrefix(props.namePrefix),
      forceDestroy: true,
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    ({ publicAccessBlock: this.publicAccessBlock, policy: this.policy } = lockDownBucket(this, this.bucket, props.denyInsecureTransport ?? true));
    if (props.expireReplacedVersions ?? true) {
      new S3BucketLifecycleConfiguration(this, 'lifecycle', {
        bucket: this.bucket.id,
        rule: [{ id: 'expire-replaced-tables', status: 'Enabled', filter: [{ prefix: TENANT_TABLE_KEY_PREFIX }], noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_VERSION_DAYS }] }],
        dependsOn: [versioning],
      });
    }
  }

  /** ARN pattern of the tables: what the authorizer may read, and nothing else. */
  get tablesArn(): string {
    return `${this.bucket.arn}/${TENANT_TABLE_KEY_PREFIX}*`;
  }
}
