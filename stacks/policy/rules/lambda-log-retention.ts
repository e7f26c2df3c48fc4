import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, quote, refersTo, resourcesOfType, type PolicyRule, type ResourceUnderTest, type StackView } from '../rule';

/** The stack's log group the function writes to: the one its logging_config names, else `/aws/lambda/<function_name>`. */
function logGroupOf(fn: ResourceUnderTest, stack: StackView): { group?: ResourceUnderTest; name: unknown } {
  const groups = resourcesOfType(stack, 'aws_cloudwatch_log_group');
  const configured = block(fn.config.logging_config).log_group;
  if (configured !== undefined) {
    return { group: groups.find((g) => refersTo(configured, g) || (typeof configured === 'string' && g.config.name === configured)), name: configured };
  }
  const name = typeof fn.config.function_name === 'string' ? `/aws/lambda/${fn.config.function_name}` : undefined;
  return { group: groups.find((g) => name !== undefined && g.config.name === name), name: name ?? '/aws/lambda/<function_name>' };
}

export const lambdaLogRetention: PolicyRule = {
  id: 'BAG-FN3',
  info: 'Every Lambda function writes to a log group of the stack that has a retention period.',
  explanation: 'If the stack does not own the function\'s log group, Lambda creates one on first invocation that keeps logs forever and that Terraform never manages. Create the log group in the stack with retention_in_days and point logging_config.log_group at it (NodejsFunction does).',
  severity: 'error',
  sources: [],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_lambda_function') return NOT_APPLICABLE;
    const { group, name } = logGroupOf(resource, stack);
    if (!group) return nonCompliant(`its log group ${quote(name)} is not a log group of this stack`);
    const days = group.config.retention_in_days;
    return typeof days === 'number' && days > 0 ? COMPLIANT : nonCompliant(`its log group ${group.name} has no retention_in_days`);
  },
};
