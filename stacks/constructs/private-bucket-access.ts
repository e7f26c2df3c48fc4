/**
 * The access lock-down every bucket of this project gets: ACLs off (the owner owns every object,
 * so only policies decide access), all public access blocked, and a policy that denies every
 * request not made over TLS. Created in `scope` with fixed ids (`ownership`,
 * `public-access-block`, `policy`), so the Terraform addresses of the buckets that use it are
 * those they had before it was shared.
 */
import type { Construct } from 'constructs';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';

export interface PrivateBucketAccess {
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  /** Absent when `denyInsecureTransport` is false. */
  readonly policy?: S3BucketPolicy;
}

/**
 * @param denyInsecureTransport attach the TLS-only policy; only a plain-HTTP emulator, which
 * enforces bucket policies, turns it off.
 */
export function lockDownBucket(scope: Construct, bucket: S3Bucket, denyInsecureTransport: boolean): PrivateBucketAccess {
  new S3BucketOwnershipControls(scope, 'ownership', { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, 'public-access-block', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  if (!denyInsecureTransport) return { publicAccessBlock };
  const policy = new S3BucketPolicy(scope, 'policy', {
    bucket: bucket.id,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.arn, `${bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
    // S3 refuses concurrent bucket-configuration writes; the policy goes in after the block.
    dependsOn: [publicAccessBlock],
  });
  return { publicAccessBlock, policy };
}
