/**
 * A synth-time rule: a pure function of one resource's Terraform configuration
 * (snake_case, as synthesized). One rule per file, each tested both ways.
 */
export type RuleResult = { readonly status: 'compliant' } | { readonly status: 'not-applicable' } | { readonly status: 'non-compliant'; readonly finding: string };

export interface ResourceUnderTest {
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface PolicyRule {
  /** Stable id, e.g. `BAG-IAM1`. */
  readonly id: string;
  /** One line: what must hold. */
  readonly info: string;
  /** Why it matters and how to fix it. */
  readonly explanation: string;
  evaluate(resource: ResourceUnderTest): RuleResult;
}

export const COMPLIANT: RuleResult = { status: 'compliant' };
export const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };
export const nonCompliant = (finding: string): RuleResult => ({ status: 'non-compliant', finding });

/** IAM policy documents a resource carries: inline policies and role trust policies. */
export function policyDocuments(resource: ResourceUnderTest): Array<{ field: string; statements: Array<Record<string, unknown>> }> {
  const fields: Record<string, string[]> = {
    aws_iam_role: ['assume_role_policy'],
    aws_iam_role_policy: ['policy'],
    aws_iam_policy: ['policy'],
  };
  return (fields[resource.type] ?? [])
    .filter((field) => typeof resource.config[field] === 'string')
    .map((field) => {
      const doc = JSON.parse(resource.config[field] as string) as { Statement?: unknown };
      return { field, statements: [doc.Statement ?? []].flat() as Array<Record<string, unknown>> };
    });
}
