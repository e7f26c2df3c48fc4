/**
 * A config loaded for review: valid (with its config) or invalid (with the problems, each
 * naming file, field and value), never an exception, so one broken side of a diff is
 * reported rather than crashing the report.
 */
import { loadConfig } from '../gateway-config/load';
import type { GatewayConfig } from '../gateway-config/schema';
import { ConfigError, formatIssue } from '../gateway-config/validate';

export type LoadOutcome = { readonly valid: true; readonly config: GatewayConfig } | { readonly valid: false; readonly problems: readonly string[] };

export function loadForReview(dir: string): LoadOutcome {
  try {
    return { valid: true, config: loadConfig(dir).config };
  } catch (err) {
    if (err instanceof ConfigError) return { valid: false, problems: err.issues.map(formatIssue) };
    return { valid: false, problems: [`cannot load ${dir}: ${(err as Error).message.split('\n')[0]}`] };
  }
}
