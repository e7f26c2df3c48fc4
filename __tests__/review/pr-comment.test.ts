/**
 * The pull request comment: composed from the review jobs' files with exact output, and
 * created or updated through a GitHub API stand-in on 127.0.0.1 (real HTTP, real fetch).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { upsertComment } from '../../review/github-comment';
import { formatEnvironmentPlan } from '../../review/plan-summary';
import { spawnSync } from 'node:child_process';
import { COMMENT_MARKER, composeComment, readArtifacts, reviewFailures } from '../../review/pr-comment';
import { REPO_ROOT } from '../helpers/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bag-comment-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

const DIFF = '## Config changes: `origin/main` → working tree\n\n**1 risky change**, review first:\n\n| where | entry | risk | before | after |\n|---|---|---|---|---|\n| all environments | tenant `acme` | quota raised | 1,000 / day | 5,000 / day |\n';
const POLICY = '### gateway-dev: 0 errors, 0 warnings, 3 suppressed\n\n| rule | severity | result | details |\n|---|---|---|---|\n| BAG-API1 | error | pass | 2 resources compliant |\n\nPolicy: no errors.\n';
const PLAN_DEV = '### Plan for gateway-dev: 0 to create, 1 to update, 0 to replace, 0 to destroy\n\n**Updated (1)**\n\n- `aws_api_gateway_usage_plan.plans_tier-bronze_1A2B3C4D` (changing quota_settings)\n';
const PLAN_PROD = '### Plan for gateway-prod: 0 to create, 0 to update, 1 to replace, 0 to destroy\n\n**Replaced (1)**\n\n- `aws_api_gateway_deployment.deployment` (forced by triggers)\n';

test('composes one comment: summary table, then the config changes, the plans and the policy findings', () => {
  write('tenant-diff.md', DIFF);
  write('tenant-diff.json', JSON.stringify({ changes: [{ risk: 'quota raised' }, {}] }));
  write('tenant-diff.exit', '0\n');
  write('policy.md', POLICY);
  write('policy.exit', '0\n');
  write('plan-dev/plan-summary.md', PLAN_DEV);
  write('plan-prod/plan-summary.md', PLAN_PROD);
  write('plan-staging/plan-summary.md', '');
  write('plan-staging/plan-error.txt', 'Error: No valid credential sources found\n');

  expect(composeComment(readArtifacts(dir, 'abc1234', 'success')).split('\n')).toEqual([
    COMMENT_MARKER,
    '',
    '## Gateway review of abc1234',
    '',
    '| check | result |',
    '|---|---|',
    '| tests | ✅ passed |',
    '| config changes | ⚠️ 2 changes, 1 risky |',
    '| policy | ✅ no errors |',
    '| plan `dev` | 0 to create, 1 to update, 0 to replace, 0 to destroy |',
    '| plan `prod` | ⚠️ 0 to create, 0 to update, 1 to replace, 0 to destroy |',
    '| plan `staging` | ❌ plan failed (see below) |',
    '',
    '<details open>',
    '<summary>Config changes (tenants, tiers, models, identity providers)</summary>',
    '',
    ...DIFF.trim().split('\n'),
    '',
    '</details>',
    '',
    '<details>',
    '<summary>Plan: dev</summary>',
    '',
    ...PLAN_DEV.trim().split('\n'),
    '',
    '</details>',
    '',
    '<details open>',
    '<summary>Plan: prod</summary>',
    '',
    ...PLAN_PROD.trim().split('\n'),
    '',
    '</details>',
    '',
    '<details open>',
    '<summary>Plan: staging</summary>',
    '',
    '```',
    'Error: No valid credential sources found',
    '```',
    '',
    '</details>',
    '',
    '<details>',
    '<summary>Policy findings (every rule, per stack)</summary>',
    '',
    ...POLICY.trim().split('\n'),
    '',
    '</details>',
    '',
    '<sub>Posted by the review workflow; updated on every push. `npm run report -- --base <ref>`, `npm run lint:infra` and `npm run plan -- <environment>` reproduce it locally.</sub>',
    '',
  ]);
});

test('an environment with tenant shards: the plan cell reads its total line; a shard that failed to plan reads as a failure', () => {
  const sharded = (failed: boolean) =>
    formatEnvironmentPlan({
      environment: 'prod',
      stacks: [
        { stack: 'gateway-prod', role: 'core', status: 'planned', summary: { stack: 'gateway-prod', counts: { create: 0, update: 1, replace: 0, destroy: 0 }, changes: [{ address: 'aws_lambda_function.authorizer', type: 'aws_lambda_function', action: 'update', attributes: ['source_code_hash'] }] }, planFile: 'p', planJsonPath: 'gateway-prod.plan.json' },
        failed
          ? { stack: 'gateway-prod-tenants-0', role: 'shard', status: 'failed', error: 'Error: throttled' }
          : { stack: 'gateway-prod-tenants-0', role: 'shard', status: 'planned', summary: { stack: 'gateway-prod-tenants-0', counts: { create: 2, update: 0, replace: 0, destroy: 0 }, changes: [] }, planFile: 'p', planJsonPath: 'gateway-prod-tenants-0.plan.json' },
      ],
    });
  write('plan-prod/plan-summary.md', sharded(false));
  write('plan-staging/plan-summary.md', sharded(true));
  const comment = composeComment(readArtifacts(dir, 'abc1234', 'success'));
  expect(comment).toContain('| plan `prod` | 2 stacks: 2 to create, 1 to update, 0 to replace, 0 to destroy |');
  expect(comment).toContain('| plan `staging` | ❌ 1 of 2 stacks planned: 0 to create, 1 to update, 0 to replace, 0 to destroy; 1 stack failed to plan |');
});

test('failures read as failures, and an oversized section is cut to fit GitHub\'s limit', () => {
  write('tenant-diff.md', 'The config in the working tree is invalid (1 problem):\n\n- x\n');
  write('tenant-diff.exit', '1');
  write('policy.md', `${'| BAG-X | error | FAIL | y |\n'.repeat(5000)}\nPolicy: 2 errors; synth fails until each is fixed or suppressed with a reason.\n`);
  write('policy.exit', '1');
  const comment = composeComment(readArtifacts(dir, 'abc1234', 'failure'));
  expect(comment).toContain('| tests | ❌ failed |');
  expect(comment).toContain('| config changes | ❌ invalid config (see below) |');
  expect(comment).toContain('| policy | ❌ 2 errors; synth fails until each is fixed or suppressed with a reason |');
  expect(comment.length).toBeLessThan(65_536);
  expect(comment).toMatch(/… cut here \(\d+ more characters\); the full output is in the workflow run\./);
});

describe('the check that fails the comment job', () => {
  const results = () => {
    write('tenant-diff.md', DIFF);
    write('tenant-diff.exit', '0\n');
    write('policy.md', POLICY);
    write('policy.exit', '0\n');
  };

  test('every result present and 0: no failures', () => {
    results();
    expect(reviewFailures(dir)).toEqual([]);
  });

  test('a missing result fails closed, naming the file; a non-zero exit file fails with its meaning', () => {
    expect(reviewFailures(dir)).toEqual([
      'tenant-diff.md is missing: the review job did not record the tenant diff',
      "tenant-diff.exit is missing: the review job did not record the tenant diff's exit code",
      'policy.md is missing: the review job did not record the policy findings',
      "policy.exit is missing: the review job did not record lint:infra's exit code",
    ]);
    results();
    rmSync(path.join(dir, 'policy.exit'));
    write('tenant-diff.exit', '1\n');
    expect(reviewFailures(dir)).toEqual([
      'tenant-diff.exit is "1": the config in the pull request is invalid (see the comment)',
      "policy.exit is missing: the review job did not record lint:infra's exit code",
    ]);
    write('policy.exit', '1\n');
    write('tenant-diff.exit', '0\n');
    expect(reviewFailures(dir)).toEqual(['policy.exit is "1": lint:infra found a policy error (see the comment)']);
  });

  test('npm run pr-comment -- check: exit 1 with an annotation per failure, 0 when complete', () => {
    const cli = () => spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'scripts', 'pr-comment.ts'), 'check', '--dir', dir], { encoding: 'utf8' });
    write('tenant-diff.md', DIFF);
    write('tenant-diff.exit', '0\n');
    write('policy.md', POLICY);
    expect(cli()).toMatchObject({ status: 1, stdout: "::error::policy.exit is missing: the review job did not record lint:infra's exit code\n" });
    write('policy.exit', '0\n');
    expect(cli()).toMatchObject({ status: 0, stdout: 'The review recorded every result; no errors.\n' });
  }, 60_000);
});

describe('posting through the GitHub API', () => {
  let server: Server;
  let apiUrl: string;
  const requests: Array<{ method: string; url: string; auth?: string; body?: string }> = [];
  let comments: Array<{ id: number; body: string; html_url: string }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, ...(body ? { body } : {}) });
        const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (req.headers.authorization !== 'Bearer test-token') return send(401, { message: 'Bad credentials' });
        const url = new URL(req.url!, 'http://x');
        if (req.method === 'GET' && url.pathname === '/repos/acme/gateway/issues/7/comments') {
          const page = Number(url.searchParams.get('page'));
          return send(200, comments.slice((page - 1) * 100, page * 100));
        }
        if (req.method === 'POST' && url.pathname === '/repos/acme/gateway/issues/7/comments') {
          const created = { id: 9000, body: JSON.parse(body).body, html_url: 'https://github.example/acme/gateway/pull/7#issuecomment-9000' };
          comments.push(created);
          return send(201, created);
        }
        const patch = /^\/repos\/acme\/gateway\/issues\/comments\/(\d+)$/.exec(url.pathname);
        if (req.method === 'PATCH' && patch) {
          const target = comments.find((c) => c.id === Number(patch[1]))!;
          target.body = JSON.parse(body).body;
          return send(200, target);
        }
        return send(404, { message: 'Not Found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests.length = 0;
    // 150 other comments: the review comment is found on the second page.
    comments = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `comment ${i}`, html_url: `u${i}` }));
  });

  const options = (body: string, token = 'test-token') => ({ apiUrl, repository: 'acme/gateway', pullRequest: 7, token, body });

  test('creates the comment when there is none, then updates that same comment', async () => {
    expect(await upsertComment(options(`${COMMENT_MARKER}\nfirst`))).toEqual({ action: 'created', url: 'https://github.example/acme/gateway/pull/7#issuecomment-9000' });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /repos/acme/gateway/issues/7/comments?per_page=100&page=1',
      'GET /repos/acme/gateway/issues/7/comments?per_page=100&page=2',
      'POST /repos/acme/gateway/issues/7/comments',
    ]);
    requests.length = 0;
    expect(await upsertComment(options(`${COMMENT_MARKER}\nsecond`))).toEqual({ action: 'updated', url: 'https://github.example/acme/gateway/pull/7#issuecomment-9000' });
    expect(requests.map((r) => `${r.method} ${r.url}`).at(-1)).toBe('PATCH /repos/acme/gateway/issues/comments/9000');
    expect(comments.filter((c) => c.body.includes(COMMENT_MARKER)).map((c) => c.body)).toEqual([`${COMMENT_MARKER}\nsecond`]);
    expect(new Set(requests.map((r) => r.auth))).toEqual(new Set(['Bearer test-token']));
  });

  test('an API error names the call and GitHub\'s message, never the token', async () => {
    const error = await upsertComment(options(`${COMMENT_MARKER}\nx`, 'wrong-secret-value')).catch((e: Error) => e);
    expect((error as Error).message).toBe('GitHub API GET repos/acme/gateway/issues/7/comments?per_page=100&page=1 answered 401: Bad credentials');
    expect((error as Error).message).not.toContain('wrong-secret-value');
  });

  test('a body without the marker is refused before any call', async () => {
    await expect(upsertComment(options('no marker'))).rejects.toThrow('the comment body lacks the review marker, so the next run could not find it to update');
    expect(requests).toEqual([]);
  });
});
