import { COMPLIANT, NOT_APPLICABLE, nonCompliant, policyDocuments, statementList, type PolicyRule } from '../rule';

export const iamNoStarResource: PolicyRule = {
  id: 'BAG-IAM2',
  info: 'IAM statements scope their resources; no "*".',
  explanation: 'A `*` resource lets the role act on everything of that kind in the account. Name the ARNs (for Bedrock: the catalogue models).',
  severity: 'error',
  sources: ['AwsSolutions-IAM5', 'CKV_AWS_355'],
  evaluate(resource) {
    const docs = policyDocuments(resource).filter((d) => d.field !== 'assume_role_policy');
    if (docs.length === 0) return NOT_APPLICABLE;
    for (const doc of docs) {
      if ('unreadable' in doc) return nonCompliant(`${doc.field}: not a literal JSON policy (${doc.unreadable}), so its resources cannot be checked`);
      for (const statement of doc.statements) {
        if (statement.Effect === 'Deny') continue;
        if (statement.NotResource !== undefined) return nonCompliant(`${doc.field}: NotResource applies to everything else`);
        if (statementList(statement, 'Resource').includes('*')) return nonCompliant(`${doc.field}: Resource "*"`);
      }
    }
    return COMPLIANT;
  },
};
