/**
 * Integration mode `forwarder` in the synthesized stack: AWS_PROXY integrations to one function,
 * its role scoped to the catalogue and its own log group, no API Gateway credentials role, Lambda
 * permissions for exactly this API's routes on this stage, and the rule pack satisfied.
 */
import { catalogueResourceArns } from '../../gateway-config/derive';
import type { EnvironmentInput } from '../../gateway-config/schema';
import { buildForwarderSettings } from '../../gateway-config/tenant-table';
import { LAMBDA_RUNTIME } from '../../stacks/constructs/nodejs-function';
import { exampleConfig, exampleConfigWith } from '../helpers/config';
import { resourcesOf, synthGateway, type TerraformJson } from '../helpers/synth';

const config = exampleConfig();
const forwarder = synthGateway(config, 'local-forwarder');
const direct = synthGateway(config, 'local');
const env = config.environments.find((e) => e.name === 'local-forwarder')!;

const only = (json: TerraformJson, type: string, match: (r: Record<string, unknown>) => boolean) => {
  const found = Object.entries(resourcesOf(json, type)).filter(([, r]) => match(r));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return { id: found[0][0], resource: found[0][1], ref: (attr: string) => `\${${type}.${found[0][0]}.${attr}}` };
};
const fn = only(forwarder.json, 'aws_lambda_function', (r) => r.function_name === 'bedrock-gw-local-forwarder-forwarder');
const restApi = only(forwarder.json, 'aws_api_gateway_rest_api', () => true);
const dataRef = (json: TerraformJson, type: string, attr: string) => `\${data.${type}.${Object.keys(json.data![type])[0]}.${attr}}`;

test('each route is an AWS_PROXY integration to the forwarder, with the integration timeout, no templates, no credentials', () => {
  const integrations = Object.values(resourcesOf(forwarder.json, 'aws_api_gateway_integration'));
  expect(integrations).toHaveLength(2);
  for (const integration of integrations) {
    expect(integration).toEqual({
      http_method: expect.stringMatching(/^\$\{aws_api_gateway_method\..+\.http_method\}$/),
      integration_http_method: 'POST',
      resource_id: expect.stringMatching(/^\$\{aws_api_gateway_method\..+\.resource_id\}$/),
      rest_api_id: restApi.ref('id'),
      timeout_milliseconds: 29_000,
      type: 'AWS_PROXY',
      uri: fn.ref('invoke_arn'),
    });
  }
  // Proxy integrations pass the function's status and headers: no integration or method responses.
  expect(resourcesOf(forwarder.json, 'aws_api_gateway_integration_response')).toEqual({});
  expect(resourcesOf(forwarder.json, 'aws_api_gateway_method_response')).toEqual({});
});

