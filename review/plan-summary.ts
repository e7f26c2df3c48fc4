/**
 * A Terraform plan, summarized for a reviewer: counts by action, then the resources that
 * are destroyed or replaced (named, with the attributes that force the replacement), then
 * the updated ones (with the attributes that change), then what is created, by type.
 * Reads `terraform show -json <planfile>` (format version 1.x).
 */
import { table } from './markdown';

type Action = 'create' | 'update' | 'replace' | 'destroy';

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  /** Attributes that change (update) or force the replacement (replace). */
  readonly attributes: readonly string[];
}

export interface PlanSummary {
  readonly stack: string;
  readonly counts: Readonly<Record<Action, number>>;
  readonly changes: readonly ResourceChange[];
}

interface PlanJson {
  readonly resource_changes?: ReadonlyArray<{
    readonly address: string;
    readonly mode: string;
    readonly type: string;
    readonly change: {
      readonly actions: readonly string[];
      readonly before?: Record<string, unknown> | null;
      readonly after?: Record<string, unknown> | null;
      readonly after_unknown?: Record<string, unknown>;
      readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
    };
  }>;
}

function actionOf(actions: readonly string[]): Action | undefined {
  const key = actions.join(',');
  if (key === 'create') return 'create';
  if (key === 'update') return 'update';
  if (key === 'delete') return 'destroy';
  if (key === 'delete,create' || key === 'create,delete') return 'replace';
  return undefined; // no-op, read
}

function changedAttributes(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined, unknown: Record<string, unknown> = {}): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]) || (unknown[k] !== undefined && unknown[k] !== false)).sort();
}

export function summarizePlan(stack: string, plan: PlanJson): PlanSummary {
  const counts: Record<Action, number> = { create: 0, update: 0, replace: 0, destroy: 0 };
  const changes: ResourceChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    const action = actionOf(rc.change.actions);
    if (!action) continue;
    counts[action] += 1;
    const attributes =
      action === 'replace'
        ? [...new Set((rc.change.replace_paths ?? []).map((p) => String(p[0])))].sort()
        : action === 'update'
          ? changedAttributes(rc.change.before, rc.change.after, rc.change.after_unknown).filter((k) => k !== 'tags_all')
          : [];
    changes.push({ address: rc.address, type: rc.type, action, attributes });
  }
  return { stack, counts, changes };
}

const ORDER: readonly Action[] = ['destroy', 'replace', 'update', 'create'];
const HEADINGS: Record<Action, string> = { destroy: 'Destroyed', replace: 'Replaced', update: 'Updated', create: 'Created' };

