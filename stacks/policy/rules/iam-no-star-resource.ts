import { COMPLIANT, NOT_APPLICABLE, nonCompliant, policyDocuments, type PolicyRule } from '../rule';

export const iamNoStarResource: PolicyRule = {
  id: 'BAG-IAM2',
  info: 'IAM statements scope their resources; no "*".',
  explanation: 'A `*` resource lets the role act on everything of that kind in the account. Name the ARNs (for Bedrock: the catalogue models).',
  evaluate(resource) {
    const docs = policyDocuments(resource).filter((d) => d.field !== 'assume_role_policy');
    if (docs.length === 0) return NOT_APPLICABLE;
    for (const { field, statements } of docs) {
      for (const statement of statements) {
        if (statement.NotResource !== undefined) return nonCompliant(`${field}: NotResource applies to everything else`);
        if ([statement.Resource].flat().includes('*')) return nonCompliant(`${field}: Resource "*"`);
      }
    }
    return COMPLIANT;
  },
};
