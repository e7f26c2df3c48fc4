/**
 * The synth-time aspect that runs the rule pack (`rules/`) over a whole stack.
 *
 * Rules that relate resources need the finished stack, so the aspect does not judge a node
 * when it visits it: it gives every resource a validation, and the first validation that runs
 * (after every aspect, in `cdktf synth` and in `Testing.synth(stack, true)` alike) evaluates
 * the stack's resolved Terraform JSON once. An error finding becomes that resource's
 * validation error and stops synth; a warning, an unused suppression and the table of
 * active suppressions become cdktf annotations, which `cdktf synth` prints.
 */
import { Annotations, TerraformResource, TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { evaluatePolicy, formatFinding, formatSuppressionTable, formatUnusedSuppression, type PolicyOutcome, type SynthesizedStack, type Suppression } from './evaluate';
import type { PolicyRule, PolicySettings } from './rule';
import { GATEWAY_RULES } from './rules';

export { GATEWAY_RULES };

export interface GatewayPolicyProps {
  readonly settings?: Partial<PolicySettings>;
  readonly suppressions?: readonly Suppression[];
  /** @default GATEWAY_RULES */
  readonly rules?: readonly PolicyRule[];
}

/** The Terraform address of a resource construct, e.g. `aws_api_gateway_stage.stage`. */
export function terraformAddress(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

export class GatewayPolicyAspect implements IAspect {
  private stack?: TerraformStack;
  private outcome?: PolicyOutcome;
  private readonly visited = new WeakSet<IConstruct>();
  private readonly builtIn: Suppression[] = [];

  constructor(private readonly props: GatewayPolicyProps = {}) {}

  /** Accepts a finding in code, for a reason that holds wherever the stack is deployed (listed as `built-in`). */
  suppress(rule: string, resource: TerraformResource, reason: string): void {
    this.builtIn.push({ rule, resource: terraformAddress(resource), reason, origin: 'built-in' });
  }

  visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    if (node instanceof TerraformStack) {
      this.stack = node;
      return;
    }
    if (!(node instanceof TerraformResource)) return;
    const address = terraformAddress(node);
    node.node.addValidation({
      validate: () =>
        this.evaluate()
          .errors.filter((f) => f.address === address)
          .map(formatFinding),
    });
  }

  /** Evaluates the stack once (after aspects have run) and records warnings and suppressions as annotations. */
  evaluate(): PolicyOutcome {
    if (this.outcome) return this.outcome;
    const stack = this.stack;
    if (!stack) throw new Error('GatewayPolicyAspect: evaluate() before the aspect visited its stack (add it with Aspects.of(stack).add)');
    const outcome = evaluatePolicy(stack.toTerraform() as SynthesizedStack, {
      settings: this.props.settings,
      suppressions: [...this.builtIn, ...(this.props.suppressions ?? []).map((s) => ({ origin: 'config' as const, ...s }))],
      rules: this.props.rules ?? GATEWAY_RULES,
    });
    this.outcome = outcome;
    const byAddress = new Map(
      stack.node
        .findAll()
        .filter((c): c is TerraformResource => c instanceof TerraformResource)
        .map((r) => [terraformAddress(r), r] as const),
    );
    for (const warning of outcome.warnings) Annotations.of(byAddress.get(warning.address) ?? stack).addWarning(formatFinding(warning));
    for (const unused of outcome.unusedSuppressions) Annotations.of(stack).addWarning(formatUnusedSuppression(unused));
    const table = formatSuppressionTable(stack.node.id, outcome);
    if (table) Annotations.of(stack).addInfo(table);
    return outcome;
  }
}

/** What `main.ts` prints after synth when cdktf-cli (which prints annotations itself) is not running it. */
export function formatSynthPolicyReport(stackName: string, outcome: PolicyOutcome): string {
  return [
    formatSuppressionTable(stackName, outcome),
    ...outcome.warnings.map((w) => `WARN [${stackName}] ${formatFinding(w)}`),
    ...outcome.unusedSuppressions.map((u) => `WARN [${stackName}] ${formatUnusedSuppression(u)}`),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** The annotation messages `evaluate()` records as warnings, so other warning printers can leave them to the policy report. */
export function policyWarningMessages(outcomes: readonly PolicyOutcome[]): Set<string> {
  return new Set(outcomes.flatMap((o) => [...o.warnings.map(formatFinding), ...o.unusedSuppressions.map(formatUnusedSuppression)]));
}
