import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { apiKeyValue } from '../../gateway-config/derive';
import type { GatewayConfig } from '../../gateway-config/schema';
import { BEDROCK_ERROR_STATUSES, otherStatusPattern } from '../../stacks/constructs/bedrock-integration';
import { requestTemplateFor } from '../../stacks/templates/request-mapping';
import { RESOURCELESS_ACTIONS } from '../../stacks/policy/rules/iam-no-star-resource';
import type { GatewayRoute } from '../../gateway-config/derive';
import { exampleConfig } from '../helpers/config';
import { resourcesOf, synthGateway, type TerraformJson } from '../helpers/synth';

const config = exampleConfig();
const dev = synthGateway(config, 'dev');
const prod = synthGateway(config, 'prod');
const devEnv = config.environments.find((e) => e.name === 'dev')!;
const prodEnv = config.environments.find((e) => e.name === 'prod')!;

/** Every IAM policy document in the stack: role trust policies and inline policies. */
function policyDocuments(json: TerraformJson): Array<{ where: string; doc: { Statement: Array<Record<string, unknown>> } }> {
  const docs = [];
  for (const [id, role] of Object.entries(resourcesOf(json, 'aws_iam_role'))) docs.push({ where: `role ${id}`, doc: JSON.parse(role.assume_role_policy as string) });
  for (const [id, p] of Object.entries(resourcesOf(json, 'aws_iam_role_policy'))) docs.push({ where: `policy ${id}`, doc: JSON.parse(p.policy as string) });
  return docs;
}

/** `${data.<type>.<id>.<attr>}` of the one data source of that type. */
const dataRef = (json: TerraformJson, type: string, attr: string) => {
  const ids = Object.keys(json.data?.[type] ?? {});
  if (ids.length !== 1) throw new Error(`expected one data.${type}, found ${ids.length}`);
  return `\${data.${type}.${ids[0]}.${attr}}`;
};

const ref = (type: string, json: TerraformJson, match: (r: Record<string, unknown>) => boolean, attr = 'id') => {
  const ids = Object.entries(resourcesOf(json, type)).filter(([, r]) => match(r)).map(([id]) => `\${${type}.${id}.${attr}}`);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
};

