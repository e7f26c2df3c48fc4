/**
 * `npm run report -- --base <ref>` on a temporary git repository: the config is read at the
 * ref with git archive (never checked out) and diffed against the working tree, with exact
 * expected output; an invalid side is reported, not thrown.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { GitRefError, loadConfigAtRef } from '../../review/config-at-ref';
import { runReport } from '../../scripts/report';
import { budgetRaised, type Value } from '../../review/fields';
import { REPO_ROOT } from '../helpers/config';
import { fixtureRepo, type FixtureRepo } from './support/git-repo';

type Json = Array<Record<string, unknown>>;
let repo: FixtureRepo;

beforeEach(() => {
  repo = fixtureRepo();
});
afterEach(() => rmSync(repo.root, { recursive: true, force: true }));

/** The edits of a typical pull request: a tenant moved up a tier, one re-enabled, one added, one removed, an IdP added. */
function typicalChange(r: FixtureRepo): void {
  r.editJson<Json>('tenants.json', (tenants) => [
    // Moved up a tier, dropping its own budget for gold's.
    { ...tenants[0], tier: 'gold', identityProviders: ['cognito', 'okta'], overrides: undefined },
    { ...tenants[2], enabled: true },
    { id: 'newco', tier: 'bronze', identityProviders: ['okta'] },
  ]);
  r.editJson<Json>('identity-providers.json', (idps) => [
    ...idps,
    { id: 'okta', issuer: 'https://example.okta.com/oauth2/default', jwksUri: 'https://example.okta.com/oauth2/default/v1/keys', audiences: ['api://gateway'], claims: { tenant: 'tenant', role: 'groups' } },
  ]);
  r.editJson<Json>('environments.json', (envs) => [
    { ...envs[0], logRetentionDays: 60, policy: { suppressions: [{ rule: 'BAG-API4', resource: 'aws_api_gateway_stage.stage', reason: 'access logs later' }] } },
    envs[1],
  ]);
}

const OKTA = 'kind oidc; issuer https://example.okta.com/oauth2/default; JWKS URI https://example.okta.com/oauth2/default/v1/keys; audiences api://gateway; algorithms RS256; token access; claims (tenant, role) tenant, groups';
const NEWCO = 'tier bronze; enabled yes; plan tier; rate (req/s) 2; burst 5; quota 1,000 / day; budget 100,000 total tokens / day, alerts at 80% (tier); models amazon.titan-text-express-v1; identity providers okta';
const GOLD_BUDGET = '50,000,000 output tokens / month, alerts at 50%, 90%';
const ACME_BUDGET = '$25 or 500,000 total tokens / week, alerts at 80% (own)';
const ACME_RAISED = 'budget raised: more tokens, counts output tokens only, USD limit removed';
const GLOBEX = `tier gold; enabled yes; plan tier; rate (req/s) 50; burst 100; quota 2,000,000 / month; budget ${GOLD_BUDGET} (tier); models amazon.titan-text-express-v1, anthropic.claude-3-haiku-20240307-v1:0; identity providers cognito`;
const TWO_MODELS = 'amazon.titan-text-express-v1, anthropic.claude-3-haiku-20240307-v1:0';

