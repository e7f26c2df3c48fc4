/**
 * A preflight check's result is data: an id, a title, a status, what was found and, unless it
 * passed, how to fix it. `cannot-check` is for what the target cannot answer (an emulator that
 * lacks an API, a backend outside AWS): it never counts as a pass, and never fails the run.
 */
export type CheckStatus = 'pass' | 'fail' | 'cannot-check';

export interface CheckResult {
  /** Stable id, e.g. `state-bucket.versioning`. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do; present unless the check passed. */
  readonly fix?: string;
}

export const pass = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'pass', detail });
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'fail', detail, fix });
export const cannotCheck = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'cannot-check', detail, fix });

/** Exit code of a preflight run: 1 when any check failed. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', 'cannot-check': 'CANNOT CHECK' };

/** Plain text for a terminal: one block per check, fixes indented under failures. */
export function formatResults(environmentName: string, target: string, results: readonly CheckResult[]): string {
  const lines = [`Preflight for environment ${environmentName} (${target})`, ''];
  for (const r of results) {
    lines.push(`${MARK[r.status].padEnd(12)} ${r.id}: ${r.title}`);
    lines.push(`             ${r.detail}`);
    if (r.fix) lines.push(`             fix: ${r.fix}`);
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push('', `${count('pass')} passed, ${count('fail')} failed, ${count('cannot-check')} could not be checked.`);
  return `${lines.join('\n')}\n`;
}

/**
 * True when an SDK error means the endpoint does not implement the operation (an emulator
 * answering HTML or 501, or an unknown operation), as opposed to AWS answering with a service error.
 */
export function isNotImplemented(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  if (e?.name === 'SyntaxError' || e?.name === 'NotImplemented' || e?.name === 'NotImplementedException') return true;
  if (e?.$metadata?.httpStatusCode === 501) return true;
  return /Deserialization error|not yet implemented|has not been implemented/i.test(e?.message ?? '');
}

/** The error's name and message on one line, for a check's detail. */
export function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (isNotImplemented(err)) return `not implemented by the target (HTTP ${e?.$metadata?.httpStatusCode ?? '?'}, not an AWS API answer)`;
  return `${e?.name ?? 'Error'}: ${(e?.message ?? String(err)).split('\n')[0]}`;
}
