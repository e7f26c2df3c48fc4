/**
 * A synth-time rule: a pure function of one resource's Terraform configuration (snake_case,
 * exactly as synthesized) and, for rules that relate resources (a stage and its method
 * settings, a web ACL and its logging configuration), a read-only view of the whole stack.
 * One rule per file, each tested compliant and non-compliant.
 */
export type RuleResult = { readonly status: 'compliant' } | { readonly status: 'not-applicable' } | { readonly status: 'non-compliant'; readonly finding: string };

/** An error stops synth; a warning is printed and synth goes on. */
export type Severity = 'error' | 'warning';

export interface ResourceUnderTest {
  /** Terraform resource type, e.g. `aws_api_gateway_stage`. */
  readonly type: string;
  /** Logical name in the synthesized JSON; `<type>.<name>` is the Terraform address. */
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** Settings a rule may read; per environment in `environments.ts` (`policy`). */
export interface PolicySettings {
  /** Smallest acceptable `retention_in_days` of a log group (BAG-LOG1). */
  readonly minimumLogRetentionDays: number;
  /** Every stage must be associated with a WAF web ACL (BAG-WAF1). */
  readonly requireWaf: boolean;
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = { minimumLogRetentionDays: 1, requireWaf: false };

/** Everything a rule may look at besides its own resource. */
export interface StackView {
  readonly resources: readonly ResourceUnderTest[];
  readonly settings: PolicySettings;
}

export interface PolicyRule {
  /** Stable id, e.g. `BAG-IAM1`; suppressions name it. */
  readonly id: string;
  /** One line: what must hold. */
  readonly info: string;
  /** Why it matters and how to fix it. */
  readonly explanation: string;
  readonly severity: Severity;
  /** The same check in other packs (cdk-nag `AwsSolutions-*`, checkov `CKV_AWS_*`), where one exists. */
  readonly sources: readonly string[];
  evaluate(resource: ResourceUnderTest, stack: StackView): RuleResult;
}

export const COMPLIANT: RuleResult = { status: 'compliant' };
export const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };
export const nonCompliant = (finding: string): RuleResult => ({ status: 'non-compliant', finding });

export function addressOf(resource: Pick<ResourceUnderTest, 'type' | 'name'>): string {
  return `${resource.type}.${resource.name}`;
}

/** A stack view over `resources` (for tests and for rules evaluated outside a stack). */
export function stackOf(resources: readonly ResourceUnderTest[], settings: Partial<PolicySettings> = {}): StackView {
  return { resources, settings: { ...DEFAULT_POLICY_SETTINGS, ...settings } };
}

export function resourcesOfType(stack: StackView, type: string): ResourceUnderTest[] {
  return stack.resources.filter((r) => r.type === type);
}

/**
 * A nested block as a list. cdktf writes single blocks as objects and repeated ones as
 * arrays; loosely typed blocks may be either. Terraform accepts both.
 */
export function blocks(value: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(value)) return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
  return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
}

/** The first block of a nested block, or an empty object. */
export function block(value: unknown): Record<string, unknown> {
  return blocks(value)[0] ?? {};
}

/**
 * True when `value` refers to `target` (any attribute, or `attribute` when given) through a
 * Terraform reference such as `${aws_api_gateway_stage.stage.arn}`.
 */
export function refersTo(value: unknown, target: Pick<ResourceUnderTest, 'type' | 'name'>, attribute?: string): boolean {
  const prefix = `\${${addressOf(target)}.${attribute ?? ''}`;
  return [value].flat().some((v) => typeof v === 'string' && v.includes(prefix));
}

/**
 * Resources of `type` whose `field` points at `target`: by reference, or by the literal value
 * of one of `literalFields` of the target (a bucket named directly rather than referenced).
 */
export function relatedResources(stack: StackView, type: string, field: string, target: ResourceUnderTest, literalFields: readonly string[] = []): ResourceUnderTest[] {
  const literals = literalFields.map((f) => target.config[f]).filter((v): v is string => typeof v === 'string' && !v.includes('${'));
  return resourcesOfType(stack, type).filter((r) => refersTo(r.config[field], target) || (typeof r.config[field] === 'string' && literals.includes(r.config[field] as string)));
}

export type PolicyStatement = Record<string, unknown>;

/** IAM policy documents a resource carries: inline policies and role trust policies. */
export function policyDocuments(resource: ResourceUnderTest): Array<{ field: string; statements: PolicyStatement[] } | { field: string; unreadable: string }> {
  const fields: Record<string, string[]> = {
    aws_iam_role: ['assume_role_policy'],
    aws_iam_role_policy: ['policy'],
    aws_iam_policy: ['policy'],
    aws_iam_user_policy: ['policy'],
    aws_iam_group_policy: ['policy'],
  };
  const documents: Array<{ field: string; statements: PolicyStatement[] } | { field: string; unreadable: string }> = [];
  for (const field of fields[resource.type] ?? []) {
    const value = resource.config[field];
    if (typeof value === 'string') documents.push(parsePolicy(field, value));
  }
  // Inline policies of a role (`inline_policy { name, policy }`).
  if (resource.type === 'aws_iam_role') {
    blocks(resource.config.inline_policy).forEach((inline, i) => {
      if (typeof inline.policy === 'string') documents.push(parsePolicy(`inline_policy[${i}].policy`, inline.policy));
    });
  }
  return documents;
}

function parsePolicy(field: string, text: string): { field: string; statements: PolicyStatement[] } | { field: string; unreadable: string } {
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    return { field, statements: [doc.Statement ?? []].flat() as PolicyStatement[] };
  } catch {
    // e.g. `${data.aws_iam_policy_document.x.json}`: the rule cannot see what it grants.
    return { field, unreadable: text.length > 60 ? `${text.slice(0, 57)}...` : text };
  }
}

/** A statement's entries of `key` (`Action`, `Resource`, ...) as a list of strings. */
export function statementList(statement: PolicyStatement, key: string): string[] {
  return [statement[key]].flat().filter((v): v is string => typeof v === 'string');
}

export const quote = (value: unknown): string => JSON.stringify(value);
