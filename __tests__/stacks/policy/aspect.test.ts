/**
 * The synth-time aspect: error findings stop synth with rule id, address and fix; warnings,
 * unused suppressions and the table of active suppressions are annotations; suppressions
 * from config and from code accept findings; the example config synthesizes with no errors.
 */
import { Aspects, Testing, TerraformStack } from 'cdktf';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GatewayPolicyAspect, formatSynthPolicyReport } from '../../../stacks/policy/pack';
import { GatewayStack } from '../../../stacks/gateway-stack';
import { StateStack, stateBucketTargets, stateStackId } from '../../../stacks/state-stack';
import { exampleConfig } from '../../helpers/config';

/** Annotations of one level anywhere in the stack, as `[path] message`. */
function annotations(stack: TerraformStack, level: '@cdktf/warn' | '@cdktf/info'): string[] {
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === level).map((m) => `[${c.node.path}] ${String(m.data)}`));
}

function stackWith(build: (stack: TerraformStack) => void, aspect: GatewayPolicyAspect): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'bad');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  build(stack);
  Aspects.of(stack).add(aspect);
  return stack;
}

test('an error finding stops synth with the rule id, the resource address, what must hold and how to fix it', () => {
  const stack = stackWith((s) => {
    new ApiGatewayMethod(s, 'open', { restApiId: 'a', resourceId: 'r', httpMethod: 'POST', authorization: 'NONE', requestValidatorId: 'v' });
    new IamRolePolicy(s, 'broad', { role: 'r', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) });
  }, new GatewayPolicyAspect());
  let message = '';
  try {
    Testing.synth(stack, true);
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain(
    '[bad/open] [BAG-API1] aws_api_gateway_method.open: Every API method runs the JWT authorizer and requires the tenant API key. authorization is "NONE", not "CUSTOM". A method without CUSTOM authorization',
  );
  expect(message).toContain('[bad/broad] [BAG-IAM1] aws_iam_role_policy.broad: IAM statements name their actions; no wildcards. policy: wildcard action "*".');
  expect(message).toContain('[bad/broad] [BAG-IAM2] aws_iam_role_policy.broad: IAM statements scope their resources; no "*". policy: Resource "*".');
  // Validations run again on a second synth: the same errors, not twice as many.
  expect(() => Testing.synth(stack, true)).toThrow(message.slice(message.indexOf('[bad/open]'), message.indexOf('[bad/open]') + 80));
});

test('a warning finding is an annotation on its resource and synth goes on', () => {
  const stack = stackWith((s) => {
    const logs = new CloudwatchLogGroup(s, 'logs', { name: '/aws/lambda/fn', retentionInDays: 7 });
    new LambdaFunction(s, 'fn', { functionName: 'fn', role: 'arn:aws:iam::123456789012:role/r', runtime: 'nodejs22.x', handler: 'index.handler', loggingConfig: { logFormat: 'Text', logGroup: logs.name } });
  }, new GatewayPolicyAspect());
  expect(() => Testing.synth(stack, true)).not.toThrow();
  expect(annotations(stack, '@cdktf/warn')).toEqual([
    '[bad/fn] [BAG-FN2] aws_lambda_function.fn: Every Lambda function sends X-Ray traces. tracing_config.mode is not "Active". Traces show where a slow or failing invocation spent its time (JWKS fetch, cold start). Set tracing_config { mode = "Active" } and allow xray:PutTraceSegments and xray:PutTelemetryRecords, which take no resource-level scope.',
  ]);
});

