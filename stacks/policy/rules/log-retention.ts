import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

export const logRetention: PolicyRule = {
  id: 'BAG-LOG1',
  info: 'Every log group has a retention period.',
  explanation: 'Without retention, audit and access logs are kept (and billed) forever. Set logRetentionDays in the environment.',
  evaluate({ type, config }) {
    if (type !== 'aws_cloudwatch_log_group') return NOT_APPLICABLE;
    return typeof config.retention_in_days === 'number' && config.retention_in_days > 0 ? COMPLIANT : nonCompliant('retention_in_days is not set');
  },
};
