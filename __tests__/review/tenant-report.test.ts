/** `npm run report` on the fixture config: exact tables, grouping of equal environments, JSON, invalid config. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../gateway-config/load';
import { parseReportArgs, runReport } from '../../scripts/report';
import { buildTenantReport, formatKindTable, rowsOf } from '../../review/tenant-report';
import { TENANTS, TIERS } from '../../review/fields';
import { FIXTURE_CONFIG } from './support/git-repo';

const CLAUDE_AND_TITAN = 'amazon.titan-text-express-v1, anthropic.claude-3-haiku-20240307-v1:0';

test('the full report: environments, then one section for the environments that share their tables', () => {
  const { output, exitCode } = runReport({ json: false, configDir: FIXTURE_CONFIG });
  expect(exitCode).toBe(0);
  expect(output.split('\n')).toEqual([
    '## Gateway config: tenants, tiers, models and identity providers',
    '',
    '### Environments (2)',
    '',
    '| environment | region | stage | state | authorizer cache (s) | log retention (days) | budgets enforced | WAF required | policy suppressions |',
    '|---|---|---|---|---|---|---|---|---|',
    '| `dev` | us-east-1 | dev | local | 300 | 30 | no | no | — |',
    '| `prod` | us-west-2 | v1 | Terraform Cloud example-corp/gateway-prod | 300 | 365 | yes | yes | — |',
    '',
    '### Environments dev and prod',
    '',
    '#### Tenants (3)',
    '',
    '| tenant | name | tier | enabled | plan | rate (req/s) | burst | quota | budget | models | identity providers |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    '| `acme` | ACME Corp | bronze | yes | tier | 2 | 5 | 1,000 / day | $25 or 500,000 total tokens / week, alerts at 80% (own) | amazon.titan-text-express-v1 | cognito |',
    `| \`globex\` | — | gold | yes | tier | 50 | 100 | 2,000,000 / month | 50,000,000 output tokens / month, alerts at 50%, 90% (tier) | ${CLAUDE_AND_TITAN} | cognito |`,
    '| `initech` | — | bronze | no | own | 2 | 5 | 50 / day | none (own) | amazon.titan-text-express-v1 | cognito |',
    '',
    '#### Tiers (2)',
    '',
    '| tier | rate (req/s) | burst | quota | budget | models | description |',
    '|---|---|---|---|---|---|---|',
    '| `bronze` | 2 | 5 | 1,000 / day | 100,000 total tokens / day, alerts at 80% | amazon.titan-text-express-v1 | — |',
    `| \`gold\` | 50 | 100 | 2,000,000 / month | 50,000,000 output tokens / month, alerts at 50%, 90% | ${CLAUDE_AND_TITAN} | Everything |`,
    '',
    '#### Models (2)',
    '',
    '| model | kind | foundation model | regions |',
    '|---|---|---|---|',
    '| `anthropic.claude-3-haiku-20240307-v1:0` | foundation-model | — | — |',
    '| `amazon.titan-text-express-v1` | foundation-model | — | — |',
    '',
    '#### Identity providers (1)',
    '',
    '| identity provider | kind | issuer | JWKS URI | audiences | algorithms | token | claims (tenant, role) |',
    '|---|---|---|---|---|---|---|---|',
    '| `cognito` | cognito | https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FIXTURE | https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FIXTURE/.well-known/jwks.json | fixtureclient | RS256 | access | custom:tenant_id, cognito:groups |',
    '',
  ]);
});

test('rows hold comparable values: effective limits, models and budget, saying whose budget it is', () => {
  const { config } = loadConfig(FIXTURE_CONFIG);
  const rows = rowsOf(TENANTS, config, config.environments[0]);
  expect(rows.map((r) => r.values.budget)).toEqual([
    // acme's own budget (overrides.budget), alert threshold defaulted.
    { from: 'own', period: 'WEEK', usd: 25, tokens: { limit: 500_000, count: 'total' }, alertThresholds: [0.8] },
    // globex has none of its own: gold's, thresholds sorted.
    { from: 'tier', period: 'MONTH', tokens: { limit: 50_000_000, count: 'output' }, alertThresholds: [0.5, 0.9] },
    // initech's own budget is null: none, although bronze has one.
    { from: 'own' },
  ]);
  expect(rows[2]).toEqual({
    id: 'initech',
    values: { name: null, tier: 'bronze', enabled: false, plan: 'own', rateLimit: 2, burstLimit: 5, quota: { limit: 50, period: 'DAY' }, budget: { from: 'own' }, models: ['amazon.titan-text-express-v1'], identityProviders: ['cognito'] },
  });
  expect(rowsOf(TIERS, config, config.environments[0]).map((r) => [r.id, r.values.budget])).toEqual([
    ['bronze', { period: 'DAY', tokens: { limit: 100_000, count: 'total' }, alertThresholds: [0.8] }],
    ['gold', { period: 'MONTH', tokens: { limit: 50_000_000, count: 'output' }, alertThresholds: [0.5, 0.9] }],
  ]);
  // A tenant on a tier without a budget, and no budget of its own: no budget at all.
  const noBudgets = { ...config, tiers: config.tiers.map(({ budget: _, ...tier }) => tier), tenants: config.tenants.map((t) => (t.id === 'acme' ? { ...t, overrides: undefined } : t)) };
  const lines = formatKindTable({ kind: 'tenants', rows: rowsOf(TENANTS, noBudgets, config.environments[0]) }).split('\n');
  expect(lines[4]).toBe('| `acme` | ACME Corp | bronze | yes | tier | 2 | 5 | 1,000 / day | — | amazon.titan-text-express-v1 | cognito |');
  expect(rowsOf(TENANTS, noBudgets, config.environments[0])[0].values.budget).toBeNull();
});

test('--json has the same content, values unformatted', () => {
  const json = JSON.parse(runReport({ json: true, configDir: FIXTURE_CONFIG }).output);
  expect(json).toEqual(JSON.parse(JSON.stringify(buildTenantReport(loadConfig(FIXTURE_CONFIG).config))));
  expect(json.groups.map((g: { environments: string[] }) => g.environments)).toEqual([['dev', 'prod']]);
});

test('an invalid config is reported with its problems and exit code 1', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bag-report-'));
  try {
    cpSync(FIXTURE_CONFIG, dir, { recursive: true });
    writeFileSync(path.join(dir, 'models.json'), '[]');
    const { output, exitCode } = runReport({ json: false, configDir: dir });
    expect(exitCode).toBe(1);
    expect(output.split('\n').slice(0, 2)).toEqual([`The config in ${dir} is invalid (1 problem):`, `- ${path.relative(process.cwd(), path.join(dir, 'models.json'))}: models: the model catalogue must list at least one model (got [])`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('arguments', () => {
  expect(parseReportArgs(['--base', 'origin/main', '--json'], {})).toEqual({ base: 'origin/main', json: true, configDir: expect.stringMatching(/config$/) });
  expect(parseReportArgs(['--config', 'x'], { GATEWAY_CONFIG_DIR: 'y' })).toEqual({ json: false, configDir: 'x' });
  expect(parseReportArgs(['--html'], {})).toBe('unknown argument --html\nusage: npm run report [-- --base <git ref>] [--json] [--config <dir>]');
});
