/**
 * README "Reviewing a change": the example comment is rebuilt from real output, so it cannot
 * drift. The config section is `npm run report -- --base origin/main` on a copy of config/ in a
 * throwaway git repository with umbrella's quota raised; the policy block is the gateway-dev
 * section of `npm run lint:infra` (its first rows, a count of the rest, its last row); the plan
 * sections are the plan summary of that change's one usage plan update (its address read from
 * the dev and prod stack snapshots); the frame is composeComment's. And the rule count the README
 * states is the pack's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatEnvironmentPlan, summarizePlan } from '../../review/plan-summary';
import { composeComment } from '../../review/pr-comment';
import { runReport } from '../../scripts/report';
import { GATEWAY_RULES } from '../../stacks/policy/rules';
import { REPO_ROOT } from '../helpers/config';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('\n## Reviewing a change\n'), README.indexOf('\n### The CI workflows\n'));
const EXAMPLE = /^````markdown\n([\s\S]*?)^````$/m.exec(SECTION)?.[1];
const USAGE_PLAN = 'aws_api_gateway_usage_plan.plans_tenant-umbrella_66CA13AF';

/** The pull request of the example: umbrella's own quota from 500,000 to 650,000 a week. */
function tenantDiff(json: boolean): { output: string; exitCode: number } {
  const root = mkdtempSync(path.join(tmpdir(), 'bag-readme-review-'));
  try {
    cpSync(path.join(REPO_ROOT, 'config'), path.join(root, 'config'), { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: root } });
    git('init', '--quiet', '--initial-branch=main');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'config');
    git('update-ref', 'refs/remotes/origin/main', 'HEAD'); // what the workflow diffs against
    const tenants = path.join(root, 'config', 'tenants.ts');
    const before = readFileSync(tenants, 'utf8');
    const after = before.replace("quota: { limit: 500_000, period: 'WEEK' }", "quota: { limit: 650_000, period: 'WEEK' }");
    expect(after).not.toBe(before);
    writeFileSync(tenants, after);
    return runReport({ base: 'origin/main', json, configDir: path.join(root, 'config') });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The README's excerpt of one stack's lint section: the first three rules, a count of the rest, the last. */
function policyExcerpt(lint: string): string {
  const lines = lint.trimEnd().split('\n');
  const rows = lines.filter((l) => /^\| BAG-/.test(l));
  const first = lines.indexOf(rows[0]);
  return [...lines.slice(0, first + 3), `| … ${rows.length - 4} more rules … | | | |`, rows.at(-1)!, '', lines.at(-1)!].join('\n') + '\n';
}

function planOf(environment: string): string {
  const quota = (limit: number) => ({ quota_settings: [{ limit, offset: 0, period: 'WEEK' }], name: 'tenant-umbrella' });
  const summary = summarizePlan(`gateway-${environment}`, {
    resource_changes: [{ address: USAGE_PLAN, mode: 'managed', type: 'aws_api_gateway_usage_plan', change: { actions: ['update'], before: quota(500_000), after: quota(650_000) } }],
  });
  // The review workflow plans with `--out plan-work`; the summary names the plan JSON relative to the checkout.
  return formatEnvironmentPlan({ environment, stacks: [{ stack: `gateway-${environment}`, role: 'core', status: 'planned', summary, planFile: 'p', planJsonPath: `plan-work/gateway-${environment}.plan.json` }] });
}

test('the example comment is the comment the review builds for that change', () => {
  const diff = tenantDiff(false);
  const diffJson = JSON.parse(tenantDiff(true).output);
  const lint = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'scripts', 'lint-infra.ts'), '--stack', 'gateway-dev'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, GATEWAY_CONFIG_DIR: path.join(REPO_ROOT, 'config') } });
  expect([lint.status, lint.stderr]).toEqual([0, '']);
  const comment = composeComment({
    commit: '3f2a9c1d04be',
    testResult: 'success',
    tenantDiff: { markdown: diff.output, json: diffJson, exitCode: diff.exitCode },
    policy: { markdown: policyExcerpt(lint.stdout), exitCode: lint.status! },
    plans: ['dev', 'prod'].map((environment) => ({ environment, summary: planOf(environment) })),
  });
  expect(EXAMPLE).toBe(comment);
}, 180_000);

test("the example's usage plan is the one the dev and prod stacks give umbrella", () => {
  const snapshots = readFileSync(path.join(REPO_ROOT, '__tests__', 'stacks', '__snapshots__', 'gateway-stack.test.ts.snap'), 'utf8').split(/^exports\[`/m);
  for (const environment of ['dev', 'prod']) {
    const snapshot = snapshots.find((s) => s.startsWith(`snapshot ${environment} stack `))!;
    // The snapshot is the stack's JSON in quotes, with jest's escapes of \\, ` and ${.
    const json = snapshot.slice(snapshot.indexOf('"{') + 1, snapshot.lastIndexOf('}"') + 1).replace(/\\(\\|`|\$\{)/g, '$1');
    const plans = JSON.parse(json).resource.aws_api_gateway_usage_plan;
    expect(plans[USAGE_PLAN.split('.')[1]]).toMatchObject({ name: expect.stringContaining('umbrella'), quota_settings: { limit: 500_000, period: 'WEEK' } });
  }
});

test('the README states the rule count of the pack and lists every rule once', () => {
  expect(GATEWAY_RULES).toHaveLength(30);
  const rules = README.slice(README.indexOf('\n## Synth-time rules\n'), README.indexOf('\n### Suppressions\n'));
  const table = [...rules.matchAll(/^\| (BAG-[A-Z]+\d+) \| (error|warning) \|/gm)].map((m) => m[1]);
  expect(table).toEqual(GATEWAY_RULES.map((r) => r.id));
  const counts = [...README.matchAll(/\b(\d+) (?:policy )?rules\b/g)].map((m) => m[0]);
  expect(counts).toEqual([`${GATEWAY_RULES.length} rules`]);
});
