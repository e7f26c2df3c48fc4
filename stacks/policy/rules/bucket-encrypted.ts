import { COMPLIANT, NOT_APPLICABLE, block, blocks, nonCompliant, relatedResources, type PolicyRule } from '../rule';

const ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

function encrypts(configuration: Record<string, unknown>): boolean {
  return blocks(configuration.rule).some((rule) => ALGORITHMS.includes(block(rule.apply_server_side_encryption_by_default).sse_algorithm as string));
}

export const bucketEncrypted: PolicyRule = {
  id: 'BAG-BKT2',
  info: 'Every S3 bucket has default encryption.',
  explanation: 'State files hold every resource attribute, including the tenants\' API key values. Add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm AES256 or aws:kms (StateBucket does; kmsKeyId selects KMS).',
  severity: 'error',
  sources: ['AwsSolutions-S3', 'CKV_AWS_19'],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_s3_bucket') return NOT_APPLICABLE;
    if (encrypts(block(resource.config.server_side_encryption_configuration))) return COMPLIANT;
    const configurations = relatedResources(stack, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket', resource, ['bucket']);
    return configurations.some((c) => encrypts(c.config)) ? COMPLIANT : nonCompliant('no aws_s3_bucket_server_side_encryption_configuration with an sse_algorithm for this bucket');
  },
};
