import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, type PolicyRule } from '../rule';

export const dynamodbPointInTimeRecovery: PolicyRule = {
  id: 'BAG-DDB2',
  info: 'Every DynamoDB table has point-in-time recovery.',
  explanation: 'A metering ledger lost to a bad write or a deleted item cannot be rebuilt from Bedrock\'s logs alone. Set point_in_time_recovery { enabled = true }.',
  severity: 'warning',
  sources: ['AwsSolutions-DDB3', 'CKV_AWS_28'],
  evaluate({ type, config }) {
    if (type !== 'aws_dynamodb_table') return NOT_APPLICABLE;
    return block(config.point_in_time_recovery).enabled === true ? COMPLIANT : nonCompliant('point_in_time_recovery.enabled is not true');
  },
};
