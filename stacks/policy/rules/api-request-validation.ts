import { COMPLIANT, NOT_APPLICABLE, nonCompliant, refersTo, resourcesOfType, type PolicyRule } from '../rule';

export const apiRequestValidation: PolicyRule = {
  id: 'BAG-API3',
  info: 'Every API method validates its request (body or parameters) before anything is called.',
  explanation: 'Without a request validator, malformed requests reach the authorizer and Bedrock and are billed there. Give the method a request_validator_id whose validator checks the body or parameters (GatewayRestApi does).',
  severity: 'error',
  sources: ['AwsSolutions-APIG2'],
  evaluate({ type, config }, stack) {
    if (type !== 'aws_api_gateway_method') return NOT_APPLICABLE;
    const validatorId = config.request_validator_id;
    if (typeof validatorId !== 'string' || validatorId === '') return nonCompliant('request_validator_id is not set');
    const validator = resourcesOfType(stack, 'aws_api_gateway_request_validator').find((v) => refersTo(validatorId, v));
    if (validator && validator.config.validate_request_body !== true && validator.config.validate_request_parameters !== true) {
      return nonCompliant(`its validator ${validator.name} validates neither the body nor the parameters`);
    }
    return COMPLIANT;
  },
};
