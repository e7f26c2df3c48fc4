/**
 * The policy pack from the command line: `npm run lint:infra` prints every rule per stack and
 * exits non-zero on an error; synth (`tsx main.ts`, what `cdktf synth` runs) prints the active
 * suppressions and warnings, and fails on an error finding.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EnvironmentInput } from '../../gateway-config';
import { GATEWAY_RULES } from '../../stacks/policy/rules';
import { EXAMPLE_CONFIG_DIR, REPO_ROOT } from '../helpers/config';

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-policy-cli-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/**
 * The example config with one environment `dev` whose policy block is `policy`. Its authorizer
 * sends no X-Ray traces (a BAG-FN2 warning) and, unless `waf` is false, its web ACL keeps no
 * logs (a BAG-WAF2 error): findings to report and to suppress.
 */
function configWith(name: string, policy: EnvironmentInput['policy'], { waf = true }: { waf?: boolean } = {}): string {
  const dir = path.join(workDir, name);
  cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('environments.ts') });
  const environment: EnvironmentInput = {
    name: 'dev',
    region: 'us-east-1',
    state: { backend: 'local' },
    logRetentionDays: 30,
    observability: { tracing: { authorizer: false } },
    ...(waf ? { edge: { waf: { logging: { enabled: false } } } } : {}),
    policy,
  };
  writeFileSync(path.join(dir, 'environments.ts'), `export default [${JSON.stringify(environment)}];\n`);
  return dir;
}

function run(script: string, configDir: string, args: string[] = []) {
  const result = spawnSync(TSX, [script, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, GATEWAY_CONFIG_DIR: configDir, CDKTF_OUTDIR: path.join(workDir, `out-${path.basename(configDir)}`) },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const webAcl = 'aws_wafv2_web_acl.waf_web-acl_54BA89C4';
const fn = 'aws_lambda_function.authorizer_function_0D88CC7F';
const accepted = [{ rule: 'BAG-WAF2', resource: webAcl, reason: 'WAF logs go to the SIEM through Firehose, managed elsewhere' }];

test('lint:infra prints every rule with its result and exits 0 without errors', () => {
  const { code, stdout, stderr } = run('scripts/lint-infra.ts', configWith('clean', { suppressions: [...accepted, { rule: 'BAG-FN2', resource: fn, reason: 'no X-Ray' }] }));
  expect([code, stderr]).toEqual([0, '']);
  const lines = stdout.split('\n');
  expect(lines[0]).toBe('### gateway-dev: 0 errors, 0 warnings, 2 suppressed');
  // One row per rule, in pack order.
  expect(lines.filter((l) => /^\| BAG-/.test(l)).map((l) => l.split(' | ')[0].slice(2))).toEqual(GATEWAY_RULES.map((r) => r.id));
  expect(lines).toContain(`| BAG-WAF2 | error | suppressed | ${webAcl}: suppressed (WAF logs go to the SIEM through Firehose, managed elsewhere) |`);
  expect(lines).toContain('| BAG-API4 | error | pass | 1 resource compliant |');
  expect(lines).toContain('| BAG-DDB1 | error | not applicable |  |');
  expect(lines.at(-2)).toBe('Policy: no errors.');
}, 180_000);

test('lint:infra exits 1 on an error finding and names it; warnings and unused suppressions are listed', () => {
  const { code, stdout } = run('scripts/lint-infra.ts', configWith('waf', { requireWaf: true, suppressions: [{ rule: 'BAG-LOG1', resource: 'aws_cloudwatch_log_group.gone', reason: 'x' }] }, { waf: false }));
  expect(code).toBe(1);
  const lines = stdout.split('\n');
  expect(lines[0]).toBe('### gateway-dev: 1 error, 1 warning, 0 suppressed');
  expect(lines).toContain('| BAG-WAF1 | error | FAIL | aws_api_gateway_stage.stage: no aws_wafv2_web_acl_association has this stage as resource_arn |');
  expect(lines).toContain('| BAG-FN2 | warning | WARN | aws_lambda_function.authorizer_function_0D88CC7F: tracing_config.mode is not "Active" |');
  expect(lines).toContain(
    "- WARN unused suppression of BAG-LOG1 for aws_cloudwatch_log_group.gone: the stack has no resource aws_cloudwatch_log_group.gone; remove it from the environment's policy.suppressions",
  );
  expect(lines.at(-2)).toBe('Policy: 1 error; synth fails until each is fixed or suppressed with a reason.');
}, 180_000);

test('lint:infra refuses unknown arguments and stacks', () => {
  const dir = configWith('args', { suppressions: accepted });
  expect(run('scripts/lint-infra.ts', dir, ['--verbose'])).toMatchObject({ code: 2, stderr: 'usage: npm run lint:infra [-- --stack <stack id>]\n' });
  expect(run('scripts/lint-infra.ts', dir, ['--stack', 'gateway-nope'])).toMatchObject({ code: 2, stderr: 'no stack gateway-nope\nusage: npm run lint:infra [-- --stack <stack id>]\n' });
}, 180_000);

test('synth prints the active suppressions and warnings, and fails on an error finding', () => {
  const ok = run('main.ts', configWith('synth-ok', { suppressions: accepted }));
  expect(ok.code).toBe(0);
  expect(ok.stderr.split('\n')).toEqual([
    // The example tiers have token budgets; this environment does not meter them.
    'Warning: gateway-dev: environment dev: tiers or tenants have token budgets, but the environment sets no tokenBudgets, so they are neither metered nor enforced here',
    'Active policy suppressions in gateway-dev (1):',
    '| rule | resource | origin | reason |',
    '|---|---|---|---|',
    `| BAG-WAF2 | ${webAcl} | config | WAF logs go to the SIEM through Firehose, managed elsewhere |`,
    `WARN [gateway-dev] [BAG-FN2] ${fn}: Every Lambda function sends X-Ray traces. tracing_config.mode is not "Active". Traces show where a slow or failing invocation spent its time (JWKS fetch, cold start). Set tracing_config { mode = "Active" } and allow xray:PutTraceSegments and xray:PutTelemetryRecords, which take no resource-level scope.`,
    '',
  ]);

  const failed = run('main.ts', configWith('synth-bad', { suppressions: [] }));
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(
    `[gateway-dev/waf/web-acl] [BAG-WAF2] ${webAcl}: Every WAF web ACL has a logging configuration. no aws_wafv2_web_acl_logging_configuration has this web ACL as resource_arn.`,
  );
}, 240_000);
