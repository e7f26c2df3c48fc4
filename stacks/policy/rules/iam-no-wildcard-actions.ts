import { COMPLIANT, NOT_APPLICABLE, nonCompliant, policyDocuments, type PolicyRule } from '../rule';

export const iamNoWildcardActions: PolicyRule = {
  id: 'BAG-IAM1',
  info: 'IAM statements name their actions; no wildcards.',
  explanation: 'A wildcard action (`*`, `s3:*`, `bedrock:Invoke*`) grants whatever the service adds later. List the exact actions the gateway needs.',
  evaluate(resource) {
    const docs = policyDocuments(resource);
    if (docs.length === 0) return NOT_APPLICABLE;
    for (const { field, statements } of docs) {
      for (const statement of statements) {
        const wild = [statement.Action, statement.NotAction].flat().filter((a): a is string => typeof a === 'string' && a.includes('*'));
        if (statement.NotAction !== undefined) return nonCompliant(`${field}: NotAction grants everything else`);
        if (wild.length > 0) return nonCompliant(`${field}: wildcard action ${wild.map((a) => JSON.stringify(a)).join(', ')}`);
      }
    }
    return COMPLIANT;
  },
};
