import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, type PolicyRule } from '../rule';

export const stageAccessLogging: PolicyRule = {
  id: 'BAG-API4',
  info: 'Every API stage writes access logs.',
  explanation: 'Access logs are the record of who called which model and what API Gateway answered (throttled, denied, quota exceeded). Set access_log_settings { destination_arn, format } on the stage.',
  severity: 'error',
  sources: ['AwsSolutions-APIG1', 'CKV_AWS_76'],
  evaluate({ type, config }) {
    if (type !== 'aws_api_gateway_stage') return NOT_APPLICABLE;
    const settings = block(config.access_log_settings);
    if (typeof settings.destination_arn !== 'string' || settings.destination_arn === '') return nonCompliant('access_log_settings.destination_arn is not set');
    if (typeof settings.format !== 'string' || settings.format === '') return nonCompliant('access_log_settings.format is not set');
    return COMPLIANT;
  },
};