test('prints only the differences, risky ones first, each change made in every environment once', () => {
  typicalChange(repo);
  const { output, exitCode } = runReport({ base: 'main', json: false, configDir: repo.configDir });
  expect(exitCode).toBe(0);
  expect(output.split('\n')).toEqual([
    '## Config changes: `main` → working tree',
    '',
    '**8 risky changes**, review first:',
    '',
    '| where | entry | risk | before | after |',
    '|---|---|---|---|---|',
    '| `dev` | environment `dev` | policy suppression added: BAG-API4 aws_api_gateway_stage.stage | — | BAG-API4 aws_api_gateway_stage.stage |',
    '| all environments | tenant `acme` | quota raised | 1,000 / day | 2,000,000 / month |',
    `| all environments | tenant \`acme\` | ${ACME_RAISED} | ${ACME_BUDGET} | ${GOLD_BUDGET} (tier) |`,
    `| all environments | tenant \`acme\` | model granted: anthropic.claude-3-haiku-20240307-v1:0 | amazon.titan-text-express-v1 | ${TWO_MODELS} |`,
    '| all environments | tenant `acme` | identity provider allowed: okta | cognito | cognito, okta |',
    '| all environments | tenant `initech` | tenant re-enabled | no | yes |',
    `| all environments | tenant \`newco\` | tenant added with 1 model | — | ${NEWCO} |`,
    `| all environments | identity provider \`okta\` | identity provider added | — | ${OKTA} |`,
    '',
    '### Environments',
    '',
    '| environment | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `dev` | policy suppressions | — | BAG-API4 aws_api_gateway_stage.stage | policy suppression added: BAG-API4 aws_api_gateway_stage.stage |',
    '| `dev` | log retention (days) | 30 | 60 |  |',
    '',
    '### Environments dev and prod',
    '',
    '#### Tenants',
    '',
    '| tenant | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `acme` | quota | 1,000 / day | 2,000,000 / month | quota raised |',
    `| \`acme\` | budget | ${ACME_BUDGET} | ${GOLD_BUDGET} (tier) | ${ACME_RAISED} |`,
    `| \`acme\` | models | amazon.titan-text-express-v1 | ${TWO_MODELS} | model granted: anthropic.claude-3-haiku-20240307-v1:0 |`,
    '| `acme` | identity providers | cognito | cognito, okta | identity provider allowed: okta |',
    '| `initech` | enabled | no | yes | tenant re-enabled |',
    `| \`newco\` | added | — | ${NEWCO} | tenant added with 1 model |`,
    '| `acme` | tier | bronze | gold |  |',
    '| `acme` | rate (req/s) | 2 | 50 |  |',
    '| `acme` | burst | 5 | 100 |  |',
    `| \`globex\` | removed | ${GLOBEX} | — |  |`,
    '',
    '#### Identity providers',
    '',
    '| identity provider | change | before | after | risk |',
    '|---|---|---|---|---|',
    `| \`okta\` | added | — | ${OKTA} | identity provider added |`,
    '',
  ]);
});

test('a change in one environment only is listed under that environment; a lowered quota is not risky', () => {
  repo.write('tiers.ts', `export default ${JSON.stringify([
    { name: 'bronze', rateLimit: 2, burstLimit: 5, quota: { limit: 5000, period: 'WEEK' }, models: ['amazon.titan-text-express-v1'], budget: { period: 'DAY', tokens: { limit: 100000 } } },
    { name: 'gold', description: 'Everything', rateLimit: 50, burstLimit: 100, quota: { limit: 2000000, period: 'MONTH' }, models: ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.titan-text-express-v1'], budget: { period: 'MONTH', tokens: { limit: 50000000, count: 'output' }, alertThresholds: [0.9, 0.5] } },
  ])};\n`);
  repo.editJson<Json>('environments.json', (envs) => [envs[0], { ...envs[1], policy: { minimumLogRetentionDays: 365, requireWaf: false } }]);
  const { output } = runReport({ base: 'HEAD', json: false, configDir: repo.configDir });
  expect(output.split('\n')).toEqual([
    '## Config changes: `HEAD` → working tree',
    '',
    '**1 risky change**, review first:',
    '',
    '| where | entry | risk | before | after |',
    '|---|---|---|---|---|',
    '| `prod` | environment `prod` | WAF requirement dropped | yes | no |',
    '',
    '### Environments',
    '',
    '| environment | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `prod` | WAF required | yes | no | WAF requirement dropped |',
    '',
    '### Environments dev and prod',
    '',
    '#### Tenants',
    '',
    '| tenant | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `acme` | quota | 1,000 / day | 5,000 / week |  |',
    '',
    '#### Tiers',
    '',
    '| tier | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `bronze` | quota | 1,000 / day | 5,000 / week |  |',
    '',
  ]);
});

/** The fixture's tiers.ts with other budgets. */
function tierBudgets(bronze: object | undefined, gold: object | undefined): string {
  return `export default ${JSON.stringify([
    { name: 'bronze', rateLimit: 2, burstLimit: 5, quota: { limit: 1000, period: 'DAY' }, models: ['amazon.titan-text-express-v1'], budget: bronze },
    { name: 'gold', description: 'Everything', rateLimit: 50, burstLimit: 100, quota: { limit: 2000000, period: 'MONTH' }, models: ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.titan-text-express-v1'], budget: gold },
  ])};\n`;
}

