/**
 * What the tenant report shows and the diff compares, declared once per kind of entry
 * (tenant, tier, model, identity provider, environment): its columns, how each value is
 * written, and which changes are risky. A new config field is one more `Field` here; the
 * tables, the diff and the risk flags follow from it.
 */
import { effectiveLimits, effectiveModels, stageNameOf, tenantNeedsOwnPlan } from '../gateway-config/derive';
import type { Budget, BudgetPeriod, Environment, GatewayConfig, IdentityProvider, Model, Quota, Tenant, Tier } from '../gateway-config/schema';

/**
 * A token/USD budget as the report shows it. For a tenant, `from` says whose budget it is: its
 * own (`overrides.budget`) or its tier's; a tenant whose own budget is `null` (none, though its
 * tier has one) is `{ from: 'own' }` without a period. A tier's budget has no `from`.
 */
export interface BudgetValue {
  readonly from?: 'own' | 'tier';
  readonly period?: BudgetPeriod;
  readonly tokens?: { readonly limit: number; readonly count: 'input' | 'output' | 'total' };
  readonly usd?: number;
  /** Sorted, without duplicates. */
  readonly alertThresholds?: readonly number[];
}

/** A field's value, kept comparable: numbers and lists stay what they are until written. */
export type Value = string | number | boolean | readonly string[] | Quota | BudgetValue | null;

export interface Field<T> {
  /** Stable key, used in `--json`. */
  readonly key: string;
  /** Column header in the markdown tables. */
  readonly header: string;
  value(item: T, config: GatewayConfig): Value;
  /** How the value reads in a table. @default formatValue */
  format?(value: Value): string;
  /** A label when a change from `before` to `after` needs a reviewer's attention. */
  risk?(before: Value, after: Value): string | undefined;
}

export interface EntryKind<T> {
  /** Singular, for rows: `tenant`. */
  readonly noun: string;
  /** Heading: `Tenants`. */
  readonly title: string;
  /** `--json` key. */
  readonly key: string;
  id(item: T): string;
  items(config: GatewayConfig, environment: Environment): readonly T[];
  readonly fields: readonly Field<T>[];
  /** Risk of the entry appearing at all (a new tenant is granted models; a new IdP is trusted). */
  addedRisk?(item: T, config: GatewayConfig): string | undefined;
}

const PERIOD_DAYS: Record<string, number> = { DAY: 1, WEEK: 7, MONTH: 30 };

function isQuota(value: Value): value is Quota {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'limit' in value;
}

function isBudget(value: Value): value is BudgetValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('limit' in value);
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export function formatValue(value: Value): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return formatNumber(value);
  if (isQuota(value)) return `${formatNumber(value.limit)} / ${value.period.toLowerCase()}`;
  if (isBudget(value)) return formatBudget(value);
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.join(', ');
  return value as string;
}

/** Quota per day, so that a change of period compares fairly (a month counts 30 days). */
function dailyQuota(value: Value): number | undefined {
  return isQuota(value) ? value.limit / PERIOD_DAYS[value.period] : undefined;
}

const quotaRaised = (before: Value, after: Value): string | undefined => {
  const [b, a] = [dailyQuota(before), dailyQuota(after)];
  return b !== undefined && a !== undefined && a > b ? 'quota raised' : undefined;
};

/** `$250 or 2,000,000 total tokens / week, alerts at 50%, 80% (tier)`; `none (own)`. */
function formatBudget(b: BudgetValue): string {
  const from = b.from ? ` (${b.from})` : '';
  if (b.period === undefined) return `none${from}`;
  const limits = [...(b.usd !== undefined ? [`$${formatNumber(b.usd)}`] : []), ...(b.tokens ? [`${formatNumber(b.tokens.limit)} ${b.tokens.count} tokens`] : [])];
  const alerts = (b.alertThresholds ?? []).map((t) => `${formatNumber(t * 100)}%`);
  return `${limits.join(' or ')} / ${b.period.toLowerCase()}${alerts.length > 0 ? `, alerts at ${alerts.join(', ')}` : ''}${from}`;
}

export function budgetValue(budget: Budget | undefined | null, from?: 'own' | 'tier'): BudgetValue | null {
  if (budget === undefined || budget === null) return from === 'own' ? { from } : null;
  return {
    ...(from ? { from } : {}),
    period: budget.period,
    ...(budget.usd !== undefined ? { usd: budget.usd } : {}),
    ...(budget.tokens ? { tokens: { limit: budget.tokens.limit, count: budget.tokens.count } } : {}),
    alertThresholds: [...new Set(budget.alertThresholds)].sort((a, b) => a - b),
  };
}

