import { COMPLIANT, NOT_APPLICABLE, nonCompliant, quote, type PolicyRule } from '../rule';

const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com$/;
const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/;

export const lambdaPermissionScoped: PolicyRule = {
  id: 'BAG-FN4',
  info: 'Lambda permissions name one principal and, for AWS services, the source ARN that may invoke.',
  explanation: 'A permission for a service principal without source_arn lets any resource of that service, in any account, invoke the function (the confused-deputy problem). Name the principal and set source_arn to the exact caller (for the authorizer: the API\'s authorizer ARN).',
  severity: 'error',
  sources: ['CKV_AWS_364'],
  evaluate({ type, config }) {
    if (type !== 'aws_lambda_permission') return NOT_APPLICABLE;
    const principal = config.principal;
    if (typeof principal !== 'string' || principal.includes('*')) return nonCompliant(`principal is ${quote(principal ?? null)}, not one named principal`);
    if (SERVICE_PRINCIPAL.test(principal)) {
      const source = config.source_arn;
      if (typeof source !== 'string' || source === '' || source === '*') return nonCompliant(`principal ${principal} is an AWS service but source_arn is not set`);
      return COMPLIANT;
    }
    return ACCOUNT_PRINCIPAL.test(principal) ? COMPLIANT : nonCompliant(`principal ${quote(principal)} is neither an AWS service nor an account`);
  },
};
