import { COMPLIANT, NOT_APPLICABLE, nonCompliant, quote, type PolicyRule } from '../rule';

/**
 * Lambda runtimes that are not deprecated, per the AWS Lambda runtimes page
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), as of May 2026.
 * nodejs20.x was deprecated on 30 April 2026. Add a runtime here when Lambda adds one.
 */
export const SUPPORTED_LAMBDA_RUNTIMES = [
  'nodejs22.x',
  'nodejs24.x',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'java17',
  'java21',
  'java25',
  'dotnet8',
  'dotnet10',
  'ruby3.3',
  'ruby3.4',
  'provided.al2023',
] as const;

export const lambdaRuntimeSupported: PolicyRule = {
  id: 'BAG-FN1',
  info: 'Every Lambda function uses a runtime Lambda still supports.',
  explanation: 'A deprecated runtime gets no security patches, and Lambda later refuses to create or update functions on it, which blocks the next deploy. Move to a supported runtime (LAMBDA_RUNTIME in stacks/constructs/nodejs-function.ts).',
  severity: 'error',
  sources: ['AwsSolutions-L1', 'CKV_AWS_363'],
  evaluate({ type, config }) {
    if (type !== 'aws_lambda_function' || config.package_type === 'Image') return NOT_APPLICABLE;
    const runtime = config.runtime;
    return typeof runtime === 'string' && (SUPPORTED_LAMBDA_RUNTIMES as readonly string[]).includes(runtime)
      ? COMPLIANT
      : nonCompliant(`runtime ${quote(runtime ?? null)} is deprecated or unknown; supported: ${SUPPORTED_LAMBDA_RUNTIMES.join(', ')}`);
  },
};
