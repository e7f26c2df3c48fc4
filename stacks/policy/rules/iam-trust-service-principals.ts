import { COMPLIANT, NOT_APPLICABLE, nonCompliant, policyDocuments, quote, type PolicyRule } from '../rule';

const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com$/;

export const iamTrustServicePrincipals: PolicyRule = {
  id: 'BAG-IAM4',
  info: 'Role trust policies name specific AWS service principals.',
  explanation: 'The gateway\'s roles are assumed by AWS services only (API Gateway, Lambda). A `*`, account or federated principal lets people or other accounts assume them. Name the service, e.g. { "Service": "apigateway.amazonaws.com" }.',
  severity: 'error',
  sources: ['CKV_AWS_60', 'CKV_AWS_61'],
  evaluate(resource) {
    if (resource.type !== 'aws_iam_role') return NOT_APPLICABLE;
    const trust = policyDocuments(resource).find((d) => d.field === 'assume_role_policy');
    if (!trust) return NOT_APPLICABLE;
    if ('unreadable' in trust) return nonCompliant(`assume_role_policy is not a literal JSON policy (${trust.unreadable})`);
    for (const statement of trust.statements) {
      if (statement.Effect === 'Deny') continue;
      if (statement.NotPrincipal !== undefined) return nonCompliant('assume_role_policy: NotPrincipal trusts everyone else');
      const principal = statement.Principal;
      if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return nonCompliant(`assume_role_policy: Principal ${quote(principal ?? null)}`);
      const kinds = Object.keys(principal).filter((k) => k !== 'Service');
      if (kinds.length > 0) return nonCompliant(`assume_role_policy: trusts ${kinds.join(', ')} principals, not only services`);
      const services = [(principal as Record<string, unknown>).Service].flat();
      const bad = services.filter((s) => typeof s !== 'string' || !SERVICE_PRINCIPAL.test(s));
      if (bad.length > 0 || services.length === 0) return nonCompliant(`assume_role_policy: service principal ${bad.map(quote).join(', ') || 'missing'}`);
    }
    return COMPLIANT;
  },
};
