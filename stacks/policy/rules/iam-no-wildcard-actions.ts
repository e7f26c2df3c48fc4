import { COMPLIANT, NOT_APPLICABLE, nonCompliant, policyDocuments, quote, statementList, type PolicyRule } from '../rule';

export const iamNoWildcardActions: PolicyRule = {
  id: 'BAG-IAM1',
  info: 'IAM statements name their actions; no wildcards.',
  explanation: 'A wildcard action (`*`, `s3:*`, `bedrock:Invoke*`) grants whatever the service adds later. List the exact actions the gateway needs.',
  severity: 'error',
  sources: ['AwsSolutions-IAM5', 'CKV_AWS_63'],
  evaluate(resource) {
    const docs = policyDocuments(resource);
    if (docs.length === 0) return NOT_APPLICABLE;
    for (const doc of docs) {
      if ('unreadable' in doc) return nonCompliant(`${doc.field}: not a literal JSON policy (${doc.unreadable}), so its actions cannot be checked`);
      for (const statement of doc.statements) {
        if (statement.Effect === 'Deny') continue;
        if (statement.NotAction !== undefined) return nonCompliant(`${doc.field}: NotAction grants everything else`);
        const wild = statementList(statement, 'Action').filter((a) => a.includes('*'));
        if (wild.length > 0) return nonCompliant(`${doc.field}: wildcard action ${wild.map(quote).join(', ')}`);
      }
    }
    return COMPLIANT;
  },
};
