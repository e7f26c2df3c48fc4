/**
 * Runs the rule pack over one synthesized stack (its Terraform JSON) and applies the
 * suppressions. Pure: the synth-time aspect and `npm run lint:infra` share it, so what
 * fails synth and what the lint prints are the same evaluation.
 */
import { DEFAULT_POLICY_SETTINGS, addressOf, type PolicyRule, type PolicySettings, type ResourceUnderTest, type StackView } from './rule';
import { GATEWAY_RULES } from './rules';

/** An accepted finding: one rule on one resource, with the reason it is acceptable. */
export interface Suppression {
  readonly rule: string;
  /** Terraform address, e.g. `aws_api_gateway_stage.stage`. */
  readonly resource: string;
  readonly reason: string;
  /** `config` (environments.ts) or `built-in` (set by the stack's code). @default 'config' */
  readonly origin?: 'config' | 'built-in';
}

export interface Finding {
  readonly rule: PolicyRule;
  /** Terraform address of the resource. */
  readonly address: string;
  readonly finding: string;
  /** Set when a suppression accepts the finding. */
  readonly suppression?: Suppression;
}

export interface RuleOutcome {
  readonly rule: PolicyRule;
  /** Addresses of the resources the rule found compliant. */
  readonly compliant: readonly string[];
  /** Non-compliant resources, suppressed or not. */
  readonly findings: readonly Finding[];
}

export interface UnusedSuppression {
  readonly suppression: Suppression;
  /** Why it matched no finding. */
  readonly why: string;
}

export interface PolicyOutcome {
  readonly rules: readonly RuleOutcome[];
  /** Unsuppressed findings of error rules: synth fails on these. */
  readonly errors: readonly Finding[];
  /** Unsuppressed findings of warning rules. */
  readonly warnings: readonly Finding[];
  readonly suppressed: readonly Finding[];
  readonly unusedSuppressions: readonly UnusedSuppression[];
}

/** The part of a synthesized stack the rules read. */
export interface SynthesizedStack {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

export function stackView(json: SynthesizedStack, settings: Partial<PolicySettings> = {}): StackView {
  const resources: ResourceUnderTest[] = [];
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) resources.push({ type, name, config });
  }
  return { resources, settings: { ...DEFAULT_POLICY_SETTINGS, ...settings } };
}

export interface EvaluateOptions {
  readonly settings?: Partial<PolicySettings>;
  readonly suppressions?: readonly Suppression[];
  readonly rules?: readonly PolicyRule[];
}

export function evaluatePolicy(json: SynthesizedStack, options: EvaluateOptions = {}): PolicyOutcome {
  const rules = options.rules ?? GATEWAY_RULES;
  const suppressions = options.suppressions ?? [];
  const stack = stackView(json, options.settings);
  const used = new Set<Suppression>();
  const outcomes: RuleOutcome[] = rules.map((rule) => {
    const compliant: string[] = [];
    const findings: Finding[] = [];
    for (const resource of stack.resources) {
      const result = rule.evaluate(resource, stack);
      const address = addressOf(resource);
      if (result.status === 'compliant') compliant.push(address);
      if (result.status !== 'non-compliant') continue;
      const suppression = suppressions.find((s) => s.rule === rule.id && s.resource === address);
      if (suppression) used.add(suppression);
      findings.push({ rule, address, finding: result.finding, ...(suppression ? { suppression } : {}) });
    }
    return { rule, compliant, findings };
  });
  const open = outcomes.flatMap((o) => o.findings.filter((f) => !f.suppression));
  const unusedSuppressions = suppressions
    .filter((s) => !used.has(s))
    .map((suppression) => ({ suppression, why: whyUnused(suppression, stack, rules) }));
  return {
    rules: outcomes,
    errors: open.filter((f) => f.rule.severity === 'error'),
    warnings: open.filter((f) => f.rule.severity === 'warning'),
    suppressed: outcomes.flatMap((o) => o.findings.filter((f) => f.suppression)),
    unusedSuppressions,
  };
}

function whyUnused(suppression: Suppression, stack: StackView, rules: readonly PolicyRule[]): string {
  const resource = stack.resources.find((r) => addressOf(r) === suppression.resource);
  if (!resource) return `the stack has no resource ${suppression.resource}`;
  const rule = rules.find((r) => r.id === suppression.rule);
  if (!rule) return `there is no rule ${suppression.rule}`;
  return rule.evaluate(resource, stack).status === 'compliant'
    ? `${suppression.resource} complies with ${suppression.rule} now`
    : `${suppression.rule} does not apply to ${suppression.resource}`;
}

/** One line per finding, as synth prints it: rule, resource, what must hold, what is wrong, how to fix it. */
export function formatFinding(finding: Finding): string {
  return `[${finding.rule.id}] ${finding.address}: ${finding.rule.info} ${finding.finding}. ${finding.rule.explanation}`;
}

export function formatUnusedSuppression({ suppression, why }: UnusedSuppression): string {
  return `unused suppression of ${suppression.rule} for ${suppression.resource}: ${why}; remove it from the environment's policy.suppressions`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The active suppressions of one stack as a markdown table ('' when there are none). */
export function formatSuppressionTable(stackName: string, outcome: PolicyOutcome): string {
  if (outcome.suppressed.length === 0) return '';
  return [
    `Active policy suppressions in ${stackName} (${outcome.suppressed.length}):`,
    '| rule | resource | origin | reason |',
    '|---|---|---|---|',
    ...outcome.suppressed.map((f) => `| ${f.rule.id} | ${f.address} | ${f.suppression!.origin ?? 'config'} | ${cell(f.suppression!.reason)} |`),
  ].join('\n');
}

/** Every rule with its result in one stack, as `npm run lint:infra` prints it (markdown). */
export function formatLintReport(stackName: string, outcome: PolicyOutcome): string {
  const counts = `${outcome.errors.length} ${outcome.errors.length === 1 ? 'error' : 'errors'}, ${outcome.warnings.length} ${outcome.warnings.length === 1 ? 'warning' : 'warnings'}, ${outcome.suppressed.length} suppressed`;
  const lines = [`### ${stackName}: ${counts}`, '', '| rule | severity | result | details |', '|---|---|---|---|'];
  for (const { rule, compliant, findings } of outcome.rules) {
    const open = findings.filter((f) => !f.suppression);
    const suppressed = findings.filter((f) => f.suppression);
    let result: string;
    if (open.length > 0) result = rule.severity === 'error' ? 'FAIL' : 'WARN';
    else if (suppressed.length > 0) result = 'suppressed';
    else if (compliant.length > 0) result = 'pass';
    else result = 'not applicable';
    const details = [
      ...open.map((f) => `${f.address}: ${f.finding}`),
      ...suppressed.map((f) => `${f.address}: suppressed (${f.suppression!.reason})`),
      ...(open.length === 0 && compliant.length > 0 ? [`${compliant.length} ${compliant.length === 1 ? 'resource' : 'resources'} compliant`] : []),
    ];
    lines.push(`| ${rule.id} | ${rule.severity} | ${result} | ${cell(details.join('; '))} |`);
  }
  if (outcome.unusedSuppressions.length > 0) {
    lines.push('', ...outcome.unusedSuppressions.map((u) => `- WARN ${formatUnusedSuppression(u)}`));
  }
  return lines.join('\n');
}
