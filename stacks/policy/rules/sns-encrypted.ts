import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

export const snsEncrypted: PolicyRule = {
  id: 'BAG-SNS1',
  info: 'Every SNS topic is encrypted at rest.',
  explanation: 'Alert messages name tenants, budgets and usage. Set kms_master_key_id (alias/aws/sns or a customer managed key).',
  severity: 'error',
  sources: ['AwsSolutions-SNS2', 'CKV_AWS_26'],
  evaluate({ type, config }) {
    if (type !== 'aws_sns_topic') return NOT_APPLICABLE;
    return typeof config.kms_master_key_id === 'string' && config.kms_master_key_id !== '' ? COMPLIANT : nonCompliant('kms_master_key_id is not set');
  },
};
