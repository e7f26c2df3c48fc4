import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

export const logRetention: PolicyRule = {
  id: 'BAG-LOG1',
  info: 'Every log group has a retention period of at least policy.minimumLogRetentionDays.',
  explanation: 'Without retention, audit and access logs are kept (and billed) forever; with too short a one, they are gone before an audit asks for them. Set logRetentionDays in the environment.',
  severity: 'error',
  sources: ['CKV_AWS_66', 'CKV_AWS_338'],
  evaluate({ type, config }, { settings }) {
    if (type !== 'aws_cloudwatch_log_group') return NOT_APPLICABLE;
    const days = config.retention_in_days;
    if (typeof days !== 'number' || days <= 0) return nonCompliant('retention_in_days is not set');
    if (days < settings.minimumLogRetentionDays) return nonCompliant(`retention_in_days is ${days}, below the minimum of ${settings.minimumLogRetentionDays}`);
    return COMPLIANT;
  },
};
