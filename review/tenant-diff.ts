/**
 * `npm run report -- --base <ref>`: what changes for whom between the config at a git ref and
 * the working tree. Only differences, each with before and after; the risky ones (quota
 * raised, budget raised or removed, model granted, tenant re-enabled or added, identity provider
 * added or allowed, policy suppression added, WAF requirement or budget enforcement dropped) are
 * listed first; what "budget raised" means is `budgetRaised` in fields.ts. A change made in every environment is one row.
 */
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { shardCount, shardName, tenantShard } from '../gateway-config/tenant-shards';
import { ENVIRONMENTS, PER_ENVIRONMENT_KINDS, formatValue, type EntryKind, type Value } from './fields';
import type { LoadOutcome } from './load-outcome';
import { listing, table } from './markdown';

export interface Change {
  /** Environments the change applies to (for environment entries: the environment itself). */
  readonly environments: readonly string[];
  /** Kind key: `tenants`, `tiers`, `models`, `identityProviders`, `environments`. */
  readonly kind: string;
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Field key, for `changed`. */
  readonly field?: string;
  readonly before?: Value | Readonly<Record<string, Value>>;
  readonly after?: Value | Readonly<Record<string, Value>>;
  /** Set when the change needs a reviewer's attention. */
  readonly risk?: string;
  /**
   * For a tenant of an environment with `tenantShards`: the shard whose stack the change lands in
   * (`tenants-3`, stack `gateway-<environment>-tenants-3`), besides the authorizer in the core stack.
   */
  readonly shard?: string;
}

function valuesOf<T>(kind: EntryKind<T>, item: T, config: GatewayConfig): Record<string, Value> {
  return Object.fromEntries(kind.fields.map((f) => [f.key, f.value(item, config)]));
}

function diffKind<T>(kind: EntryKind<T>, base: GatewayConfig, head: GatewayConfig, where: (id: string) => readonly string[], baseEnv?: Environment, headEnv?: Environment): Change[] {
  const before = new Map(kind.items(base, baseEnv!).map((i) => [kind.id(i), i]));
  const after = new Map(kind.items(head, headEnv!).map((i) => [kind.id(i), i]));
  const changes: Change[] = [];
  for (const [id, item] of after) {
    const old = before.get(id);
    if (old === undefined) {
      const risk = kind.addedRisk?.(item, head);
      changes.push({ environments: where(id), kind: kind.key, id, change: 'added', after: valuesOf(kind, item, head), ...(risk ? { risk } : {}) });
      continue;
    }
    for (const field of kind.fields) {
      const [b, a] = [field.value(old, base), field.value(item, head)];
      if (JSON.stringify(b) === JSON.stringify(a)) continue;
      const risk = field.risk?.(b, a);
      changes.push({ environments: where(id), kind: kind.key, id, change: 'changed', field: field.key, before: b, after: a, ...(risk ? { risk } : {}) });
    }
  }
  for (const [id, item] of before) {
    if (!after.has(id)) changes.push({ environments: where(id), kind: kind.key, id, change: 'removed', before: valuesOf(kind, item, base) });
  }
  return changes;
}

/** Every difference, changes that are the same in several environments merged into one. */
export function diffConfigs(base: GatewayConfig, head: GatewayConfig): Change[] {
  const changes = diffKind(ENVIRONMENTS, base, head, (id) => [id]);
  const merged: Change[] = [];
  for (const headEnv of head.environments) {
    const baseEnv = base.environments.find((e) => e.name === headEnv.name);
    if (!baseEnv) continue; // An added environment is one row above; its tables are in the full report.
    const shards = shardCount(headEnv);
    for (const kind of PER_ENVIRONMENT_KINDS) {
      for (const found of diffKind(kind as EntryKind<unknown>, base, head, () => [headEnv.name], baseEnv, headEnv)) {
        const change = kind.key === 'tenants' && shards > 0 ? { ...found, shard: shardName(tenantShard(found.id, shards)) } : found;
        const key = JSON.stringify({ ...change, environments: [] });
        const same = merged.find((m) => JSON.stringify({ ...m, environments: [] }) === key);
        if (same) (same.environments as string[]).push(headEnv.name);
        else merged.push({ ...change, environments: [...change.environments] });
      }
    }
  }
  return [...changes, ...merged];
}

const KINDS = [ENVIRONMENTS, ...PER_ENVIRONMENT_KINDS] as ReadonlyArray<EntryKind<unknown>>;
const kindOf = (key: string) => KINDS.find((k) => k.key === key)!;

/** One side of a change: a field's value (`changed`), or every field of an added or removed entry. */
function formatSide(kind: EntryKind<unknown>, change: Change, value: Change['before']): string {
  if (value === undefined) return '—';
  if (change.change !== 'changed') {
    const values = value as Record<string, Value>;
    return kind.fields
      .filter((f) => values[f.key] !== null && !(Array.isArray(values[f.key]) && (values[f.key] as unknown[]).length === 0))
      .map((f) => `${f.header} ${(f.format ?? formatValue)(values[f.key])}`)
      .join('; ');
  }
  return formatValue(value as Value);
}