export function formatPlanSummary(summary: PlanSummary): string {
  const { counts } = summary;
  const total = counts.create + counts.update + counts.replace + counts.destroy;
  const title = `### Plan for ${summary.stack}: ${total === 0 ? 'no changes' : `${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.destroy} to destroy`}`;
  if (total === 0) return `${title}\n`;
  const sections = [title];
  for (const action of ORDER.filter((a) => a !== 'create')) {
    const list = summary.changes.filter((c) => c.action === action);
    if (list.length === 0) continue;
    const because = action === 'replace' ? 'forced by' : 'changing';
    sections.push(`**${HEADINGS[action]} (${list.length})**\n\n${list.map((c) => `- \`${c.address}\`${c.attributes.length > 0 ? ` (${because} ${c.attributes.join(', ')})` : ''}`).join('\n')}`);
  }
  const created = summary.changes.filter((c) => c.action === 'create');
  if (created.length > 0) {
    const byType = new Map<string, number>();
    for (const c of created) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
    sections.push(`**Created (${created.length})**\n\n${table(['type', 'count'], [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => [type, String(n)]))}`);
  }
  return `${sections.join('\n\n')}\n`;
}

/** One stack of an environment's plan (`npm run plan`): planned, not planned (and why), or failed. */
export type StackPlan =
  | { readonly stack: string; readonly role: 'core' | 'shard'; readonly status: 'planned'; readonly summary: PlanSummary; readonly planFile: string; readonly planJsonPath: string }
  | { readonly stack: string; readonly role: 'core' | 'shard'; readonly status: 'not planned'; readonly reason: string }
  | { readonly stack: string; readonly role: 'core' | 'shard'; readonly status: 'failed'; readonly error: string };

/** The plans of an environment's stacks, in apply order: the core stack, then its tenant shards. */
export interface EnvironmentPlan {
  readonly environment: string;
  readonly stacks: readonly StackPlan[];
  /** Said instead of summaries when there was nothing to plan. */
  readonly note?: string;
}

/** Counts by action over the planned stacks. */
export function totalCounts(plan: EnvironmentPlan): Record<Action, number> {
  const total: Record<Action, number> = { create: 0, update: 0, replace: 0, destroy: 0 };
  for (const s of plan.stacks) if (s.status === 'planned') for (const a of ORDER) total[a] += s.summary.counts[a];
  return total;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The total line of an environment of several stacks, first so that a reviewer (and the pull
 * request comment's table) reads it before the per-stack summaries:
 * `**Total for prod, 3 stacks: 2 to create, 1 to update, 0 to replace, 0 to destroy**`.
 */
export function formatPlanTotal(plan: EnvironmentPlan): string {
  const counts = totalCounts(plan);
  const planned = plan.stacks.filter((s) => s.status === 'planned').length;
  const notPlanned = plan.stacks.filter((s) => s.status === 'not planned').length;
  const failed = plan.stacks.filter((s) => s.status === 'failed').length;
  const stacks = planned === plan.stacks.length ? plural(plan.stacks.length, 'stack', 'stacks') : `${planned} of ${plan.stacks.length} stacks planned`;
  const rest = [...(notPlanned > 0 ? [`${plural(notPlanned, 'stack', 'stacks')} not planned`] : []), ...(failed > 0 ? [`${plural(failed, 'stack', 'stacks')} failed to plan`] : [])];
  return `**Total for ${plan.environment}, ${stacks}: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.destroy} to destroy${rest.map((r) => `; ${r}`).join('')}**`;
}

/**
 * An environment's plan as markdown: a single-stack environment prints its one summary as
 * before; an environment with tenant shards prints the total line, why stacks were not planned
 * (once per reason), then one summary per stack in apply order. `display` shortens file paths.
 */
export function formatEnvironmentPlan(plan: EnvironmentPlan, display: (file: string) => string = (f) => f): string {
  if (plan.note !== undefined && plan.stacks.length === 0) return `${plan.note}\n`;
  const jsonFiles = plan.stacks.flatMap((s) => (s.status === 'planned' ? [display(s.planJsonPath)] : []));
  const planJson = jsonFiles.length > 0 ? `\nPlan JSON: ${jsonFiles.join(', ')}\n` : '';
  const only = plan.stacks[0];
  if (plan.stacks.length === 1 && only.status === 'planned') return `${formatPlanSummary(only.summary)}${planJson}`;
  const reasons = [...new Set(plan.stacks.flatMap((s) => (s.status === 'not planned' ? [s.reason] : [])))];
  const sections = [
    formatPlanTotal(plan),
    ...reasons.map((reason) => {
      const stacks = plan.stacks.filter((s) => s.status === 'not planned' && s.reason === reason).map((s) => `\`${s.stack}\``);
      return `Not planned (${stacks.join(', ')}): ${reason}`;
    }),
    ...plan.stacks.map((s) => {
      if (s.status === 'planned') return formatPlanSummary(s.summary).trimEnd();
      if (s.status === 'not planned') return `### Plan for ${s.stack}: not planned`;
      return `### Plan for ${s.stack}: failed\n\n\`\`\`\n${s.error.trim()}\n\`\`\``;
    }),
  ];
  return `${sections.join('\n\n')}\n${planJson}`;
}
