import { COMPLIANT, NOT_APPLICABLE, nonCompliant, quote, type PolicyRule } from '../rule';

export const apiMethodAuthorized: PolicyRule = {
  id: 'BAG-API1',
  info: 'Every API method runs the JWT authorizer and requires the tenant API key.',
  explanation: 'A method without CUSTOM authorization or without api_key_required is an unauthenticated, unmetered path to Bedrock. Add routes through GatewayRestApi.addRoute.',
  severity: 'error',
  sources: ['AwsSolutions-APIG4', 'CKV_AWS_59'],
  evaluate({ type, config }) {
    if (type !== 'aws_api_gateway_method') return NOT_APPLICABLE;
    if (config.authorization !== 'CUSTOM') return nonCompliant(`authorization is ${quote(config.authorization)}, not "CUSTOM"`);
    if (config.api_key_required !== true) return nonCompliant('api_key_required is not true');
    return COMPLIANT;
  },
};
