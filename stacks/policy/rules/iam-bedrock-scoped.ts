import { COMPLIANT, NOT_APPLICABLE, nonCompliant, policyDocuments, quote, statementList, type PolicyRule } from '../rule';

export const iamBedrockScoped: PolicyRule = {
  id: 'BAG-IAM3',
  info: 'Bedrock actions are granted on named model and inference-profile ARNs only, without wildcards.',
  explanation: 'A wildcard in a Bedrock resource (`*`, `foundation-model/*`, `arn:aws:bedrock:*:...`) opens every model, including ones the catalogue never approved, to every tenant. Grant the catalogue ARNs (modelResourceArns in gateway-config/derive.ts).',
  severity: 'error',
  sources: [],
  evaluate(resource) {
    const docs = policyDocuments(resource).filter((d) => d.field !== 'assume_role_policy');
    let applicable = false;
    for (const doc of docs) {
      if ('unreadable' in doc) continue; // BAG-IAM1 and BAG-IAM2 report unreadable documents.
      for (const statement of doc.statements) {
        if (statement.Effect === 'Deny') continue;
        if (!statementList(statement, 'Action').some((a) => a.toLowerCase().startsWith('bedrock:'))) continue;
        applicable = true;
        if (statement.NotResource !== undefined) return nonCompliant(`${doc.field}: Bedrock actions with NotResource`);
        const wild = statementList(statement, 'Resource').filter((r) => r.includes('*'));
        if (wild.length > 0) return nonCompliant(`${doc.field}: Bedrock actions on ${wild.map(quote).join(', ')}`);
      }
    }
    return applicable ? COMPLIANT : NOT_APPLICABLE;
  },
};
