import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

export const wafLogsRedactAuthorization: PolicyRule = {
  id: 'BAG-WAF4',
  info: 'WAF logs redact the authorization header.',
  explanation: 'WAF logs every header of a logged request; without redaction the bearer tokens of blocked clients sit in CloudWatch Logs. Keep redacted_fields { single_header { name = "authorization" } }.',
  severity: 'error',
  sources: [],
  evaluate({ type, config }) {
    if (type !== 'aws_wafv2_web_acl_logging_configuration') return NOT_APPLICABLE;
    const fields = [config.redacted_fields ?? []].flat() as Array<{ single_header?: { name?: string } }>;
    return fields.some((f) => f.single_header?.name?.toLowerCase() === 'authorization') ? COMPLIANT : nonCompliant('redacted_fields does not name the authorization header');
  },
};