test('suppressions accept findings, synth lists them in a table, and an unused one is a warning', () => {
  const aspect = new GatewayPolicyAspect({
    suppressions: [
      { rule: 'BAG-API1', resource: 'aws_api_gateway_method.open', reason: 'health check | public by design' },
      { rule: 'BAG-LOG1', resource: 'aws_cloudwatch_log_group.kept', reason: 'kept for audit' },
      { rule: 'BAG-API4', resource: 'aws_api_gateway_stage.gone', reason: 'old stage' },
    ],
  });
  const stack = stackWith((s) => {
    new ApiGatewayMethod(s, 'open', { restApiId: 'a', resourceId: 'r', httpMethod: 'GET', authorization: 'NONE', apiKeyRequired: true, requestValidatorId: 'v' });
    new CloudwatchLogGroup(s, 'kept', { name: 'kept', retentionInDays: 3653 });
  }, aspect);
  expect(() => Testing.synth(stack, true)).not.toThrow();
  const outcome = aspect.evaluate();
  expect(outcome.errors).toEqual([]);
  expect(outcome.suppressed.map((f) => [f.rule.id, f.address, f.finding])).toEqual([['BAG-API1', 'aws_api_gateway_method.open', 'authorization is "NONE", not "CUSTOM"']]);
  expect(annotations(stack, '@cdktf/info')).toEqual([
    [
      '[bad] Active policy suppressions in bad (1):',
      '| rule | resource | origin | reason |',
      '|---|---|---|---|',
      '| BAG-API1 | aws_api_gateway_method.open | config | health check \\| public by design |',
    ].join('\n'),
  ]);
  expect(annotations(stack, '@cdktf/warn')).toEqual([
    "[bad] unused suppression of BAG-LOG1 for aws_cloudwatch_log_group.kept: aws_cloudwatch_log_group.kept complies with BAG-LOG1 now; remove it from the environment's policy.suppressions",
    "[bad] unused suppression of BAG-API4 for aws_api_gateway_stage.gone: the stack has no resource aws_api_gateway_stage.gone; remove it from the environment's policy.suppressions",
  ]);
  expect(formatSynthPolicyReport('bad', outcome).split('\n')).toEqual([
    'Active policy suppressions in bad (1):',
    '| rule | resource | origin | reason |',
    '|---|---|---|---|',
    '| BAG-API1 | aws_api_gateway_method.open | config | health check \\| public by design |',
    "WARN [bad] unused suppression of BAG-LOG1 for aws_cloudwatch_log_group.kept: aws_cloudwatch_log_group.kept complies with BAG-LOG1 now; remove it from the environment's policy.suppressions",
    "WARN [bad] unused suppression of BAG-API4 for aws_api_gateway_stage.gone: the stack has no resource aws_api_gateway_stage.gone; remove it from the environment's policy.suppressions",
  ]);
});

test('rules that relate resources see the whole synthesized stack, references resolved', () => {
  // The function's log group is another resource; BAG-FN3 finds it through the resolved reference.
  const aspect = new GatewayPolicyAspect();
  const stack = stackWith((s) => {
    const logs = new CloudwatchLogGroup(s, 'logs', { name: '/custom/fn', retentionInDays: 7 });
    new LambdaFunction(s, 'fn', { functionName: 'fn', role: 'r', runtime: 'nodejs22.x', handler: 'h', tracingConfig: { mode: 'Active' }, loggingConfig: { logFormat: 'Text', logGroup: logs.name } });
    new LambdaFunction(s, 'orphan', { functionName: 'orphan', role: 'r', runtime: 'nodejs22.x', handler: 'h', tracingConfig: { mode: 'Active' } });
  }, aspect);
  expect(() => Testing.synth(stack, true)).toThrow(/\[bad\/orphan\] \[BAG-FN3\] aws_lambda_function\.orphan: .* its log group "\/aws\/lambda\/orphan" is not a log group of this stack\./);
  const fn3 = aspect.evaluate().rules.find((r) => r.rule.id === 'BAG-FN3')!;
  expect(fn3.compliant).toEqual(['aws_lambda_function.fn']);
});

describe('the example config', () => {
  const config = exampleConfig();

  test.each(config.environments.map((e) => e.name))('gateway-%s synthesizes with validations on: no errors, no warnings, only its listed suppressions', (name) => {
    const environment = config.environments.find((e) => e.name === name)!;
    const stack = new GatewayStack(Testing.app(), `gateway-${name}`, { config, environment });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    const outcome = stack.policy.evaluate();
    expect(outcome.errors).toEqual([]);
    expect(outcome.warnings).toEqual([]);
    expect(outcome.unusedSuppressions).toEqual([]);
    expect(outcome.suppressed.map((f) => `${f.rule.id} ${f.address}`)).toEqual(environment.policy.suppressions.map((s) => `${s.rule} ${s.resource}`));
  });

  test('state stacks comply; the emulator bucket skips TLS-only by a built-in, listed suppression', () => {
    const outcomes = stateBucketTargets(config).map((target) => {
      const stack = new StateStack(Testing.app(), stateStackId(target), { target, statePath: 'x.tfstate' });
      expect(() => Testing.synth(stack, true)).not.toThrow();
      const outcome = stack.policy.evaluate();
      return [stack.node.id, outcome.errors.length, outcome.warnings.length, outcome.suppressed.map((f) => `${f.rule.id} ${f.suppression!.origin}`)];
    });
    expect(outcomes).toEqual([
      ['state-example-corp-bedrock-gateway-tfstate', 0, 0, []],
      ['state-bedrock-gateway-local-tfstate', 0, 0, ['BAG-BKT4 built-in']],
    ]);
  });
});
