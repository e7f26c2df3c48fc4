import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, quote, relatedResources, type PolicyRule } from '../rule';

/** Execution logging levels that record something. */
const LOGGING_LEVELS = ['ERROR', 'INFO'];

export const stageExecutionLogging: PolicyRule = {
  id: 'BAG-API5',
  info: 'Every API stage has execution logging (ERROR or INFO) for all methods.',
  explanation: 'Execution logs show why API Gateway refused or failed a request (authorizer errors, mapping failures, integration timeouts). Add an aws_api_gateway_method_settings for the stage with method_path "*/*" and settings.logging_level ERROR or INFO.',
  severity: 'error',
  sources: ['AwsSolutions-APIG6', 'CKV2_AWS_4'],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_api_gateway_stage') return NOT_APPLICABLE;
    const all = relatedResources(stack, 'aws_api_gateway_method_settings', 'stage_name', resource, ['stage_name']).filter((s) => s.config.method_path === '*/*');
    if (all.length === 0) return nonCompliant('no aws_api_gateway_method_settings with method_path "*/*" for this stage');
    const level = block(all[0].config.settings).logging_level;
    if (typeof level !== 'string' || !LOGGING_LEVELS.includes(level)) return nonCompliant(`logging_level of ${all[0].name} is ${quote(level ?? null)}, not ERROR or INFO`);
    return COMPLIANT;
  },
};
