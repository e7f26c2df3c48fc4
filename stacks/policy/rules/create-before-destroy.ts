import { COMPLIANT, NOT_APPLICABLE, block, nonCompliant, type PolicyRule } from '../rule';

/** Resources that are in use while being replaced. */
const REPLACED_IN_USE = ['aws_api_gateway_deployment', 'aws_acm_certificate'];

export const createBeforeDestroy: PolicyRule = {
  id: 'BAG-CBD1',
  info: 'API deployments and certificates are replaced create-before-destroy.',
  explanation: 'A stage points at its deployment and a custom domain at its certificate; destroying the old one first fails the apply ("Active stages pointing to this deployment") or takes the endpoint down. Set lifecycle { create_before_destroy = true }.',
  severity: 'error',
  sources: ['CKV_AWS_217', 'CKV_AWS_233'],
  evaluate({ type, config }) {
    if (!REPLACED_IN_USE.includes(type)) return NOT_APPLICABLE;
    return block(config.lifecycle).create_before_destroy === true ? COMPLIANT : nonCompliant('lifecycle.create_before_destroy is not true');
  },
};