/** A tenant's effective budget: its own (`null`: none), else its tier's (see gateway-config/budgets.ts). */
function tenantBudget(tenant: Tenant, config: GatewayConfig): BudgetValue | null {
  const own = tenant.overrides?.budget;
  if (own !== undefined) return budgetValue(own, 'own');
  return budgetValue(config.tiers.find((t) => t.name === tenant.tier)?.budget, 'tier');
}

/**
 * Whether `after` lets a tenant use more than `before` in some window, limit by limit (tokens,
 * USD). A limit is raised when it is larger (whatever the period: more in one period is a bigger
 * burst, even when the period is longer), when the same limit renews more often (a shorter period
 * with a higher daily average; a month counts 30 days), when it is removed, or, for tokens, when
 * fewer kinds of tokens are counted (total → input or output, input ↔ output). No budget means no
 * limit: removing the budget raises it; adding one, a lower or rarer limit, another alert threshold
 * or counting more kinds (→ total) is a normal change.
 */
export function budgetRaised(before: Value, after: Value): string | undefined {
  const b = isBudget(before) && before.period !== undefined ? before : undefined;
  const a = isBudget(after) && after.period !== undefined ? after : undefined;
  if (b === undefined) return undefined; // There was no limit to raise.
  if (a === undefined) return 'budget raised: budget removed';
  const more = (limitBefore: number, limitAfter: number) => limitAfter > limitBefore || limitAfter / PERIOD_DAYS[a.period!] > limitBefore / PERIOD_DAYS[b.period!];
  const reasons: string[] = [];
  if (b.tokens) {
    if (!a.tokens) reasons.push('token limit removed');
    else {
      if (more(b.tokens.limit, a.tokens.limit)) reasons.push('more tokens');
      if (a.tokens.count !== b.tokens.count && a.tokens.count !== 'total') reasons.push(`counts ${a.tokens.count} tokens only`);
    }
  }
  if (b.usd !== undefined) {
    if (a.usd === undefined) reasons.push('USD limit removed');
    else if (more(b.usd, a.usd)) reasons.push('more USD');
  }
  return reasons.length > 0 ? `budget raised: ${reasons.join(', ')}` : undefined;
}

const listGained = (label: string) => (before: Value, after: Value): string | undefined => {
  const had = new Set(Array.isArray(before) ? before : []);
  const gained = (Array.isArray(after) ? after : []).filter((x) => !had.has(x));
  return gained.length > 0 ? `${label}: ${gained.join(', ')}` : undefined;
};

const sorted = (values: readonly string[]): string[] => [...values].sort();

export const TENANTS: EntryKind<Tenant> = {
  noun: 'tenant',
  title: 'Tenants',
  key: 'tenants',
  id: (t) => t.id,
  items: (config) => config.tenants,
  fields: [
    { key: 'name', header: 'name', value: (t) => t.displayName ?? null },
    { key: 'tier', header: 'tier', value: (t) => t.tier },
    { key: 'enabled', header: 'enabled', value: (t) => t.enabled, risk: (b, a) => (b === false && a === true ? 'tenant re-enabled' : undefined) },
    { key: 'plan', header: 'plan', value: (t) => (tenantNeedsOwnPlan(t) ? 'own' : 'tier') },
    { key: 'rateLimit', header: 'rate (req/s)', value: (t, c) => effectiveLimits(c, t).rateLimit },
    { key: 'burstLimit', header: 'burst', value: (t, c) => effectiveLimits(c, t).burstLimit },
    { key: 'quota', header: 'quota', value: (t, c) => effectiveLimits(c, t).quota, risk: quotaRaised },
    { key: 'budget', header: 'budget', value: (t, c) => tenantBudget(t, c), risk: budgetRaised },
    { key: 'models', header: 'models', value: (t, c) => effectiveModels(c, t), risk: listGained('model granted') },
    { key: 'identityProviders', header: 'identity providers', value: (t) => sorted(t.identityProviders), risk: listGained('identity provider allowed') },
  ],
  addedRisk: (t, c) => {
    const models = effectiveModels(c, t).length;
    return t.enabled ? `tenant added with ${models} ${models === 1 ? 'model' : 'models'}` : undefined;
  },
};

