/**
 * The one pull request comment the review workflow posts and then updates in place: a
 * summary table (tests, config changes, policy, plan per environment) and each section's
 * full output, built from the files the workflow's jobs leave behind. A hidden marker finds
 * the comment again on the next push.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const COMMENT_MARKER = '<!-- bedrock-ai-gateway:review -->';
/** GitHub refuses comment bodies above 65,536 characters; keep a margin for the frame. */
export const MAX_COMMENT_CHARS = 60_000;

export interface ReviewArtifacts {
  /** Short commit id the review ran on. */
  readonly commit: string;
  /** `success`, `failure`, `cancelled` or `skipped` (the test job's result). */
  readonly testResult: string;
  /** Output of `npm run report -- --base ...` and its exit code. */
  readonly tenantDiff?: { readonly markdown: string; readonly json?: { readonly changes: ReadonlyArray<{ readonly risk?: string }> | null }; readonly exitCode: number };
  /** Output of `npm run lint:infra` and its exit code. */
  readonly policy?: { readonly markdown: string; readonly exitCode: number };
  /** One per planned environment: the summary, or the error. */
  readonly plans: ReadonlyArray<{ readonly environment: string; readonly summary?: string; readonly error?: string }>;
}

const readIf = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
const exitOf = (file: string): number => Number((readIf(file) ?? '0').trim() || '0');

/**
 * Reads what the jobs wrote into `dir`: `tenant-diff.md` (+ `.json`, `.exit`), `policy.md`
 * (+ `.exit`), and `plan-<environment>/plan-summary.md` or `plan-<environment>/plan-error.txt`.
 */
export function readArtifacts(dir: string, commit: string, testResult: string): ReviewArtifacts {
  const diffMarkdown = readIf(path.join(dir, 'tenant-diff.md'));
  const diffJson = readIf(path.join(dir, 'tenant-diff.json'));
  const policyMarkdown = readIf(path.join(dir, 'policy.md'));
  const planDirs = existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith('plan-')).sort() : [];
  return {
    commit,
    testResult,
    ...(diffMarkdown !== undefined ? { tenantDiff: { markdown: diffMarkdown, ...(diffJson ? { json: JSON.parse(diffJson) } : {}), exitCode: exitOf(path.join(dir, 'tenant-diff.exit')) } } : {}),
    ...(policyMarkdown !== undefined ? { policy: { markdown: policyMarkdown, exitCode: exitOf(path.join(dir, 'policy.exit')) } } : {}),
    plans: planDirs.map((d) => {
      const summary = readIf(path.join(dir, d, 'plan-summary.md'));
      const error = readIf(path.join(dir, d, 'plan-error.txt'));
      const environment = d.slice('plan-'.length);
      return summary !== undefined && summary.trim() !== '' ? { environment, summary } : { environment, error: error?.trim() || 'the plan job left no output' };
    }),
  };
}

const TEST_RESULTS: Record<string, string> = { success: '✅ passed', failure: '❌ failed', cancelled: '⚪ cancelled', skipped: '⚪ skipped' };

function configCell(diff: ReviewArtifacts['tenantDiff']): string {
  if (!diff) return '⚪ not run';
  if (diff.exitCode !== 0) return '❌ invalid config (see below)';
  const changes = diff.json?.changes;
  if (changes === undefined) return 'see below';
  if (changes === null) return '⚠️ base config invalid; full report below';
  const risky = changes.filter((c) => c.risk).length;
  if (changes.length === 0) return '✅ no changes';
  return `${risky > 0 ? '⚠️' : '✅'} ${changes.length} ${changes.length === 1 ? 'change' : 'changes'}, ${risky} risky`;
}

function policyCell(policy: ReviewArtifacts['policy']): string {
  if (!policy) return '⚪ not run';
  const last = (policy.markdown.trim().split('\n').at(-1) ?? '').replace(/\.$/, '');
  if (policy.exitCode === 0) return `✅ ${last.replace(/^Policy: /, '')}`;
  return `❌ ${/^Policy: /.test(last) ? last.replace(/^Policy: /, '') : 'lint:infra failed'}`;
}

