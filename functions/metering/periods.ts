/**
 * Budget periods in UTC. DAY starts at 00:00; WEEK on Monday 00:00 (ISO 8601 weeks, as API
 * Gateway's own WEEK quota is not documented to be); MONTH on the 1st at 00:00.
 */
import type { BudgetPeriod } from './settings';

export interface PeriodWindow {
  readonly period: BudgetPeriod;
  /** First day of the period, `YYYY-MM-DD` (UTC). */
  readonly start: string;
  readonly startMs: number;
  /** Start of the next period: when the budget resets. */
  readonly endMs: number;
}

const DAY_MS = 86_400_000;

/** The period of kind `period` that contains the instant `atMs`. */
export function periodWindow(period: BudgetPeriod, atMs: number): PeriodWindow {
  const at = new Date(atMs);
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  let startMs: number;
  let endMs: number;
  if (period === 'DAY') {
    startMs = midnight;
    endMs = midnight + DAY_MS;
  } else if (period === 'WEEK') {
    // getUTCDay: Sunday 0 ... Saturday 6; Monday starts the week.
    startMs = midnight - ((at.getUTCDay() + 6) % 7) * DAY_MS;
    endMs = startMs + 7 * DAY_MS;
  } else {
    startMs = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    endMs = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  }
  return { period, start: new Date(startMs).toISOString().slice(0, 10), startMs, endMs };
}

/** The period before `window`. */
export function previousWindow(window: PeriodWindow): PeriodWindow {
  return periodWindow(window.period, window.startMs - 1);
}

/** Epoch seconds at which a ledger item of `window` expires (DynamoDB TTL): `keep` periods after it ends. */
export function expiresAt(window: PeriodWindow, keep: number): number {
  let end = window;
  for (let i = 0; i < keep; i++) end = periodWindow(window.period, end.endMs);
  return Math.floor(end.endMs / 1000);
}