const RAISED_AND_LOWERED = [
  '## Config changes: `main` → working tree',
  '',
  '**1 risky change**, review first:',
  '',
  '| where | entry | risk | before | after |',
  '|---|---|---|---|---|',
  '| all environments | tier `bronze` | budget raised: more tokens | 100,000 total tokens / day, alerts at 80% | 300,000 total tokens / day, alerts at 80% |',
  '',
  '### Environments dev and prod',
  '',
  '#### Tenants',
  '',
  '| tenant | change | before | after | risk |',
  '|---|---|---|---|---|',
  '| `acme` | budget | $25 or 500,000 total tokens / week, alerts at 80% (own) | $10 or 500,000 total tokens / week, alerts at 80% (own) |  |',
  '| `globex` | budget | 50,000,000 output tokens / month, alerts at 50%, 90% (tier) | 20,000,000 output tokens / month, alerts at 50%, 75%, 90% (tier) |  |',
  '',
  '#### Tiers',
  '',
  '| tier | change | before | after | risk |',
  '|---|---|---|---|---|',
  '| `bronze` | budget | 100,000 total tokens / day, alerts at 80% | 300,000 total tokens / day, alerts at 80% | budget raised: more tokens |',
  '| `gold` | budget | 50,000,000 output tokens / month, alerts at 50%, 90% | 20,000,000 output tokens / month, alerts at 50%, 75%, 90% |  |',
];

test('a raised budget is risky, a lowered one is not', () => {
  // bronze: 100,000 → 300,000 tokens a day (raised); gold: 50M → 20M output tokens a month with
  // another alert threshold (lowered); acme's own: $25 → $10 a week, same tokens (lowered).
  repo.write('tiers.ts', tierBudgets({ period: 'DAY', tokens: { limit: 300000 } }, { period: 'MONTH', tokens: { limit: 20000000, count: 'output' }, alertThresholds: [0.5, 0.75, 0.9] }));
  repo.editJson<Json>('tenants.json', (tenants) => [{ ...tenants[0], overrides: { budget: { period: 'WEEK', usd: 10, tokens: { limit: 500000 } } } }, tenants[1], tenants[2]]);
  const { output, exitCode } = runReport({ base: 'main', json: false, configDir: repo.configDir });
  expect(exitCode).toBe(0);
  expect(output).toBe(`${RAISED_AND_LOWERED.join('\n')}\n`);
});

test('a removed budget, a removed USD limit and budget enforcement switched off are risky; a budget added is not', () => {
  // gold loses its budget (globex with it); acme's own budget loses its USD limit; initech's own
  // "none" goes, so bronze's budget applies to it; prod stops enforcing budgets.
  repo.write('tiers.ts', tierBudgets({ period: 'DAY', tokens: { limit: 100000 } }, undefined));
  repo.editJson<Json>('tenants.json', (tenants) => [{ ...tenants[0], overrides: { budget: { period: 'WEEK', tokens: { limit: 500000 } } } }, tenants[1], { ...tenants[2], overrides: { quota: { limit: 50, period: 'DAY' } } }]);
  repo.editJson<Json>('environments.json', (envs) => [envs[0], { ...envs[1], tokenBudgets: undefined }]);
  const { output, exitCode } = runReport({ base: 'main', json: false, configDir: repo.configDir });
  expect(exitCode).toBe(0);
  expect(output.split('\n')).toEqual([
    '## Config changes: `main` → working tree',
    '',
    '**4 risky changes**, review first:',
    '',
    '| where | entry | risk | before | after |',
    '|---|---|---|---|---|',
    '| `prod` | environment `prod` | budget enforcement switched off | yes | no |',
    '| all environments | tenant `acme` | budget raised: USD limit removed | $25 or 500,000 total tokens / week, alerts at 80% (own) | 500,000 total tokens / week, alerts at 80% (own) |',
    '| all environments | tenant `globex` | budget raised: budget removed | 50,000,000 output tokens / month, alerts at 50%, 90% (tier) | — |',
    '| all environments | tier `gold` | budget raised: budget removed | 50,000,000 output tokens / month, alerts at 50%, 90% | — |',
    '',
    '### Environments',
    '',
    '| environment | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `prod` | budgets enforced | yes | no | budget enforcement switched off |',
    '',
    '### Environments dev and prod',
    '',
    '#### Tenants',
    '',
    '| tenant | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `acme` | budget | $25 or 500,000 total tokens / week, alerts at 80% (own) | 500,000 total tokens / week, alerts at 80% (own) | budget raised: USD limit removed |',
    '| `globex` | budget | 50,000,000 output tokens / month, alerts at 50%, 90% (tier) | — | budget raised: budget removed |',
    '| `initech` | budget | none (own) | 100,000 total tokens / day, alerts at 80% (tier) |  |',
    '',
    '#### Tiers',
    '',
    '| tier | change | before | after | risk |',
    '|---|---|---|---|---|',
    '| `gold` | budget | 50,000,000 output tokens / month, alerts at 50%, 90% | — | budget raised: budget removed |',
    '',
  ]);
});