function changeLabel(change: Change): string {
  if (change.change !== 'changed') return change.change;
  return kindOf(change.kind).fields.find((f) => f.key === change.field)!.header;
}

const where = (c: Change, all: readonly string[]) => (c.kind === 'environments' ? `\`${c.id}\`` : c.environments.length === all.length && all.length > 1 ? 'all environments' : listing(c.environments));

export interface ReviewInput {
  /** The git ref the base config was read at. */
  readonly ref: string;
  readonly base: LoadOutcome;
  readonly head: LoadOutcome;
}

export interface ReviewResult {
  readonly markdown: string;
  readonly json: unknown;
  /** 1 when the working tree's config is invalid, else 0. */
  readonly exitCode: number;
}

/** The diff section of the pull request comment, or the reason there is none. */
export function reviewChanges({ ref, base, head }: ReviewInput, fullReport: (config: GatewayConfig) => string): ReviewResult {
  const title = `## Config changes: \`${ref}\` → working tree`;
  const invalid = (side: string, problems: readonly string[]) => `The config ${side} is invalid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n\n${problems.map((p) => `- ${p}`).join('\n')}`;
  const sideJson = (o: LoadOutcome) => (o.valid ? { valid: true } : { valid: false, problems: o.problems });
  if (!head.valid) {
    const parts = [title, invalid('in the working tree', head.problems), ...(base.valid ? [] : [invalid(`at \`${ref}\``, base.problems)])];
    return { markdown: `${parts.join('\n\n')}\n`, json: { base: { ref, ...sideJson(base) }, head: sideJson(head), changes: null }, exitCode: 1 };
  }
  if (!base.valid) {
    const markdown = `${title}\n\n${invalid(`at \`${ref}\``, base.problems)}\n\nNo diff can be shown; this is the working tree's full report.\n\n${fullReport(head.config)}`;
    return { markdown, json: { base: { ref, ...sideJson(base) }, head: sideJson(head), changes: null }, exitCode: 0 };
  }
  const changes = diffConfigs(base.config, head.config);
  const json = { base: { ref, valid: true }, head: { valid: true }, changes };
  if (changes.length === 0) return { markdown: `${title}\n\nNo changes to environments, tenants, tiers, models or identity providers.\n`, json, exitCode: 0 };

  const all = head.config.environments.map((e) => e.name);
  const risky = changes.filter((c) => c.risk);
  const sections = [title];
  if (risky.length > 0) {
    sections.push(
      `**${risky.length} risky ${risky.length === 1 ? 'change' : 'changes'}**, review first:\n\n` +
        table(
          ['where', 'entry', 'risk', 'before', 'after'],
          risky.map((c) => [where(c, all), `${kindOf(c.kind).noun} \`${c.id}\`${c.shard ? ` (shard \`${c.shard}\`)` : ''}`, c.risk!, formatSide(kindOf(c.kind), c, c.before), formatSide(kindOf(c.kind), c, c.after)]),
        ),
    );
  }
  const row = (c: Change) => [`\`${c.id}\`${c.shard ? ` (shard \`${c.shard}\`)` : ''}`, changeLabel(c), formatSide(kindOf(c.kind), c, c.before), formatSide(kindOf(c.kind), c, c.after), c.risk ?? ''];
  const kindSection = (kind: EntryKind<unknown>, list: Change[], heading: string) => {
    const ordered = [...list.filter((c) => c.risk), ...list.filter((c) => !c.risk)];
    return `${heading} ${kind.title}\n\n${table([kind.noun, 'change', 'before', 'after', 'risk'], ordered.map(row))}`;
  };
  const environmentChanges = changes.filter((c) => c.kind === 'environments');
  if (environmentChanges.length > 0) sections.push(kindSection(ENVIRONMENTS as EntryKind<unknown>, environmentChanges, '###'));
  const groups = new Map<string, Change[]>();
  for (const change of changes.filter((c) => c.kind !== 'environments')) {
    const key = change.environments.join(',');
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  for (const [key, list] of groups) {
    const envs = key.split(',');
    const parts = [`### ${envs.length === 1 ? 'Environment' : 'Environments'} ${listing(envs)}`];
    for (const kind of PER_ENVIRONMENT_KINDS) {
      const ofKind = list.filter((c) => c.kind === kind.key);
      if (ofKind.length > 0) parts.push(kindSection(kind as EntryKind<unknown>, ofKind, '####'));
    }
    sections.push(parts.join('\n\n'));
  }
  return { markdown: `${sections.join('\n\n')}\n`, json, exitCode: 0 };
}