describe('provider and state', () => {
  test('AWS provider pinned to the environment region with project, environment and managed-by tags', () => {
    expect(dev.json.provider.aws).toEqual([
      { region: 'us-east-1', default_tags: [{ tags: { project: 'bedrock-ai-gateway', environment: 'dev', 'managed-by': 'cdktf' } }] },
    ]);
    expect(prod.json.provider.aws[0].default_tags).toEqual([
      { tags: { 'cost-center': 'ai-platform', project: 'bedrock-ai-gateway', environment: 'prod', 'managed-by': 'cdktf' } },
    ]);
  });

  test('S3 backend per environment: <prefix>/<environment>/terraform.tfstate, encrypted, native lock file', () => {
    expect(dev.json.terraform.backend).toEqual({
      s3: { bucket: 'example-corp-bedrock-gateway-tfstate', key: 'bedrock-ai-gateway/dev/terraform.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true },
    });
    expect(prod.json.terraform.backend!.s3).toMatchObject({ key: 'bedrock-ai-gateway/prod/terraform.tfstate', region: 'us-east-1', use_lockfile: true });
  });

  test('Terraform Cloud and local backends when configured', () => {
    const cloud: GatewayConfig = { ...config, environments: [{ ...devEnv, state: { backend: 'cloud', organization: 'example-corp', workspace: 'gateway-dev' } }] };
    expect(synthGateway(cloud).json.terraform).toMatchObject({ cloud: { organization: 'example-corp', workspaces: { name: 'gateway-dev' } } });
    const local: GatewayConfig = { ...config, environments: [{ ...devEnv, state: { backend: 'local' } }] };
    expect(synthGateway(local).json.terraform.backend).toEqual({ local: { path: 'terraform.dev.tfstate' } });
  });
});

describe('REST API and routes', () => {
  test('REGIONAL REST API whose API keys come from the authorizer', () => {
    expect(dev.synthesized).toHaveResourceWithProperties(ApiGatewayRestApi, {
      name: 'bedrock-ai-gateway-dev',
      api_key_source: 'AUTHORIZER',
      endpoint_configuration: { types: ['REGIONAL'] },
    });
  });

  test('resources form /model/{modelId}/converse and /model/{modelId}/invoke and nothing else', () => {
    const resources = resourcesOf(dev.json, 'aws_api_gateway_resource');
    const byRef = new Map(Object.entries(resources).map(([id, r]) => [`\${aws_api_gateway_resource.${id}.id}`, r]));
    const pathOf = (r: Record<string, unknown>): string => {
      const parent = byRef.get(r.parent_id as string);
      return `${parent ? pathOf(parent) : ''}/${r.path_part}`;
    };
    expect(Object.values(resources).map(pathOf).sort()).toEqual(['/model', '/model/{modelId}', '/model/{modelId}/converse', '/model/{modelId}/invoke']);
  });

  test('every method is POST with the CUSTOM authorizer, an API key, the body validator and a required modelId', () => {
    const methods = Object.values(resourcesOf(dev.json, 'aws_api_gateway_method'));
    expect(methods).toHaveLength(2);
    const authorizer = ref('aws_api_gateway_authorizer', dev.json, () => true);
    const validator = ref('aws_api_gateway_request_validator', dev.json, () => true);
    for (const method of methods) {
      expect(method).toMatchObject({
        http_method: 'POST',
        authorization: 'CUSTOM',
        authorizer_id: authorizer,
        api_key_required: true,
        request_validator_id: validator,
        request_parameters: { 'method.request.path.modelId': true },
      });
    }
    expect(resourcesOf(dev.json, 'aws_api_gateway_request_validator')).toEqual({
      [Object.keys(resourcesOf(dev.json, 'aws_api_gateway_request_validator'))[0]]: expect.objectContaining({ validate_request_body: true, validate_request_parameters: true }),
    });
  });

  test('no method anywhere without CUSTOM authorization', () => {
    const open = Object.values(resourcesOf(dev.json, 'aws_api_gateway_method')).filter((m) => m.authorization !== 'CUSTOM' || m.api_key_required !== true);
    expect(open).toEqual([]);
  });

  test('Converse bodies must carry a non-empty messages array; InvokeModel bodies must be JSON objects', () => {
    const schemas = Object.fromEntries(Object.values(resourcesOf(dev.json, 'aws_api_gateway_model')).map((m) => [m.name, JSON.parse(m.schema as string)]));
    expect(schemas.ConverseRequest).toMatchObject({ type: 'object', required: ['messages'], properties: { messages: { type: 'array', minItems: 1 } } });
    expect(schemas.InvokeRequest).toMatchObject({ type: 'object' });
  });
});

describe('Bedrock integration', () => {
  const role = ref('aws_iam_role', dev.json, (r) => r.name === 'bedrock-gw-dev-bedrock-invoke', 'arn');

  test.each(['converse', 'invoke'])('%s: AWS integration to the same bedrock-runtime path under the gateway role', (route) => {
    expect(dev.synthesized).toHaveResourceWithProperties(ApiGatewayIntegration, {
      type: 'AWS',
      integration_http_method: 'POST',
      uri: `arn:${dataRef(dev.json, 'aws_partition', 'partition')}:apigateway:us-east-1:bedrock-runtime:path/model/{modelId}/${route}`,
      credentials: role,
      request_parameters: {
        'integration.request.path.modelId': 'method.request.path.modelId',
        'integration.request.header.Content-Type': "'application/json'",
        'integration.request.header.Accept': "'application/json'",
      },
      passthrough_behavior: 'NEVER',
      request_templates: { 'application/json': requestTemplateFor(route as GatewayRoute) },
      timeout_milliseconds: 29000,
    });
  });

  test('integration timeout comes from config', () => {
    const slow = synthGateway({ ...config, environments: [{ ...devEnv, integrationTimeoutMs: 120_000 }] });
    expect(Object.values(resourcesOf(slow.json, 'aws_api_gateway_integration')).map((i) => i.timeout_milliseconds)).toEqual([120000, 120000]);
  });

  test("Bedrock's error statuses reach the client unchanged with Bedrock's body; everything else non-2xx is a 502", () => {
    const responses = Object.values(resourcesOf(dev.json, 'aws_api_gateway_integration_response'));
    expect(responses).toHaveLength(2 * 10);
    const converse = responses.filter((r) => JSON.stringify(r.resource_id).includes('converse'));
    const byStatus = Object.fromEntries(converse.map((r) => [r.status_code, r.selection_pattern]));
    expect(byStatus).toEqual({
      '200': undefined,
      '400': '400',
      '403': '403',
      '404': '404',
      '408': '408',
      '424': '424',
      '429': '429',
      '500': '500',
      '503': '503',
      '502': otherStatusPattern(BEDROCK_ERROR_STATUSES),
    });
    for (const r of responses) expect(r.response_templates).toEqual({ 'application/json': '$input.body' });
    const methodResponses = Object.values(resourcesOf(dev.json, 'aws_api_gateway_method_response')).map((r) => r.status_code);
    expect(methodResponses.sort()).toEqual([...['200', '400', '403', '404', '408', '424', '429', '500', '502', '503'], ...['200', '400', '403', '404', '408', '424', '429', '500', '502', '503']].sort());
  });

  test('selection patterns never overlap: each upstream status selects exactly one response, and no error selects 200', () => {
    const patterns = Object.values(resourcesOf(dev.json, 'aws_api_gateway_integration_response'))
      .filter((r) => JSON.stringify(r.resource_id).includes('converse') && r.selection_pattern)
      .map((r) => ({ status: r.status_code as string, regex: new RegExp(`^(?:${r.selection_pattern})$`) }));
    for (let code = 100; code <= 599; code++) {
      const matched = patterns.filter((p) => p.regex.test(String(code))).map((p) => p.status);
      if (code >= 200 && code <= 299) expect(matched).toEqual([]);
      else if ((BEDROCK_ERROR_STATUSES as readonly string[]).includes(String(code))) expect(matched).toEqual([String(code)]);
      else expect([code, matched]).toEqual([code, ['502']]);
    }
  });

  test('the gateway role is trusted by API Gateway only and may invoke exactly the catalogue models', () => {
    const roleResource = Object.values(resourcesOf(dev.json, 'aws_iam_role')).find((r) => r.name === 'bedrock-gw-dev-bedrock-invoke')!;
    expect(JSON.parse(roleResource.assume_role_policy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const policy = Object.values(resourcesOf(dev.json, 'aws_iam_role_policy')).find((p) => p.name === 'invoke-catalogue-models')!;
    const partition = dataRef(dev.json, 'aws_partition', 'partition');
    const account = dataRef(dev.json, 'aws_caller_identity', 'account_id');
    expect(JSON.parse(policy.policy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'InvokeCatalogueModels',
          Effect: 'Allow',
          Action: ['bedrock:InvokeModel'],
          Resource: [
            // A global profile: the profile, the model in the source region and the region-less model ARN.
            `arn:${partition}:bedrock:us-east-1:${account}:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0`,
            `arn:${partition}:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0`,
            `arn:${partition}:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0`,
            // Geographic profiles: the profile and the model in each destination region.
            `arn:${partition}:bedrock:us-east-1:${account}:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0`,
            ...['us-east-1', 'us-east-2', 'us-west-2'].map((r) => `arn:${partition}:bedrock:${r}::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0`),
            `arn:${partition}:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0`,
            `arn:${partition}:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`,
            `arn:${partition}:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`,
            `arn:${partition}:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1`,
            `arn:${partition}:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0`,
            `arn:${partition}:bedrock:us-east-1:${account}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`,
            `arn:${partition}:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`,
            `arn:${partition}:bedrock:us-east-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`,
            `arn:${partition}:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`,
            // Claude 5.5: global profiles with undated model ids.
            ...['sonnet', 'opus', 'haiku'].flatMap((m) => [
              `arn:${partition}:bedrock:us-east-1:${account}:inference-profile/global.anthropic.claude-${m}-5-5`,
              `arn:${partition}:bedrock:us-east-1::foundation-model/anthropic.claude-${m}-5-5`,
              `arn:${partition}:bedrock:::foundation-model/anthropic.claude-${m}-5-5`,
            ]),
          ],
        },
      ],
    });
  });

  test('no IAM statement anywhere has a wildcard action or a "*" resource', () => {
    for (const stack of [dev, prod]) {
      for (const { where, doc } of policyDocuments(stack.json)) {
        for (const statement of doc.Statement) {
          const actions = [statement.Action].flat() as string[];
          expect([where, actions.filter((a) => a.includes('*'))]).toEqual([where, []]);
          // Only the X-Ray write actions, which have no resource type, may (and must) name "*".
          const resourceless = actions.every((a) => RESOURCELESS_ACTIONS.includes(a));
          if (statement.Resource !== undefined && !resourceless) expect([where, [statement.Resource].flat().filter((r) => r === '*')]).toEqual([where, []]);
        }
      }
    }
  });
});

describe('usage plans and API keys', () => {
  const plans = Object.values(resourcesOf(dev.json, 'aws_api_gateway_usage_plan'));
  const planRef = (name: string) => ref('aws_api_gateway_usage_plan', dev.json, (p) => p.name === name);

  test('one plan per tier plus one per tenant with limit overrides, with the configured throttle and quota', () => {
    const summary = Object.fromEntries(plans.map((p) => [p.name, [p.throttle_settings, p.quota_settings]]));
    expect(summary).toEqual({
      'bedrock-gw-dev-tier-bronze': [{ rate_limit: 2, burst_limit: 5 }, { limit: 1000, period: 'DAY' }],
      'bedrock-gw-dev-tier-silver': [{ rate_limit: 10, burst_limit: 20 }, { limit: 100000, period: 'WEEK' }],
      'bedrock-gw-dev-tier-gold': [{ rate_limit: 50, burst_limit: 100 }, { limit: 2000000, period: 'MONTH' }],
      'bedrock-gw-dev-tenant-umbrella': [{ rate_limit: 25, burst_limit: 50 }, { limit: 500000, period: 'WEEK' }],
    });
    for (const p of plans) {
      expect(p.api_stages).toEqual([{ api_id: '${aws_api_gateway_rest_api.rest-api_1547DDCA.id}', stage: '${aws_api_gateway_stage.stage.stage_name}' }]);
    }
  });

  test('a tenant overriding only its models stays on its tier plan', () => {
    const modelsOnly: GatewayConfig = {
      ...config,
      tenants: config.tenants.map((t) => (t.id === 'umbrella' ? { ...t, overrides: { models: ['amazon.titan-text-express-v1'] } } : t)),
    };
    expect(Object.values(resourcesOf(synthGateway(modelsOnly).json, 'aws_api_gateway_usage_plan')).map((p) => p.name).sort()).toEqual([
      'bedrock-gw-dev-tier-bronze',
      'bedrock-gw-dev-tier-gold',
      'bedrock-gw-dev-tier-silver',
    ]);
  });

  test('one API key per tenant with a derived value; the disabled tenant has enabled = false', () => {
    const keys = Object.values(resourcesOf(dev.json, 'aws_api_gateway_api_key'));
    expect(keys.map((k) => [k.name, k.enabled, k.value])).toEqual(
      ['acme', 'globex', 'hooli', 'initech', 'umbrella'].map((t) => [`bedrock-gw-dev-${t}`, t !== 'initech', apiKeyValue(devEnv, t)]),
    );
    expect(dev.synthesized).toHaveResourceWithProperties(ApiGatewayApiKey, { name: 'bedrock-gw-dev-initech', enabled: false });
  });

  test('API key values are stable, at least 20 characters, and differ per environment', () => {
    expect(apiKeyValue(devEnv, 'acme')).toBe(apiKeyValue(devEnv, 'acme'));
    expect(apiKeyValue(devEnv, 'acme')).toMatch(/^bag-[A-Za-z0-9_-]{40}$/);
    expect(apiKeyValue(devEnv, 'acme')).not.toBe(apiKeyValue(prodEnv, 'acme'));
    expect(apiKeyValue(devEnv, 'acme')).not.toBe(apiKeyValue({ ...devEnv, apiKeySalt: 'rotated-2026' }, 'acme'));
  });

  test('each key is in the plan that governs its tenant', () => {
    const keyRef = (tenant: string) => ref('aws_api_gateway_api_key', dev.json, (k) => k.name === `bedrock-gw-dev-${tenant}`);
    const planOfKey = Object.fromEntries(Object.values(resourcesOf(dev.json, 'aws_api_gateway_usage_plan_key')).map((pk) => [pk.key_id, pk.usage_plan_id]));
    expect(Object.values(resourcesOf(dev.json, 'aws_api_gateway_usage_plan_key')).every((pk) => pk.key_type === 'API_KEY')).toBe(true);
    expect({
      acme: planOfKey[keyRef('acme')],
      globex: planOfKey[keyRef('globex')],
      hooli: planOfKey[keyRef('hooli')],
      initech: planOfKey[keyRef('initech')],
      umbrella: planOfKey[keyRef('umbrella')],
    }).toEqual({
      acme: planRef('bedrock-gw-dev-tier-gold'),
      globex: planRef('bedrock-gw-dev-tier-silver'),
      hooli: planRef('bedrock-gw-dev-tier-bronze'),
      initech: planRef('bedrock-gw-dev-tier-silver'),
      umbrella: planRef('bedrock-gw-dev-tenant-umbrella'),
    });
  });
});

describe('deployment and stage', () => {
  test('the deployment is replaced before destroy and triggered by the routes, methods and integrations', () => {
    const deployment = Object.values(resourcesOf(dev.json, 'aws_api_gateway_deployment'))[0];
    expect(deployment.lifecycle).toEqual({ create_before_destroy: true });
    const triggers = deployment.triggers as Record<string, string>;
    expect(triggers.configuration).toMatch(/^[0-9a-f]{64}$/);
    for (const type of ['aws_api_gateway_resource', 'aws_api_gateway_method', 'aws_api_gateway_integration', 'aws_api_gateway_integration_response']) {
      for (const id of Object.keys(resourcesOf(dev.json, type))) expect(triggers.resources).toContain(`${type}.${id}.id`);
    }
  });

  test('the configuration trigger changes when an integration changes, and only then', () => {
    const trigger = (c: GatewayConfig) => (Object.values(resourcesOf(synthGateway(c).json, 'aws_api_gateway_deployment'))[0].triggers as Record<string, string>).configuration;
    const base = trigger(config);
    expect(trigger(config)).toBe(base);
    expect(trigger({ ...config, tenants: config.tenants.slice(0, 3) })).toBe(base);
    expect(trigger({ ...config, environments: [{ ...devEnv, integrationTimeoutMs: 10_000 }, prodEnv] })).not.toBe(base);
  });

  test('a stage named per environment', () => {
    expect(dev.synthesized).toHaveResourceWithProperties(ApiGatewayStage, { stage_name: 'dev' });
    expect(prod.synthesized).toHaveResourceWithProperties(ApiGatewayStage, { stage_name: 'v1' });
  });
});

describe('authorizer wiring', () => {
  test('TOKEN authorizer on the Authorization header with the configured cache TTL', () => {
    expect(dev.synthesized).toHaveResourceWithProperties(ApiGatewayAuthorizer, {
      type: 'TOKEN',
      identity_source: 'method.request.header.Authorization',
      authorizer_result_ttl_in_seconds: 60,
      authorizer_uri: '${aws_lambda_function.authorizer_function_0D88CC7F.invoke_arn}',
    });
    expect(prod.synthesized).toHaveResourceWithProperties(ApiGatewayAuthorizer, { authorizer_result_ttl_in_seconds: 300 });
  });

  test('API Gateway turns away anything but a Bearer JWT before invoking the function', () => {
    const pattern = new RegExp(Object.values(resourcesOf(dev.json, 'aws_api_gateway_authorizer'))[0].identity_validation_expression as string);
    expect(pattern.test('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl')).toBe(true);
    expect(pattern.test('bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl')).toBe(true);
    // alg none tokens have an empty signature; they reach the function, which refuses them.
    expect(pattern.test('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toBe(true);
    for (const bad of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a.b', 'Bearer a.b.c.d', 'Bearer a b.c.d', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'Bearer a.b.c\n']) {
      expect([bad, pattern.test(bad)]).toEqual([bad, false]);
    }
  });

  test('the function runs on a supported Node.js runtime with the configured memory and timeout', () => {
    // (The token budget functions are tested in token-budgets.test.ts.)
    expect(Object.values(resourcesOf(dev.json, 'aws_lambda_function')).filter((f) => f.function_name === 'bedrock-gw-dev-authorizer')).toEqual([
      expect.objectContaining({
        function_name: 'bedrock-gw-dev-authorizer',
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        architectures: ['arm64'],
        memory_size: 256,
        timeout: 10,
        source_code_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
  });

  test('the function may be invoked by this API\'s authorizer only', () => {
    expect(Object.values(resourcesOf(dev.json, 'aws_lambda_permission')).filter((p) => p.principal === 'apigateway.amazonaws.com')).toEqual([
      expect.objectContaining({
        action: 'lambda:InvokeFunction',
        principal: 'apigateway.amazonaws.com',
        function_name: '${aws_lambda_function.authorizer_function_0D88CC7F.function_name}',
        source_arn: '${aws_api_gateway_rest_api.rest-api_1547DDCA.execution_arn}/authorizers/${aws_api_gateway_authorizer.authorizer_A59D7805.id}',
      }),
    ]);
  });

  test('the function role may write its own log group and X-Ray traces, and nothing else; the log group has retention', () => {
    const role = Object.values(resourcesOf(dev.json, 'aws_iam_role')).find((r) => r.name === 'bedrock-gw-dev-authorizer-role')!;
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const policies = Object.values(resourcesOf(dev.json, 'aws_iam_role_policy')).filter((p) => p.role === '${aws_iam_role.authorizer_function_role_410B0D09.name}');
    expect(policies.map((p) => JSON.parse(p.policy as string).Statement)).toEqual([
      [
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '${aws_cloudwatch_log_group.authorizer_function_logs_28C2880A.arn}:*' },
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      ],
    ]);
    expect(dev.synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/lambda/bedrock-gw-dev-authorizer', retention_in_days: 14 });
    expect(Object.values(resourcesOf(dev.json, 'aws_iam_role_policy_attachment'))).toEqual([]);
  });

  test('the bundle is deterministic: same config, same source hash; another tenant table, another hash', () => {
    const hash = (c: GatewayConfig) => Object.values(resourcesOf(synthGateway(c).json, 'aws_lambda_function'))[0].source_code_hash;
    expect(hash(config)).toBe(Object.values(resourcesOf(dev.json, 'aws_lambda_function'))[0].source_code_hash);
    expect(hash({ ...config, tenants: config.tenants.slice(1) })).not.toBe(hash(config));
  });
});

describe('outputs', () => {
  test('snake_case outputs with descriptions: invoke URL, API id, stage, access log group, alarm topic, key ids (never key values)', () => {
    expect(Object.keys(dev.json.output).sort()).toEqual([
      'access_log_group_name',
      'invocation_log_group_name',
      'invoke_url',
      'metering_failure_queue_url',
      'rest_api_id',
      'stage_name',
      'tenant_api_key_ids',
      'token_ledger_table_name',
    ]);
    expect(Object.keys(prod.json.output)).toContain('alarm_topic_arn');
    for (const output of Object.values(dev.json.output)) expect(output.description).toEqual(expect.any(String));
    expect(dev.json.output.tenant_api_key_ids.value).toEqual(
      Object.fromEntries(['acme', 'globex', 'hooli', 'initech', 'umbrella'].map((t) => [t, ref('aws_api_gateway_api_key', dev.json, (k) => k.name === `bedrock-gw-dev-${t}`)])),
    );
    const outputs = JSON.stringify(dev.json.output);
    for (const tenant of config.tenants) expect(outputs).not.toContain(apiKeyValue(devEnv, tenant.id));
  });

  test('with WAF and a custom domain (prod): also web_acl_arn and custom_domain_url, still no key values', () => {
    expect(Object.keys(prod.json.output).sort()).toEqual([
      'access_log_group_name',
      'alarm_topic_arn',
      'budget_alert_topic_arn',
      'custom_domain_url',
      'invocation_log_group_name',
      'invoke_url',
      'metering_failure_queue_url',
      'rest_api_id',
      'stage_name',
      'tenant_api_key_ids',
      'token_ledger_table_name',
      'web_acl_arn',
    ]);
    for (const output of Object.values(prod.json.output)) expect(output.description).toEqual(expect.any(String));
    const outputs = JSON.stringify(prod.json.output);
    for (const tenant of config.tenants) expect(outputs).not.toContain(apiKeyValue(prodEnv, tenant.id));
  });
});

describe('changing one tenant', () => {
  /** Resources (type.logical-id without its hash) whose configuration differs after `edit`. */
  function changedBy(edit: (t: GatewayConfig['tenants'][number]) => GatewayConfig['tenants'][number]): string[] {
    const after = synthGateway({ ...config, tenants: config.tenants.map(edit) }).json;
    const changed: string[] = [];
    for (const type of new Set([...Object.keys(dev.json.resource), ...Object.keys(after.resource)])) {
      const ids = new Set([...Object.keys(resourcesOf(dev.json, type)), ...Object.keys(resourcesOf(after, type))]);
      for (const id of ids) {
        const [before, now] = [resourcesOf(dev.json, type)[id], resourcesOf(after, type)[id]];
        if (JSON.stringify(before) !== JSON.stringify(now)) changed.push(`${type}.${id.replace(/_[0-9A-F]{8}$/, '')}`);
      }
    }
    return changed.sort();
  }

  test("a tenant's quota override changes only that tenant's usage plan", () => {
    expect(changedBy((t) => (t.id === 'umbrella' ? { ...t, overrides: { ...t.overrides, quota: { limit: 750_000, period: 'WEEK' } } } : t))).toEqual([
      'aws_api_gateway_usage_plan.plans_tenant-umbrella',
    ]);
  });

  test("moving a tenant to another tier changes only that tenant's key, its plan membership and the tenant tables of the authorizer and the budget functions", () => {
    const changed = changedBy((t) => (t.id === 'hooli' ? { ...t, tier: 'gold' } : t));
    expect(changed).toEqual([
      'aws_api_gateway_api_key.plans_key-hooli',
      'aws_api_gateway_usage_plan_key.plans_plan-key-hooli',
      'aws_lambda_function.authorizer_function',
      // Its budget changes with its tier: both budget functions bundle the tenant table.
      'aws_lambda_function.token-budgets_metering_function',
      'aws_lambda_function.token-budgets_reset_function',
    ]);
  });
});

describe('snapshot', () => {
  test.each(config.environments.map((e) => e.name))('%s stack (asset hashes masked)', (name) => {
    const { synthesized } = synthGateway(config, name);
    const masked = synthesized
      .replace(/assets\/([^/"]+)\/[0-9A-F]{32}\//g, 'assets/$1/<hash>/')
      .replace(/"source_code_hash": "[0-9a-f]{64}"/g, '"source_code_hash": "<hash>"')
      .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:<port>');
    expect(masked).toMatchSnapshot();
  });
});

describe('emulator environment', () => {
  const local = synthGateway(config, 'local');
  const endpoint = config.environments.find((e) => e.name === 'local')!.emulator!.endpoint;

  test('provider and S3 backend go to the loopback emulator with dummy credentials and skip flags', () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const provider = local.json.provider.aws[0];
    expect(provider).toMatchObject({
      access_key: 'testing',
      secret_key: 'testing',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_region_validation: true,
      s3_use_path_style: true,
    });
    const endpoints = (provider.endpoints as Array<Record<string, string>>)[0];
    expect(new Set(Object.values(endpoints))).toEqual(new Set([endpoint]));
    expect(Object.keys(endpoints).sort()).toEqual(['acm', 'apigateway', 'bedrock', 'cloudwatch', 'dynamodb', 'events', 'iam', 'kms', 'lambda', 'logs', 'route53', 's3', 'sns', 'sqs', 'sts', 'wafv2']);
    expect(local.json.terraform.backend!.s3).toMatchObject({
      bucket: 'bedrock-gateway-local-tfstate',
      key: 'bedrock-ai-gateway/local/terraform.tfstate',
      encrypt: true,
      use_lockfile: true,
      use_path_style: true,
      endpoints: { s3: endpoint, sts: endpoint, iam: endpoint },
    });
  });

  test('drift the emulator cannot read back is ignored there, and only there', () => {
    const ignored = (json: TerraformJson, type: string) => Object.values(resourcesOf(json, type)).map((r) => (r.lifecycle as { ignore_changes?: string[] } | undefined)?.ignore_changes);
    expect(ignored(local.json, 'aws_api_gateway_authorizer')).toEqual([['identity_validation_expression']]);
    // The authorizer, metering and reset functions.
    expect(ignored(local.json, 'aws_lambda_function')).toEqual([['logging_config'], ['logging_config'], ['logging_config']]);
    expect(ignored(dev.json, 'aws_api_gateway_authorizer')).toEqual([undefined]);
    expect(ignored(dev.json, 'aws_lambda_function')).toEqual([undefined, undefined, undefined]);
  });

  test('real AWS environments carry no emulator settings', () => {
    for (const stack of [dev, prod]) {
      expect(JSON.stringify(stack.json)).not.toMatch(/127\.0\.0\.1|localhost|"testing"/);
    }
  });
});
