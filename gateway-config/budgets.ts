/**
 * Token budgets derived from the validated config: each tenant's effective budget and the
 * metering functions' bundled settings, so the stack, the functions and `npm run usage` agree.
 */
import type { BudgetSettings, MeteringSettings, ModelPriceSettings } from '../functions/metering/settings';
import { tierOf } from './derive';
import type { Budget, Environment, GatewayConfig, Model, ModelPrice, Tenant } from './schema';

/** 1 USD in the ledger's unit. Prices are multiples of $0.001 per million tokens = 1 nano-USD per token. */
export const NANO_USD_PER_USD = 1_000_000_000;

/** A tenant's budget: its override (`null` = none), else its tier's; undefined when it has none. */
export function effectiveBudget(config: GatewayConfig, tenant: Tenant): Budget | undefined {
  const override = tenant.overrides?.budget;
  if (override === null) return undefined;
  return override ?? tierOf(config, tenant).budget;
}

/** Price of one token of each kind in nano-USD (exact: prices are multiples of $0.001 per million). */
export function priceSettings(price: ModelPrice): ModelPriceSettings {
  const nano = (usdPerMillion: number) => Math.round(usdPerMillion * 1000);
  return {
    input: nano(price.inputPerMillionTokens),
    output: nano(price.outputPerMillionTokens),
    cacheRead: nano(price.cacheReadPerMillionTokens ?? price.inputPerMillionTokens),
    cacheWrite: nano(price.cacheWritePerMillionTokens ?? price.inputPerMillionTokens),
  };
}

export function budgetSettings(budget: Budget): BudgetSettings {
  return {
    period: budget.period,
    ...(budget.tokens ? { tokens: { limit: budget.tokens.limit, count: budget.tokens.count } } : {}),
    ...(budget.usd !== undefined ? { costNanoUsd: Math.round(budget.usd * NANO_USD_PER_USD) } : {}),
    alertThresholds: [...new Set(budget.alertThresholds)].sort((a, b) => a - b),
  };
}

export const modelPrice = (model: Model): ModelPrice | undefined => model.price;

/** True when any tenant has a budget. */
export function hasBudgets(config: GatewayConfig): boolean {
  return config.tenants.some((t) => config.tiers.some((tier) => tier.name === t.tier) && effectiveBudget(config, t) !== undefined);
}

/** The settings bundled with the metering and reset functions of one environment. */
export function buildMeteringSettings(config: GatewayConfig, environment: Environment): MeteringSettings {
  const budgets = environment.tokenBudgets;
  const tenants = [...config.tenants].sort((a, b) => a.id.localeCompare(b.id));
  const models = [...config.models].sort((a, b) => a.id.localeCompare(b.id));
  return {
    environment: environment.name,
    models: Object.fromEntries(models.map((m) => [m.id, m.price ? priceSettings(m.price) : null])),
    tenants: Object.fromEntries(
      tenants.map((t) => {
        const budget = effectiveBudget(config, t);
        return [t.id, { tier: t.tier, enabled: t.enabled, ...(budget ? { budget: budgetSettings(budget) } : {}) }];
      }),
    ),
    unpricedModel: budgets?.unpricedModel ?? 'count-tokens',
    keepPeriods: budgets?.keepPeriods ?? 3,
  };
}
