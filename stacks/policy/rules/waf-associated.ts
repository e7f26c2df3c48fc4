import { COMPLIANT, NOT_APPLICABLE, nonCompliant, refersTo, resourcesOfType, type PolicyRule, type StackView } from '../rule';

/** The environment asks for WAF, or the stack defines a regional web ACL (so every stage is meant to sit behind it). */
function wafRequired(stack: StackView): boolean {
  return stack.settings.requireWaf || resourcesOfType(stack, 'aws_wafv2_web_acl').some((acl) => acl.config.scope === 'REGIONAL');
}

export const wafAssociated: PolicyRule = {
  id: 'BAG-WAF1',
  info: 'Every API stage is associated with a WAF web ACL where the environment requires one.',
  explanation: 'A stage outside the web ACL skips its rate rules, IP sets and managed rule groups. Associate the stage (aws_wafv2_web_acl_association with resource_arn = the stage ARN). Applies when policy.requireWaf is true or the stack defines a regional web ACL.',
  severity: 'error',
  sources: ['AwsSolutions-APIG3', 'CKV2_AWS_29'],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_api_gateway_stage' || !wafRequired(stack)) return NOT_APPLICABLE;
    const associated = resourcesOfType(stack, 'aws_wafv2_web_acl_association').some((a) => refersTo(a.config.resource_arn, resource));
    return associated ? COMPLIANT : nonCompliant('no aws_wafv2_web_acl_association has this stage as resource_arn');
  },
};
