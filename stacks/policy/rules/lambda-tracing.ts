import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, type PolicyRule } from '../rule';

export const lambdaTracing: PolicyRule = {
  id: 'BAG-FN2',
  info: 'Every Lambda function sends X-Ray traces.',
  explanation: 'Traces show where a slow or failing invocation spent its time (JWKS fetch, cold start). Set tracing_config { mode = "Active" } and allow xray:PutTraceSegments and xray:PutTelemetryRecords, which take no resource-level scope.',
  severity: 'warning',
  sources: ['CKV_AWS_50'],
  evaluate({ type, config }) {
    if (type !== 'aws_lambda_function') return NOT_APPLICABLE;
    return block(config.tracing_config).mode === 'Active' ? COMPLIANT : nonCompliant('tracing_config.mode is not "Active"');
  },
};
