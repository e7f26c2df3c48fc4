import { COMPLIANT, NOT_APPLICABLE, nonCompliant, refersTo, resourcesOfType, type PolicyRule } from '../rule';

export const wafLogging: PolicyRule = {
  id: 'BAG-WAF2',
  info: 'Every WAF web ACL has a logging configuration.',
  explanation: 'Without WAF logs nobody can tell which rule blocked a tenant or what an attack looked like. Add an aws_wafv2_web_acl_logging_configuration with resource_arn = the web ACL ARN.',
  severity: 'error',
  sources: ['CKV2_AWS_31'],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_wafv2_web_acl') return NOT_APPLICABLE;
    const logged = resourcesOfType(stack, 'aws_wafv2_web_acl_logging_configuration').some((l) => refersTo(l.config.resource_arn, resource));
    return logged ? COMPLIANT : nonCompliant('no aws_wafv2_web_acl_logging_configuration has this web ACL as resource_arn');
  },
};
