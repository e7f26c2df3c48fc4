import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, type PolicyRule } from '../rule';

export const methodSettingsNoDataTrace: PolicyRule = {
  id: 'BAG-API6',
  info: 'Execution logs never record full requests and responses (no data trace).',
  explanation: 'Data trace writes whole request and response bodies, that is prompts and completions, and the authorizer context to CloudWatch. Leave settings.data_trace_enabled off; use access logs for who and when.',
  severity: 'error',
  sources: ['CKV_AWS_276'],
  evaluate({ type, config }) {
    if (type !== 'aws_api_gateway_method_settings') return NOT_APPLICABLE;
    return block(config.settings).data_trace_enabled === true ? nonCompliant('settings.data_trace_enabled is true') : COMPLIANT;
  },
};
