import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../rule';

/** AWS managed policies that grant administration of the account or of a whole service. */
export function isAdminManagedPolicy(arn: string): boolean {
  const match = /:iam::aws:policy\/(?:[A-Za-z0-9+=,.@_-]+\/)*([A-Za-z0-9+=,.@_-]+)$/.exec(arn);
  if (!match) return false;
  const name = match[1];
  return ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess'].includes(name) || name.endsWith('FullAccess');
}

/** Where each resource type names managed policy ARNs. */
const POLICY_ARN_FIELDS: Readonly<Record<string, string>> = {
  aws_iam_role_policy_attachment: 'policy_arn',
  aws_iam_policy_attachment: 'policy_arn',
  aws_iam_user_policy_attachment: 'policy_arn',
  aws_iam_group_policy_attachment: 'policy_arn',
  aws_iam_role: 'managed_policy_arns',
  aws_iam_role_policy_attachments_exclusive: 'policy_arns',
};

export const iamNoAdminManagedPolicies: PolicyRule = {
  id: 'BAG-IAM5',
  info: 'No role, user or group gets an AWS managed administrator or *FullAccess policy.',
  explanation: 'AdministratorAccess, PowerUserAccess, IAMFullAccess and the *FullAccess policies grant far more than the gateway needs, and AWS widens them over time. Write an inline policy with the exact actions and ARNs.',
  severity: 'error',
  sources: ['AwsSolutions-IAM4', 'CKV_AWS_274'],
  evaluate({ type, config }) {
    const field = POLICY_ARN_FIELDS[type];
    if (!field) return NOT_APPLICABLE;
    const arns = [config[field]].flat().filter((v): v is string => typeof v === 'string');
    if (type === 'aws_iam_role' && arns.length === 0) return NOT_APPLICABLE;
    const admin = arns.filter(isAdminManagedPolicy);
    return admin.length > 0 ? nonCompliant(`${field} attaches ${admin.join(', ')}`) : COMPLIANT;
  },
};
