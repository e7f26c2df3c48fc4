import { COMPLIANT, NOT_APPLICABLE, nonCompliant, relatedResources, statementList, type PolicyRule, type PolicyStatement } from '../rule';

/** `Deny` of every S3 action to everyone when `aws:SecureTransport` is false. */
function deniesInsecureTransport(statement: PolicyStatement): boolean {
  if (statement.Effect !== 'Deny') return false;
  const principal = statement.Principal;
  const everyone = principal === '*' || (typeof principal === 'object' && principal !== null && (principal as Record<string, unknown>).AWS === '*');
  const allActions = statementList(statement, 'Action').some((a) => a === 's3:*' || a === '*');
  const condition = (statement.Condition as Record<string, Record<string, unknown>> | undefined)?.Bool?.['aws:SecureTransport'];
  return everyone && allActions && (condition === 'false' || condition === false);
}

function policyDeniesInsecureTransport(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    return ([doc.Statement ?? []].flat() as PolicyStatement[]).some(deniesInsecureTransport);
  } catch {
    return false;
  }
}

export const bucketTlsOnly: PolicyRule = {
  id: 'BAG-BKT4',
  info: 'Every S3 bucket refuses requests not made over TLS.',
  explanation: 'Without a TLS-only policy a misconfigured client can read or write state in clear text. Add a bucket policy statement that denies s3:* to "*" when aws:SecureTransport is "false" (StateBucket does).',
  severity: 'error',
  sources: ['AwsSolutions-S10'],
  evaluate(resource, stack) {
    if (resource.type !== 'aws_s3_bucket') return NOT_APPLICABLE;
    if (policyDeniesInsecureTransport(resource.config.policy)) return COMPLIANT;
    const policies = relatedResources(stack, 'aws_s3_bucket_policy', 'bucket', resource, ['bucket']);
    return policies.some((p) => policyDeniesInsecureTransport(p.config.policy))
      ? COMPLIANT
      : nonCompliant('no bucket policy denies requests where aws:SecureTransport is "false"');
  },
};
