/**
 * `npm run report`: per environment, who may call what. Environments whose tables are the
 * same are shown once under all their names, so a reviewer reads each fact once.
 */
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { ENVIRONMENTS, PER_ENVIRONMENT_KINDS, formatValue, type EntryKind, type Value } from './fields';
import { listing, table } from './markdown';

export interface Row {
  readonly id: string;
  readonly values: Readonly<Record<string, Value>>;
}

export interface KindTable {
  readonly kind: string;
  readonly rows: readonly Row[];
}

export interface EnvironmentGroup {
  /** Environments whose tables are identical. */
  readonly environments: readonly string[];
  readonly tables: readonly KindTable[];
}

export interface TenantReport {
  readonly environments: KindTable;
  readonly groups: readonly EnvironmentGroup[];
}

export function rowsOf<T>(kind: EntryKind<T>, config: GatewayConfig, environment: Environment): Row[] {
  return kind.items(config, environment).map((item) => ({
    id: kind.id(item),
    values: Object.fromEntries(kind.fields.map((f) => [f.key, f.value(item, config)])),
  }));
}

/** Environments with equal content, in config order: `[[dev, prod, local]]` when all agree. */
export function groupEnvironments<C>(config: GatewayConfig, content: (environment: Environment) => C): Array<{ environments: string[]; content: C }> {
  const groups: Array<{ environments: string[]; content: C; key: string }> = [];
  for (const environment of config.environments) {
    const value = content(environment);
    const key = JSON.stringify(value);
    const group = groups.find((g) => g.key === key);
    if (group) group.environments.push(environment.name);
    else groups.push({ environments: [environment.name], content: value, key });
  }
  return groups.map(({ environments, content: c }) => ({ environments, content: c }));
}

export function buildTenantReport(config: GatewayConfig): TenantReport {
  const environments = { kind: ENVIRONMENTS.key, rows: config.environments.map((e) => ({ id: e.name, values: Object.fromEntries(ENVIRONMENTS.fields.map((f) => [f.key, f.value(e, config)])) })) };
  const groups = groupEnvironments(config, (environment) => PER_ENVIRONMENT_KINDS.map((kind) => ({ kind: kind.key, rows: rowsOf(kind as EntryKind<unknown>, config, environment) })));
  return { environments, groups: groups.map((g) => ({ environments: g.environments, tables: g.content })) };
}

function kindByKey(key: string): EntryKind<unknown> {
  return [ENVIRONMENTS, ...PER_ENVIRONMENT_KINDS].find((k) => k.key === key) as EntryKind<unknown>;
}

export function formatKindTable({ kind: key, rows }: KindTable, heading = '###', kind: EntryKind<unknown> = kindByKey(key)): string {
  const formatted = rows.map((row) => [`\`${row.id}\``, ...kind.fields.map((f) => (f.format ?? formatValue)(row.values[f.key]))]);
  return `${heading} ${kind.title} (${rows.length})\n\n${table([kind.noun, ...kind.fields.map((f) => f.header)], formatted)}`;
}

export function formatTenantReport(report: TenantReport): string {
  const sections = [
    '## Gateway config: tenants, tiers, models and identity providers',
    formatKindTable(report.environments),
    ...report.groups.map((g) => [`### ${g.environments.length === 1 ? 'Environment' : 'Environments'} ${listing(g.environments)}`, ...g.tables.map((t) => formatKindTable(t, '####'))].join('\n\n')),
  ];
  return `${sections.join('\n\n')}\n`;
}