test('the function: bundled, the configured memory, timeout, concurrency and architecture, traced, logging to its own group', () => {
  const logGroup = only(forwarder.json, 'aws_cloudwatch_log_group', (r) => r.name === '/aws/lambda/bedrock-gw-local-forwarder-forwarder');
  expect(logGroup.resource.retention_in_days).toBe(1);
  expect(fn.resource).toMatchObject({
    runtime: LAMBDA_RUNTIME,
    handler: 'index.handler',
    architectures: ['arm64'],
    memory_size: 512,
    timeout: 29,
    reserved_concurrent_executions: 10,
    tracing_config: { mode: 'Active' },
    logging_config: { log_format: 'Text', log_group: logGroup.ref('name') },
    source_code_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  // No environment variables: nothing to leak, nothing that points it elsewhere.
  expect(fn.resource.environment).toBeUndefined();
});

test("the function's role: bedrock:InvokeModel on exactly the catalogue's ARNs (the direct mode's list), its own log group, X-Ray", () => {
  const role = only(forwarder.json, 'aws_iam_role', (r) => r.name === 'bedrock-gw-local-forwarder-forwarder-role');
  expect(JSON.parse(role.resource.assume_role_policy as string)).toEqual({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const policies = Object.values(resourcesOf(forwarder.json, 'aws_iam_role_policy')).filter((p) => p.role === role.ref('name'));
  const statements = policies.flatMap((p) => JSON.parse(p.policy as string).Statement);
  const arns = catalogueResourceArns(config.models, env.region, dataRef(forwarder.json, 'aws_partition', 'partition'), dataRef(forwarder.json, 'aws_caller_identity', 'account_id'));
  const logGroup = only(forwarder.json, 'aws_cloudwatch_log_group', (r) => r.name === '/aws/lambda/bedrock-gw-local-forwarder-forwarder');
  expect(statements).toEqual([
    { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup.ref('arn')}:*` },
    { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    { Sid: 'InvokeCatalogueModels', Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: arns },
  ]);
  // The same list the direct mode grants API Gateway's role.
  const directPolicy = only(direct.json, 'aws_iam_role_policy', (r) => r.name === 'invoke-catalogue-models');
  expect(JSON.parse(directPolicy.resource.policy as string).Statement[0].Resource).toEqual(arns);
});

test('no API Gateway credentials role for Bedrock in forwarder mode; the direct mode keeps its own and no function', () => {
  const trusted = (json: TerraformJson) =>
    Object.values(resourcesOf(json, 'aws_iam_role')).filter((r) => JSON.stringify(JSON.parse(r.assume_role_policy as string)).includes('apigateway.amazonaws.com')).map((r) => r.name);
  // (the account-wide CloudWatch role is only created where observability.apiGatewayAccount is on; local-forwarder has it off)
  expect(trusted(forwarder.json)).toEqual([]);
  expect(trusted(direct.json)).toContain('bedrock-gw-local-bedrock-invoke');
  // The direct mode's functions: the authorizer, and the token budgets' metering and reset (not in the model path).
  expect(Object.values(resourcesOf(direct.json, 'aws_lambda_function')).map((f) => f.function_name)).toEqual(['bedrock-gw-local-authorizer', 'bedrock-gw-local-metering', 'bedrock-gw-local-budget-reset']);
  expect(Object.values(resourcesOf(direct.json, 'aws_api_gateway_integration')).map((i) => i.type)).toEqual(['AWS', 'AWS']);
});

test('Lambda permissions: API Gateway, only this API, this stage, POST, the two routes', () => {
  const permissions = Object.values(resourcesOf(forwarder.json, 'aws_lambda_permission')).filter((p) => p.function_name === fn.ref('function_name'));
  expect(permissions.map((p) => [p.statement_id, p.principal, p.action, p.source_arn])).toEqual([
    ['AllowGatewayRoute-converse', 'apigateway.amazonaws.com', 'lambda:InvokeFunction', `${restApi.ref('execution_arn')}/local-forwarder/POST/model/*/converse`],
    ['AllowGatewayRoute-invoke', 'apigateway.amazonaws.com', 'lambda:InvokeFunction', `${restApi.ref('execution_arn')}/local-forwarder/POST/model/*/invoke`],
  ]);
});

test('the redeployment trigger covers the proxy integrations', () => {
  const deployment = only(forwarder.json, 'aws_api_gateway_deployment', () => true);
  const dependsOn = deployment.resource.depends_on as string[];
  for (const id of Object.keys(resourcesOf(forwarder.json, 'aws_api_gateway_integration'))) expect(dependsOn).toContain(`aws_api_gateway_integration.${id}`);
});

test('the rule pack finds nothing in either mode', () => {
  for (const { stack } of [forwarder, direct]) {
    const outcome = stack.policy.evaluate();
    expect(outcome.errors.map((f) => f.address)).toEqual([]);
    expect(outcome.warnings.map((f) => f.address)).toEqual([]);
  }
});

test('the bundled settings: region, routes and every tenant allowlist from the config', () => {
  expect(buildForwarderSettings(config, env)).toEqual({
    environment: 'local-forwarder',
    region: 'us-east-1',
    routes: ['converse', 'invoke'],
    tenants: Object.fromEntries(
      [...config.tenants]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((t) => [t.id, { enabled: t.enabled, models: [...(t.overrides?.models ?? config.tiers.find((tier) => tier.name === t.tier)!.models)].sort() }]),
    ),
  });
});

test('x86_64, no reserved concurrency, default memory and timeout; same config, same bytes', () => {
  const edit = (c: { environments: EnvironmentInput[] }) => {
    const dev = c.environments[0];
    c.environments[0] = { ...dev, integration: 'forwarder', integrationTimeoutMs: 20_000, forwarder: { architecture: 'x86_64' } };
  };
  const variant = synthGateway(exampleConfigWith(edit), 'dev');
  const f = only(variant.json, 'aws_lambda_function', (r) => r.function_name === 'bedrock-gw-dev-forwarder').resource;
  expect([f.architectures, f.memory_size, f.timeout, 'reserved_concurrent_executions' in f]).toEqual([['x86_64'], 512, 20, false]);
  expect(synthGateway(exampleConfigWith(edit), 'dev').synthesized).toBe(variant.synthesized);
});
