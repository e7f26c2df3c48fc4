/**
 * `npm run usage`: each tenant's usage in its current (or a chosen) budget period, read from the
 * ledger through the AWS SDK: tokens in and out, cost, budget, percent used, state and reset time.
 * The same arithmetic as the metering function (functions/metering/ledger.ts), so the report and
 * the enforcement never disagree.
 */
import { GetApiKeyCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { budgetUse, ledgerKey, readApiKeyId, readUsage } from '../functions/metering/ledger';
import { periodWindow, previousWindow } from '../functions/metering/periods';
import type { MeteringSettings } from '../functions/metering/settings';

/** `current`, `previous`, or a date (`YYYY-MM-DD`) inside the period to report. */
export type PeriodChoice = 'current' | 'previous' | string;

export interface UsageRow {
  readonly tenant: string;
  readonly tier: string;
  readonly period: string;
  readonly periodStart: string;
  /** Input tokens including cache read and cache write tokens. */
  readonly inputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
  readonly invocations: number;
  readonly costUsd: number;
  readonly budget: { readonly tokens?: { readonly limit: number; readonly count: string }; readonly usd?: number } | null;
  /** Percent of the budget used (largest of its limits); null without a budget. */
  readonly percentUsed: number | null;
  /** `active`, `spent` (budget used up: key disabled by the metering function), `disabled` (in config). */
  readonly state: 'active' | 'spent' | 'disabled';
  /** The API key's state on API Gateway, when it could be read. */
  readonly keyEnabled: boolean | null;
  readonly resetsAt: string;
}

export interface UsageReportOptions {
  readonly dynamodb: DynamoDBClient;
  readonly apiGateway?: APIGatewayClient;
  readonly tableName: string;
  readonly period?: PeriodChoice;
  readonly nowMs?: number;
}

export function parsePeriodChoice(value: string): PeriodChoice | null {
  if (value === 'current' || value === 'previous') return value;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && Number.isFinite(Date.parse(`${value}T00:00:00Z`)) ? value : null;
}

export async function buildUsageReport(settings: MeteringSettings, options: UsageReportOptions): Promise<UsageRow[]> {
  const nowMs = options.nowMs ?? Date.now();
  const choice = options.period ?? 'current';
  const rows: UsageRow[] = [];
  for (const [tenant, entry] of Object.entries(settings.tenants).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const kind = entry.budget?.period ?? 'MONTH';
    const at = choice === 'current' || choice === 'previous' ? nowMs : Date.parse(`${choice}T12:00:00Z`);
    let window = periodWindow(kind, at);
    if (choice === 'previous') window = previousWindow(window);
    const usage = await readUsage(options.dynamodb, options.tableName, ledgerKey.usage(tenant, window));
    const use = entry.budget ? budgetUse(entry.budget, usage, settings.unpricedModel === 'disable-key') : null;
    let keyEnabled: boolean | null = null;
    if (options.apiGateway) {
      const id = await readApiKeyId(options.dynamodb, options.tableName, tenant);
      if (id !== null) keyEnabled = (await options.apiGateway.send(new GetApiKeyCommand({ apiKey: id }))).enabled ?? null;
    }
    rows.push({
      tenant,
      tier: entry.tier,
      period: kind,
      periodStart: window.start,
      inputTokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
      cacheReadTokens: usage.cacheReadTokens,
      cacheWriteTokens: usage.cacheWriteTokens,
      outputTokens: usage.outputTokens,
      invocations: usage.invocations,
      costUsd: usage.costNanoUsd / 1e9,
      budget: entry.budget
        ? { ...(entry.budget.tokens ? { tokens: { ...entry.budget.tokens } } : {}), ...(entry.budget.costNanoUsd !== undefined ? { usd: entry.budget.costNanoUsd / 1e9 } : {}) }
        : null,
      percentUsed: use ? Math.round(use.fraction * 1000) / 10 : null,
      state: !entry.enabled ? 'disabled' : use?.spent ? 'spent' : 'active',
      keyEnabled,
      resetsAt: new Date(window.endMs).toISOString(),
    });
  }
  return rows;
}

const int = (n: number) => n.toLocaleString('en-US');
const usd = (n: number) => `$${n.toFixed(n !== 0 && n < 0.01 ? 6 : 2)}`;

/** A plain-text table, one line per tenant. */
export function formatUsageReport(environment: string, rows: readonly UsageRow[]): string {
  const header = ['tenant', 'tier', 'period', 'tokens in', 'tokens out', 'cost', 'budget', 'used', 'state', 'resets at (UTC)'];
  const lines = rows.map((r) => [
    r.tenant,
    r.tier,
    `${r.period} ${r.periodStart}`,
    int(r.inputTokens),
    int(r.outputTokens),
    usd(r.costUsd),
    r.budget ? [r.budget.tokens ? `${int(r.budget.tokens.limit)} ${r.budget.tokens.count} tokens` : '', r.budget.usd !== undefined ? usd(r.budget.usd) : ''].filter(Boolean).join(' or ') : '-',
    r.percentUsed === null ? '-' : `${r.percentUsed}%`,
    r.keyEnabled === false && r.state === 'active' ? 'active (key disabled: re-enabled within the hour)' : r.state,
    r.resetsAt.replace('T', ' ').replace(':00.000Z', ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]) => cells.map((c, i) => (i >= 3 && i <= 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [`Token usage, environment ${environment}`, render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}
