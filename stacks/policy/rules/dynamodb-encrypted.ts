import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, type PolicyRule } from '../rule';

export const dynamodbEncrypted: PolicyRule = {
  id: 'BAG-DDB1',
  info: 'Every DynamoDB table is encrypted with a KMS key (AWS managed or customer managed).',
  explanation: 'Without server_side_encryption the table uses an AWS owned key: its use is not in CloudTrail and access cannot be revoked through a key policy. Set server_side_encryption { enabled = true } (and kms_key_arn for a customer managed key).',
  severity: 'error',
  sources: ['CKV_AWS_119'],
  evaluate({ type, config }) {
    if (type !== 'aws_dynamodb_table') return NOT_APPLICABLE;
    return block(config.server_side_encryption).enabled === true ? COMPLIANT : nonCompliant('server_side_encryption.enabled is not true');
  },
};
