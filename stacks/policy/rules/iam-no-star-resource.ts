import { COMPLIANT, NOT_APPLICABLE, nonCompliant, policyDocuments, statementList, type PolicyRule } from '../rule';

/**
 * Actions that have no resource type, so IAM only accepts them with `Resource: "*"` (Service
 * Authorization Reference, AWS X-Ray: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).
 * A statement made only of these may name `"*"`; nothing else may.
 */
export const RESOURCELESS_ACTIONS: readonly string[] = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

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
        const actions = statementList(statement, 'Action');
        const resourceless = actions.length > 0 && actions.every((a) => RESOURCELESS_ACTIONS.includes(a));
        if (statementList(statement, 'Resource').includes('*') && !resourceless) return nonCompliant(`${doc.field}: Resource "*"`);
      }
    }
    return COMPLIANT;
  },
};
