import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

export const sqsEncrypted: PolicyRule = {
  id: 'BAG-SQS1',
  info: 'Every SQS queue is encrypted at rest, explicitly.',
  explanation: 'Queued metering records name tenants and usage. Set sqs_managed_sse_enabled = true or kms_master_key_id, so the plan shows it rather than relying on the account default.',
  severity: 'error',
  sources: ['AwsSolutions-SQS2', 'CKV_AWS_27'],
  evaluate({ type, config }) {
    if (type !== 'aws_sqs_queue') return NOT_APPLICABLE;
    if (typeof config.kms_master_key_id === 'string' && config.kms_master_key_id !== '') return COMPLIANT;
    return config.sqs_managed_sse_enabled === true ? COMPLIANT : nonCompliant('neither sqs_managed_sse_enabled nor kms_master_key_id is set');
  },
};
