import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, relatedResources, type PolicyRule } from '../rule';

export const bucketVersioned: PolicyRule = {
  id: 'BAG-BKT1',
  info: 'Every S3 bucket (the Terraform state bucket above all) is versioned.',
  explanation: 'Each state write must be a recoverable version: a bad apply or a corrupted state can then be rolled back. Add aws_s3_bucket_versioning with versioning_configuration { status = "Enabled" } (StateBucket does).',
  severity: 'error',
  sources: ['CKV_AWS_21'],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_s3_bucket') return NOT_APPLICABLE;
    if (block(resource.config.versioning).enabled === true) return COMPLIANT;
    const versioning = relatedResources(stack, 'aws_s3_bucket_versioning', 'bucket', resource, ['bucket']);
    if (versioning.some((v) => block(v.config.versioning_configuration).status === 'Enabled')) return COMPLIANT;
    return nonCompliant(versioning.length === 0 ? 'no aws_s3_bucket_versioning for this bucket' : 'versioning_configuration.status is not "Enabled"');
  },
};