export const TIERS: EntryKind<Tier> = {
  noun: 'tier',
  title: 'Tiers',
  key: 'tiers',
  id: (t) => t.name,
  items: (config) => config.tiers,
  fields: [
    { key: 'rateLimit', header: 'rate (req/s)', value: (t) => t.rateLimit },
    { key: 'burstLimit', header: 'burst', value: (t) => t.burstLimit },
    { key: 'quota', header: 'quota', value: (t) => t.quota, risk: quotaRaised },
    { key: 'budget', header: 'budget', value: (t) => budgetValue(t.budget), risk: budgetRaised },
    { key: 'models', header: 'models', value: (t) => sorted(t.models), risk: listGained('model granted') },
    { key: 'description', header: 'description', value: (t) => t.description ?? null },
  ],
};

export const MODELS: EntryKind<Model> = {
  noun: 'model',
  title: 'Models',
  key: 'models',
  id: (m) => m.id,
  items: (config) => config.models,
  fields: [
    { key: 'kind', header: 'kind', value: (m) => m.kind },
    { key: 'foundationModel', header: 'foundation model', value: (m) => (m.kind === 'inference-profile' ? m.foundationModel : null) },
    { key: 'regions', header: 'regions', value: (m) => (m.kind === 'inference-profile' ? (m.regions ?? ['global']) : []) },
  ],
};

export const IDENTITY_PROVIDERS: EntryKind<IdentityProvider> = {
  noun: 'identity provider',
  title: 'Identity providers',
  key: 'identityProviders',
  id: (i) => i.id,
  items: (config) => config.identityProviders,
  fields: [
    { key: 'kind', header: 'kind', value: (i) => i.kind },
    { key: 'issuer', header: 'issuer', value: (i) => i.issuer, risk: () => 'issuer changed' },
    { key: 'jwksUri', header: 'JWKS URI', value: (i) => i.jwksUri, risk: () => 'key source changed' },
    { key: 'audiences', header: 'audiences', value: (i) => i.audiences, risk: listGained('audience added') },
    { key: 'algorithms', header: 'algorithms', value: (i) => i.algorithms, risk: listGained('algorithm added') },
    { key: 'tokenUse', header: 'token', value: (i) => i.tokenUse },
    { key: 'claims', header: 'claims (tenant, role)', value: (i) => `${i.claims.tenant}, ${i.claims.role}`, risk: () => 'claim mapping changed' },
  ],
  addedRisk: () => 'identity provider added',
};

export const ENVIRONMENTS: EntryKind<Environment> = {
  noun: 'environment',
  title: 'Environments',
  key: 'environments',
  id: (e) => e.name,
  items: (config) => config.environments,
  fields: [
    { key: 'region', header: 'region', value: (e) => e.region },
    { key: 'stage', header: 'stage', value: (e) => stageNameOf(e) },
    {
      key: 'state',
      header: 'state',
      value: (e) => {
        const s = e.state;
        if (s.backend === 's3') return `s3://${s.bucket}/${s.keyPrefix}/${e.name}/terraform.tfstate`;
        if (s.backend === 'cloud') return `Terraform Cloud ${s.organization}/${s.workspace ?? `tags ${(s.workspaceTags ?? []).join(', ')}`}`;
        return 'local';
      },
    },
    { key: 'authorizerCacheTtlSeconds', header: 'authorizer cache (s)', value: (e) => e.authorizer.cacheTtlSeconds },
    { key: 'logRetentionDays', header: 'log retention (days)', value: (e) => e.logRetentionDays },
    {
      key: 'tokenBudgets',
      header: 'budgets enforced',
      value: (e) => e.tokenBudgets !== undefined,
      risk: (b, a) => (b === true && a === false ? 'budget enforcement switched off' : undefined),
    },
    { key: 'requireWaf', header: 'WAF required', value: (e) => e.policy.requireWaf, risk: (b, a) => (b === true && a === false ? 'WAF requirement dropped' : undefined) },
    {
      key: 'suppressions',
      header: 'policy suppressions',
      value: (e) => e.policy.suppressions.map((s) => `${s.rule} ${s.resource}`),
      risk: listGained('policy suppression added'),
    },
  ],
};

/** The kinds shown per environment, in report order. */
export const PER_ENVIRONMENT_KINDS = [TENANTS, TIERS, MODELS, IDENTITY_PROVIDERS] as const;
