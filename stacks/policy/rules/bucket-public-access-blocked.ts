import { COMPLIANT, NOT_APPLICABLE, nonCompliant, relatedResources, type PolicyRule } from '../rule';

const SETTINGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'] as const;

export const bucketPublicAccessBlocked: PolicyRule = {
  id: 'BAG-BKT3',
  info: 'Every S3 bucket blocks public access (all four settings).',
  explanation: 'A public ACL or policy on the state bucket would publish the state of every environment. Add aws_s3_bucket_public_access_block with all four settings true (StateBucket does).',
  severity: 'error',
  sources: ['AwsSolutions-S2', 'CKV2_AWS_6'],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_s3_bucket') return NOT_APPLICABLE;
    const blocks = relatedResources(stack, 'aws_s3_bucket_public_access_block', 'bucket', resource, ['bucket']);
    if (blocks.length === 0) return nonCompliant('no aws_s3_bucket_public_access_block for this bucket');
    const off = SETTINGS.filter((s) => blocks[0].config[s] !== true);
    return off.length === 0 ? COMPLIANT : nonCompliant(`${off.join(', ')} ${off.length === 1 ? 'is' : 'are'} not true`);
  },
};