/** A plan that replaces or destroys something is flagged and shown open. */
const destructive = (plan: ReviewArtifacts['plans'][number]) => plan.summary !== undefined && /^\*\*(Destroyed|Replaced) /m.test(plan.summary);

function planCell(plan: ReviewArtifacts['plans'][number]): string {
  if (plan.error !== undefined) return '❌ plan failed (see below)';
  // An environment with tenant shards starts with its total line; a single stack with its summary's title.
  const total = /^\*\*Total for [^,]+, (.*)\*\*$/m.exec(plan.summary!)?.[1];
  const counts = total ?? /^### Plan for [^:]+: (.*)$/m.exec(plan.summary!)?.[1] ?? 'see below';
  if (/^### Plan for [^:]+: failed$/m.test(plan.summary!)) return `❌ ${counts}`;
  return destructive(plan) ? `⚠️ ${counts}` : counts;
}

/** Collapsible section; a section too long for the comment is cut with a pointer to the run. */
function details(summary: string, body: string, open: boolean, budget: number): string {
  const text = body.trim();
  const cut = text.length > budget ? `${text.slice(0, budget)}\n\n… cut here (${text.length - budget} more characters); the full output is in the workflow run.` : text;
  return `<details${open ? ' open' : ''}>\n<summary>${summary}</summary>\n\n${cut}\n\n</details>`;
}

export function composeComment(a: ReviewArtifacts): string {
  const rows = [
    ['tests', TEST_RESULTS[a.testResult] ?? a.testResult],
    ['config changes', configCell(a.tenantDiff)],
    ['policy', policyCell(a.policy)],
    ...a.plans.map((p) => [`plan \`${p.environment}\``, planCell(p)]),
  ];
  const sectionCount = 2 + a.plans.length;
  const budget = Math.floor((MAX_COMMENT_CHARS - 2_000) / sectionCount);
  const sections = [
    COMMENT_MARKER,
    `## Gateway review of ${a.commit}`,
    ['| check | result |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n'),
    ...(a.tenantDiff ? [details('Config changes (tenants, tiers, models, identity providers)', a.tenantDiff.markdown, true, budget)] : []),
    ...a.plans.map((p) => details(`Plan: ${p.environment}`, p.summary ?? `\`\`\`\n${p.error}\n\`\`\``, p.error !== undefined || destructive(p), budget)),
    ...(a.policy ? [details('Policy findings (every rule, per stack)', a.policy.markdown, a.policy.exitCode !== 0, budget)] : []),
    '<sub>Posted by the review workflow; updated on every push. `npm run report -- --base <ref>`, `npm run lint:infra` and `npm run plan -- <environment>` reproduce it locally.</sub>',
  ];
  return `${sections.join('\n\n')}\n`;
}

/** The files the review job must leave, with what each records. */
export const REQUIRED_RESULTS = [
  ['tenant-diff.md', 'the tenant diff'],
  ['tenant-diff.exit', "the tenant diff's exit code"],
  ['policy.md', 'the policy findings'],
  ['policy.exit', "lint:infra's exit code"],
] as const;

/**
 * What makes the review fail, one line each: a required result file that is missing (the review
 * job stopped before writing it, so the comment cannot show it: fail closed rather than pass) or
 * an exit file that is not 0.
 */
export function reviewFailures(dir: string): string[] {
  const failures: string[] = [];
  for (const [file, what] of REQUIRED_RESULTS) {
    const full = path.join(dir, file);
    if (!existsSync(full)) {
      failures.push(`${file} is missing: the review job did not record ${what}`);
      continue;
    }
    if (!file.endsWith('.exit')) continue;
    const code = readFileSync(full, 'utf8').trim();
    if (code !== '0') failures.push(`${file} is ${JSON.stringify(code)}: ${file === 'policy.exit' ? 'lint:infra found a policy error' : 'the config in the pull request is invalid'} (see the comment)`);
  }
  return failures;
}