describe('budgetRaised: does the new budget let a tenant use more in some window?', () => {
  const tokens = (limit: number, period: 'DAY' | 'WEEK' | 'MONTH', count: 'input' | 'output' | 'total' = 'total') => ({ period, tokens: { limit, count }, alertThresholds: [0.8] });
  const usd = (amount: number, period: 'DAY' | 'WEEK' | 'MONTH') => ({ period, usd: amount, alertThresholds: [0.8] });
  test.each([
    ['a higher limit, same period', tokens(100, 'DAY'), tokens(101, 'DAY'), 'budget raised: more tokens'],
    ['a higher limit over a longer period (a bigger burst)', tokens(2_000_000, 'DAY'), tokens(10_000_000, 'WEEK'), 'budget raised: more tokens'],
    ['the same limit over a shorter period (renews more often)', tokens(2_000_000, 'WEEK'), tokens(2_000_000, 'DAY'), 'budget raised: more tokens'],
    ['more USD', usd(25, 'WEEK'), usd(30, 'WEEK'), 'budget raised: more USD'],
    ['the budget removed', usd(25, 'WEEK'), null, 'budget raised: budget removed'],
    ["a tenant's own budget set to none", { from: 'tier', ...usd(25, 'WEEK') }, { from: 'own' }, 'budget raised: budget removed'],
    ['the token limit removed, USD kept', { ...usd(25, 'WEEK'), tokens: { limit: 5, count: 'total' } }, usd(25, 'WEEK'), 'budget raised: token limit removed'],
    ['the USD limit removed, tokens kept', { ...usd(25, 'WEEK'), tokens: { limit: 5, count: 'total' } }, tokens(5, 'WEEK'), 'budget raised: USD limit removed'],
    ['fewer kinds of tokens counted', tokens(100, 'DAY', 'total'), tokens(100, 'DAY', 'output'), 'budget raised: counts output tokens only'],
    ['input counted instead of output', tokens(100, 'DAY', 'output'), tokens(100, 'DAY', 'input'), 'budget raised: counts input tokens only'],
    ['a lower limit', tokens(100, 'DAY'), tokens(99, 'DAY'), undefined],
    ['the same limit over a longer period', tokens(2_000_000, 'DAY'), tokens(2_000_000, 'WEEK'), undefined],
    ['the same daily average over a shorter period, a smaller burst', tokens(60_000_000, 'MONTH'), tokens(2_000_000, 'DAY'), undefined],
    ['a budget added where there was none', null, tokens(100, 'DAY'), undefined],
    ['all kinds of tokens counted', tokens(100, 'DAY', 'input'), tokens(100, 'DAY', 'total'), undefined],
    ['a USD limit added', tokens(100, 'DAY'), { ...tokens(100, 'DAY'), usd: 5 }, undefined],
    ['other alert thresholds', tokens(100, 'DAY'), { ...tokens(100, 'DAY'), alertThresholds: [0.5, 0.9] }, undefined],
    ['own budget instead of the same tier budget', { from: 'tier', ...tokens(100, 'DAY') }, { from: 'own', ...tokens(100, 'DAY') }, undefined],
  ] as const)('%s', (_, before, after, risk) => {
    expect(budgetRaised(before as Value, after as Value)).toBe(risk);
  });
});

test('no differences', () => {
  expect(runReport({ base: 'main', json: false, configDir: repo.configDir })).toEqual({
    output: '## Config changes: `main` → working tree\n\nNo changes to environments, tenants, tiers, models or identity providers.\n',
    exitCode: 0,
  });
});

