import { COMPLIANT, NOT_APPLICABLE, nonCompliant, quote, type PolicyRule } from '../rule';

/** TLS 1.2, or one of the TLS 1.3 enhanced policies API Gateway added in 2025. */
export function isModernSecurityPolicy(policy: unknown): boolean {
  return policy === 'TLS_1_2' || (typeof policy === 'string' && policy.startsWith('SecurityPolicy_TLS13_'));
}

export const domainTls: PolicyRule = {
  id: 'BAG-EDGE1',
  info: 'Custom domains accept TLS 1.2 or newer only.',
  explanation: 'TLS 1.0 and 1.1 are broken and refused by current clients and compliance regimes. Set security_policy = "TLS_1_2" on the aws_api_gateway_domain_name.',
  severity: 'error',
  sources: ['CKV_AWS_206'],
  evaluate({ type, config }) {
    if (type !== 'aws_api_gateway_domain_name') return NOT_APPLICABLE;
    return isModernSecurityPolicy(config.security_policy) ? COMPLIANT : nonCompliant(`security_policy is ${quote(config.security_policy ?? null)}, not "TLS_1_2"`);
  },
};
