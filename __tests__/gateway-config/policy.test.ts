/** The `policy` block of an environment: defaults, and every validation message. */
import { validateConfig } from '../../gateway-config/validate';
import { GATEWAY_RULE_IDS } from '../../stacks/policy/rules';
import { FILES, broken, problems } from '../helpers/config-problems';
import { exampleInput } from '../helpers/config';

const stage = 'aws_api_gateway_stage.stage';

test('defaults: minimum retention 1 day, WAF not required, no suppressions', () => {
  const input = exampleInput();
  delete input.environments[0].policy;
  expect(validateConfig(input, FILES).environments[0].policy).toEqual({ minimumLogRetentionDays: 1, requireWaf: false, suppressions: [] });
});

test('a suppression needs a reason that is not blank', () => {
  expect(
    problems(
      broken((c) => {
        c.environments[0].policy = { suppressions: [{ rule: 'BAG-API4', resource: stage, reason: '   ' }, { rule: 'BAG-API5', resource: stage } as never] };
      }),
    ),
  ).toEqual([
    'config/environments.ts: environments[0].policy.suppressions[0].reason: a suppression needs a reason: say why the finding is acceptable here (got "")',
    'config/environments.ts: environments[0].policy.suppressions[1].reason: a suppression needs a reason: say why the finding is acceptable here',
  ]);
});

test('a suppression names a rule id and a Terraform address', () => {
  expect(
    problems(
      broken((c) => {
        c.environments[0].policy = { suppressions: [{ rule: 'api4', resource: 'stage', reason: 'x' }] };
      }),
    ),
  ).toEqual([
    'config/environments.ts: environments[0].policy.suppressions[0].rule: rule must be a rule id such as BAG-API4 (npm run lint:infra lists them) (got "api4")',
    'config/environments.ts: environments[0].policy.suppressions[0].resource: resource must be a Terraform resource address such as aws_api_gateway_stage.stage (got "stage")',
  ]);
});

test('a suppression of a rule that does not exist', () => {
  expect(problems(broken((c) => (c.environments[0].policy = { suppressions: [{ rule: 'BAG-API99', resource: stage, reason: 'x' }] })))).toEqual([
    `config/environments.ts: environments[0].policy.suppressions[0].rule: unknown rule; allowed: ${GATEWAY_RULE_IDS.join(', ')} (got "BAG-API99")`,
  ]);
});

test('the same rule and resource suppressed twice', () => {
  expect(
    problems(
      broken((c) => {
        c.environments[1].policy = { minimumLogRetentionDays: 365, suppressions: [{ rule: 'BAG-API4', resource: stage, reason: 'a' }, { rule: 'BAG-API4', resource: stage, reason: 'b' }] };
      }),
    ),
  ).toEqual(['config/environments.ts: environments[1].policy.suppressions[1]: duplicate suppression of BAG-API4 for aws_api_gateway_stage.stage: already in suppressions[0]']);
});

test('log retention below the environment\'s own minimum is refused at load, not at synth', () => {
  expect(problems(broken((c) => (c.environments[0].policy = { minimumLogRetentionDays: 90 })))).toEqual([
    'config/environments.ts: environments[0].logRetentionDays: logRetentionDays is below policy.minimumLogRetentionDays (90); raise it or lower the minimum (got 14)',
  ]);
});

test('unknown fields in the policy block are refused', () => {
  expect(problems(broken((c) => (c.environments[0].policy = { requireWAF: true } as never)))).toEqual([
    'config/environments.ts: environments[0].policy: unknown field "requireWAF": not part of the schema (check the spelling)',
  ]);
});
