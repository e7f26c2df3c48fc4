/**
 * The metering and reset functions' settings, generated at synth from the validated config
 * (`gateway-config/budgets.ts`) and bundled with both functions. Plain JSON types: no imports.
 */
export type BudgetPeriod = 'DAY' | 'WEEK' | 'MONTH';
export type TokenCount = 'input' | 'output' | 'total';

export interface BudgetSettings {
  readonly period: BudgetPeriod;
  /** Token limit per period and what it counts; input includes cache read and cache write tokens. */
  readonly tokens?: { readonly limit: number; readonly count: TokenCount };
  /** Cost limit per period in nano-USD (1 USD = 1e9), so ledger sums stay exact integers. */
  readonly costNanoUsd?: number;
  /** Ascending fractions of the budget that raise an alert once per period. */
  readonly alertThresholds: readonly number[];
}

export interface MeteredTenant {
  readonly tier: string;
  /** False when the config disables the tenant: the reset never re-enables its key. */
  readonly enabled: boolean;
  /** Absent: usage is recorded, nothing is enforced. */
  readonly budget?: BudgetSettings;
}

/** Prices in nano-USD per token (USD per million tokens x 1000): integers, exact when added. */
export interface ModelPriceSettings {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export interface MeteringSettings {
  /** Environment name: the `gw-env` value of this gateway's stamped records. */
  readonly environment: string;
  /** Catalogue id -> price (absent: unpriced). Keys also list every catalogue model. */
  readonly models: Readonly<Record<string, ModelPriceSettings | null>>;
  /** Tenant id -> entry. */
  readonly tenants: Readonly<Record<string, MeteredTenant>>;
  readonly unpricedModel: 'count-tokens' | 'disable-key';
  /** Ledger items expire this many periods after their period ends. */
  readonly keepPeriods: number;
}
