import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

export const apiMethodAuthorized: PolicyRule = {
  id: 'BAG-API1',
  info: 'Every API method runs the JWT authorizer and requires the tenant API key.',
  explanation: 'A method without CUSTOM authorization or without api_key_required is an unauthenticated, unmetered path to Bedrock. Add routes through GatewayRestApi.addRoute.',
  evaluate({ type, config }) {
    if (type !== 'aws_api_gateway_method') return NOT_APPLICABLE;
    if (config.authorization !== 'CUSTOM') return nonCompliant(`authorization is ${JSON.stringify(config.authorization)}, not "CUSTOM"`);
    if (config.api_key_required !== true) return nonCompliant('api_key_required is not true');
    return COMPLIANT;
  },
};