test('--json lists each change with environments, before, after and risk', () => {
  typicalChange(repo);
  const json = JSON.parse(runReport({ base: 'main', json: true, configDir: repo.configDir }).output);
  expect(json.base).toEqual({ ref: 'main', valid: true });
  expect(json.changes.filter((c: { risk?: string }) => c.risk).length).toBe(8);
  expect(json.changes).toContainEqual({ environments: ['dev', 'prod'], kind: 'tenants', id: 'acme', change: 'changed', field: 'quota', before: { limit: 1000, period: 'DAY' }, after: { limit: 2000000, period: 'MONTH' }, risk: 'quota raised' });
  expect(json.changes).toContainEqual({ environments: ['dev', 'prod'], kind: 'tenants', id: 'initech', change: 'changed', field: 'enabled', before: false, after: true, risk: 'tenant re-enabled' });
});

test('an invalid config at the base is reported as such, with the full report of the working tree', () => {
  repo.editJson<Json>('tenants.json', (tenants) => [{ ...tenants[0], tier: 'platinum' }, tenants[1]]);
  repo.commit('broken tier');
  repo.editJson<Json>('tenants.json', (tenants) => [{ ...tenants[0], tier: 'bronze' }, tenants[1]]);
  const { output, exitCode } = runReport({ base: 'HEAD', json: false, configDir: repo.configDir });
  expect(exitCode).toBe(0);
  expect(output.split('\n').slice(0, 10)).toEqual([
    '## Config changes: `HEAD` → working tree',
    '',
    'The config at `HEAD` is invalid (1 problem):',
    '',
    '- config/tenants.json: tenants[0].tier: unknown tier; allowed: bronze, gold (got "platinum")',
    '',
    "No diff can be shown; this is the working tree's full report.",
    '',
    '## Gateway config: tenants, tiers, models and identity providers',
    '',
  ]);
});

test('an invalid working tree is reported with every problem and exit code 1', () => {
  repo.editJson<Json>('tenants.json', (tenants) => [{ ...tenants[0], tier: 'platinum' }, { ...tenants[1], identityProviders: ['okta'] }]);
  expect(runReport({ base: 'main', json: false, configDir: repo.configDir })).toEqual({
    output: [
      '## Config changes: `main` → working tree',
      '',
      'The config in the working tree is invalid (2 problems):',
      '',
      `- ${path.relative(process.cwd(), path.join(repo.configDir, 'tenants.json'))}: tenants[0].tier: unknown tier; allowed: bronze, gold (got "platinum")`,
      `- ${path.relative(process.cwd(), path.join(repo.configDir, 'tenants.json'))}: tenants[1].identityProviders[0]: unknown identity provider; allowed: cognito (got "okta")`,
      '',
    ].join('\n'),
    exitCode: 1,
  });
});

test('a ref without the config directory, and a ref that is not a commit', () => {
  repo.git('checkout', '--quiet', '--orphan', 'empty');
  repo.git('rm', '-r', '--quiet', '--cached', '.');
  repo.git('commit', '--quiet', '--allow-empty', '-m', 'empty');
  expect(loadConfigAtRef(repo.configDir, 'empty')).toEqual({ valid: false, problems: ['config/ does not exist at empty'] });
  expect(() => loadConfigAtRef(repo.configDir, 'no-such-branch')).toThrow(new GitRefError(`no-such-branch is not a commit in ${repo.root}`));
});

test('the CLI: exit 0 with a diff, 2 for a bad ref or bad usage, reading the ref without touching the working tree', () => {
  typicalChange(repo);
  const before = repo.git('status', '--porcelain');
  const cli = (...args: string[]) => spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'scripts', 'report.ts'), ...args], { cwd: repo.root, encoding: 'utf8' });
  const ok = cli('--base', 'main', '--config', repo.configDir);
  expect([ok.status, ok.stdout.split('\n')[2]]).toEqual([0, '**8 risky changes**, review first:']);
  expect(repo.git('status', '--porcelain')).toBe(before);
  expect(cli('--base', 'nope', '--config', repo.configDir)).toMatchObject({ status: 2, stderr: `nope is not a commit in ${repo.root}\n` });
  expect(cli('--base')).toMatchObject({ status: 2, stderr: '--base needs a value\nusage: npm run report [-- --base <git ref>] [--json] [--config <dir>]\n' });
}, 180_000);
