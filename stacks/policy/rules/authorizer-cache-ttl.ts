import { AWS_LIMITS } from '../../../gateway-config/schema';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

export const authorizerCacheTtl: PolicyRule = {
  id: 'BAG-API2',
  info: `Authorizer results are cached for at most ${AWS_LIMITS.authorizerCacheTtlSeconds} seconds.`,
  explanation: 'API Gateway rejects a longer TTL at apply time, and a long cache keeps a disabled tenant or revoked token working. Lower authorizer.cacheTtlSeconds.',
  severity: 'error',
  sources: [],
  evaluate({ type, config }) {
    if (type !== 'aws_api_gateway_authorizer') return NOT_APPLICABLE;
    const ttl = config.authorizer_result_ttl_in_seconds;
    if (typeof ttl === 'number' && ttl > AWS_LIMITS.authorizerCacheTtlSeconds) return nonCompliant(`authorizer_result_ttl_in_seconds is ${ttl}`);
    return COMPLIANT;
  },
};
