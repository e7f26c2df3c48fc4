/**
 * What the local gateway serves, read from a synthesized stack's Terraform JSON (`cdk.tf.json`),
 * never from the config: the REST API's resources and methods, the TOKEN authorizer and its
 * Lambda bundle, request models and validators, integrations with their templates, request
 * parameters and integration responses, gateway responses, usage plans and API keys, and the
 * stage's access log format. References between resources (`${aws_x.name.attr}`) are resolved
 * within the stack; values only known after apply (ids, ARNs) are not needed to serve.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface StackModel {
  /** Directory of the stack (holds `cdk.tf.json` and `assets/`). */
  readonly dir: string;
  readonly restApiName: string;
  readonly region: string;
  readonly stageName: string;
  readonly routes: readonly Route[];
  readonly authorizers: ReadonlyMap<string, AuthorizerModel>;
  /** By response type (`UNAUTHORIZED`, `THROTTLED`, `DEFAULT_4XX`, ...). */
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseModel>;
  readonly usagePlans: readonly UsagePlanModel[];
  /** API key value -> key. */
  readonly apiKeys: ReadonlyMap<string, ApiKeyModel>;
  /** The stage's access log format, when access logging is on. */
  readonly accessLogFormat?: string;
  /** Lambda functions by Terraform address (`aws_lambda_function.<name>`). */
  readonly functions: ReadonlyMap<string, LambdaFunctionModel>;
  /**
   * The Bedrock model invocation logging the stack configures (`aws_bedrock_model_invocation_logging_configuration`)
   * or meters (output `invocation_log_group_name`); absent when it has neither.
   */
  readonly invocationLogging?: InvocationLoggingModel;
  /**
   * The name of the IAM role the stack's AWS (non-proxy) integrations call with (their `credentials`),
   * when they name one of the stack's roles: the caller Bedrock sees and logs in the direct mode.
   */
  readonly integrationRoleName?: string;
}

export interface InvocationLoggingModel {
  /** The log group Bedrock writes invocation records to. */
  readonly logGroupName: string;
  /** True when the stack owns the account's (region's) logging configuration. */
  readonly configuredByStack: boolean;
  /** The stack's subscription filters on that group. */
  readonly subscriptionFilters: readonly SubscriptionFilterModel[];
}

export interface SubscriptionFilterModel {
  readonly name: string;
  /** As deployed: references to the stack's resources and account facts resolved. */
  readonly filterPattern: string;
  /** The Lambda function it delivers to (`aws_lambda_function.<name>`), when it names one of the stack's. */
  readonly destinationAddress?: string;
}

export interface Route {
  readonly httpMethod: string;
  /** `/model/{modelId}/converse`. */
  readonly resourcePath: string;
  readonly authorization: string;
  readonly authorizerAddress?: string;
  readonly apiKeyRequired: boolean;
  /** Content type -> JSON schema (draft 4), when the body is validated. */
  readonly requestModels: Readonly<Record<string, unknown>>;
  readonly validateBody: boolean;
  readonly integration?: IntegrationModel;
}

export interface IntegrationModel {
  readonly type: 'AWS' | 'AWS_PROXY' | 'HTTP' | 'HTTP_PROXY' | 'MOCK';
  readonly uri: string;
  readonly httpMethod?: string;
  readonly passthroughBehavior?: string;
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly responses: readonly IntegrationResponseModel[];
  /** For AWS_PROXY: the Lambda function the URI names. */
  readonly functionAddress?: string;
}

export interface IntegrationResponseModel {
  readonly statusCode: string;
  /** Regular expression matched against the integration's status (AWS) or error message; none = default. */
  readonly selectionPattern?: string;
  readonly responseParameters: Readonly<Record<string, string>>;
  readonly responseTemplates: Readonly<Record<string, string>>;
}

export interface AuthorizerModel {
  readonly address: string;
  readonly name: string;
  readonly type: string;
  readonly identitySource: string;
  readonly identityValidationExpression?: string;
  readonly ttlSeconds: number;
  readonly functionAddress: string;
}

export interface LambdaFunctionModel {
  readonly address: string;
  readonly functionName: string;
  /** `index.handler`. */
  readonly handler: string;
  /** Absolute path of the deployment package (zip) in the stack's assets. */
  readonly archive: string;
  readonly timeoutSeconds: number;
  /** `memory_size` (Lambda's default 128). */
  readonly memoryMb: number;
  /** The function's own variables (`environment.variables`). */
  readonly environment: Readonly<Record<string, string>>;
}

export interface GatewayResponseModel {
  readonly responseType: string;
  readonly statusCode?: string;
  readonly responseParameters?: Readonly<Record<string, string>>;
  readonly responseTemplates?: Readonly<Record<string, string>>;
}

export interface UsagePlanModel {
  readonly address: string;
  readonly name: string;
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly quota?: { readonly limit: number; readonly period: 'DAY' | 'WEEK' | 'MONTH'; readonly offset: number };
  /** Addresses of the API keys in the plan. */
  readonly keyAddresses: readonly string[];
}

export interface ApiKeyModel {
  readonly address: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/;

/** `${aws_x.name.attr}` -> `{ address: 'aws_x.name', attr }`, or undefined for a literal. */
export function parseReference(value: unknown): { readonly address: string; readonly attr: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = REFERENCE.exec(value);
  return match ? { address: `${match[1]}.${match[2]}`, attr: match[3] } : undefined;
}

export class StackModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackModelError';
  }
}

export interface StackModelOptions {
  /**
   * A sharded environment's tenant shard stacks (`cdktf.out/stacks/gateway-<env>-tenants-<i>`): their
   * API keys, own usage plans and plan links join the core's, the links to a tier plan (read from
   * the core's output `tier_usage_plan_ids` in the shard) resolved to the core's plan.
   */
  readonly shardDirs?: readonly string[];
  /**
   * What `data.aws_partition` and `data.aws_caller_identity` read when the stack is deployed.
   * @default the emulator's: partition `aws`, account 123456789012
   */
  readonly accountFacts?: { readonly partition: string; readonly accountId: string };
}

/** The account moto_server (the emulator) answers for. */
export const EMULATOR_ACCOUNT_FACTS = { partition: 'aws', accountId: '123456789012' } as const;

/** Reads `<dir>/cdk.tf.json` (and its shards'). Fails naming what it cannot serve (one REST API, one stage). */
export function loadStackModel(dir: string, options: StackModelOptions = {}): StackModel {
  const file = path.join(dir, 'cdk.tf.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { resource?: Resources; provider?: { aws?: Array<{ region?: string }> }; output?: Record<string, { value?: unknown }> };
  const resources = json.resource ?? {};
  const of = (type: string) => Object.entries(resources[type] ?? {}).map(([name, body]) => ({ address: `${type}.${name}`, body }));
  const byAddress = (address: string) => {
    const [type, name] = address.split('.');
    const body = resources[type]?.[name];
    if (!body) throw new StackModelError(`${file}: ${address} is referenced but not defined`);
    return body;
  };

  const apis = of('aws_api_gateway_rest_api');
  if (apis.length !== 1) throw new StackModelError(`${file}: the local gateway serves exactly one REST API; the stack has ${apis.length}`);
  const api = apis[0];
  const stages = of('aws_api_gateway_stage');
  if (stages.length !== 1) throw new StackModelError(`${file}: the local gateway serves exactly one stage; the stack has ${stages.length}`);
  const stage = stages[0].body;

  // Resource paths: walk each resource up to the API's root.
  const pathOf = (address: string, seen = new Set<string>()): string => {
    if (seen.has(address)) throw new StackModelError(`${file}: resource cycle at ${address}`);
    seen.add(address);
    const body = byAddress(address);
    const parent = parseReference(body.parent_id);
    const part = String(body.path_part);
    if (!parent) throw new StackModelError(`${file}: ${address}.parent_id is not a reference`);
    if (parent.attr === 'root_resource_id') return `/${part}`;
    return `${pathOf(parent.address, seen)}/${part}`;
  };
  const resourcePathOf = (value: unknown): string => {
    const ref = parseReference(value);
    if (!ref) throw new StackModelError(`${file}: resource_id ${JSON.stringify(value)} is not a reference`);
    if (ref.attr === 'root_resource_id') return '/';
    if (ref.address.startsWith('aws_api_gateway_method.')) return resourcePathOf(byAddress(ref.address).resource_id);
    return pathOf(ref.address);
  };
  const methodKey = (resourceId: unknown, httpMethod: unknown): string => {
    const ref = parseReference(httpMethod);
    const verb = ref ? String(byAddress(ref.address).http_method) : String(httpMethod);
    return `${verb} ${resourcePathOf(resourceId)}`;
  };

  const functionAddressOf = (uri: unknown): string | undefined => {
    const ref = parseReference(uri);
    if (ref?.address.startsWith('aws_lambda_function.')) return ref.address;
    // `arn:...:apigateway:<region>:lambda:path/2015-03-31/functions/${aws_lambda_function.x.arn}/invocations`
    const inner = typeof uri === 'string' ? /\$\{(aws_lambda_function\.[A-Za-z0-9_-]+)\.(?:arn|invoke_arn|qualified_arn)\}/.exec(uri) : null;
    return inner?.[1];
  };

  const functions = new Map<string, LambdaFunctionModel>();
  for (const { address, body } of of('aws_lambda_function')) {
    if (typeof body.filename !== 'string') continue;
    const variables = ((body.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}) as Record<string, string>;
    functions.set(address, {
      address,
      functionName: String(body.function_name),
      handler: String(body.handler ?? 'index.handler'),
      archive: path.resolve(dir, body.filename),
      timeoutSeconds: Number(body.timeout ?? 3),
      memoryMb: Number(body.memory_size ?? 128),
      environment: variables,
    });
  }

  const authorizers = new Map<string, AuthorizerModel>();
  for (const { address, body } of of('aws_api_gateway_authorizer')) {
    const functionAddress = functionAddressOf(body.authorizer_uri);
    if (!functionAddress) throw new StackModelError(`${file}: ${address}.authorizer_uri names no Lambda function of the stack`);
    authorizers.set(address, {
      address,
      name: String(body.name),
      type: String(body.type ?? 'TOKEN'),
      identitySource: String(body.identity_source ?? 'method.request.header.Authorization'),
      ...(typeof body.identity_validation_expression === 'string' ? { identityValidationExpression: body.identity_validation_expression } : {}),
      // API Gateway's default when unset: 300 s.
      ttlSeconds: body.authorizer_result_ttl_in_seconds === undefined ? 300 : Number(body.authorizer_result_ttl_in_seconds),
      functionAddress,
    });
  }

  const models = new Map<string, unknown>();
  for (const { address, body } of of('aws_api_gateway_model')) models.set(address, JSON.parse(String(body.schema)));
  const validators = new Map(of('aws_api_gateway_request_validator').map(({ address, body }) => [address, body]));

  const responsesByMethod = new Map<string, IntegrationResponseModel[]>();
  for (const { body } of of('aws_api_gateway_integration_response')) {
    const key = methodKey(body.resource_id, body.http_method);
    const list = responsesByMethod.get(key) ?? [];
    list.push({
      statusCode: String(body.status_code),
      ...(typeof body.selection_pattern === 'string' && body.selection_pattern !== '' ? { selectionPattern: body.selection_pattern } : {}),
      responseParameters: (body.response_parameters ?? {}) as Record<string, string>,
      responseTemplates: (body.response_templates ?? {}) as Record<string, string>,
    });
    responsesByMethod.set(key, list);
  }
  const integrations = new Map<string, IntegrationModel>();
  for (const { body } of of('aws_api_gateway_integration')) {
    const key = methodKey(body.resource_id, body.http_method);
    const functionAddress = body.type === 'AWS_PROXY' ? functionAddressOf(body.uri) : undefined;
    integrations.set(key, {
      type: String(body.type) as IntegrationModel['type'],
      uri: String(body.uri ?? ''),
      ...(body.integration_http_method ? { httpMethod: String(body.integration_http_method) } : {}),
      ...(body.passthrough_behavior ? { passthroughBehavior: String(body.passthrough_behavior) } : {}),
      requestParameters: (body.request_parameters ?? {}) as Record<string, string>,
      requestTemplates: (body.request_templates ?? {}) as Record<string, string>,
      timeoutMs: Number(body.timeout_milliseconds ?? 29000),
      responses: responsesByMethod.get(key) ?? [],
      ...(functionAddress ? { functionAddress } : {}),
    });
  }

  const routes: Route[] = [];
  for (const { address, body } of of('aws_api_gateway_method')) {
    const resourcePath = resourcePathOf(body.resource_id);
    const httpMethod = String(body.http_method);
    const requestModels: Record<string, unknown> = {};
    for (const [contentType, ref] of Object.entries((body.request_models ?? {}) as Record<string, string>)) {
      const modelRef = parseReference(ref);
      if (modelRef && models.has(modelRef.address)) requestModels[contentType] = models.get(modelRef.address);
    }
    const validatorRef = parseReference(body.request_validator_id);
    const validator = validatorRef ? validators.get(validatorRef.address) : undefined;
    const authorizerRef = parseReference(body.authorizer_id);
    if (body.authorization === 'CUSTOM' && (!authorizerRef || !authorizers.has(authorizerRef.address))) {
      throw new StackModelError(`${file}: ${address} uses a CUSTOM authorizer the stack does not define`);
    }
    const integration = integrations.get(`${httpMethod} ${resourcePath}`);
    routes.push({
      httpMethod,
      resourcePath,
      authorization: String(body.authorization ?? 'NONE'),
      ...(authorizerRef ? { authorizerAddress: authorizerRef.address } : {}),
      apiKeyRequired: body.api_key_required === true,
      requestModels,
      validateBody: validator?.validate_request_body === true,
      ...(integration ? { integration } : {}),
    });
  }
  routes.sort((a, b) => (a.resourcePath + a.httpMethod).localeCompare(b.resourcePath + b.httpMethod));

  const gatewayResponses = new Map<string, GatewayResponseModel>();
  for (const { body } of of('aws_api_gateway_gateway_response')) {
    gatewayResponses.set(String(body.response_type), {
      responseType: String(body.response_type),
      ...(body.status_code ? { statusCode: String(body.status_code) } : {}),
      responseParameters: (body.response_parameters ?? {}) as Record<string, string>,
      responseTemplates: (body.response_templates ?? {}) as Record<string, string>,
    });
  }

  const apiKeys = new Map<string, ApiKeyModel>();
  const keyAddressToValue = new Map<string, string>();
  for (const { address, body } of of('aws_api_gateway_api_key')) {
    if (typeof body.value !== 'string') continue;
    apiKeys.set(body.value, { address, name: String(body.name), value: body.value, enabled: body.enabled !== false });
    keyAddressToValue.set(address, body.value);
  }
  const planKeys = new Map<string, string[]>();
  for (const { body } of of('aws_api_gateway_usage_plan_key')) {
    const plan = parseReference(body.usage_plan_id)?.address;
    const key = parseReference(body.key_id)?.address;
    if (plan && key) planKeys.set(plan, [...(planKeys.get(plan) ?? []), key]);
  }
  const ownPlans = of('aws_api_gateway_usage_plan');
  // Shards: keys, own plans and links, addressed `<shard stack>:<address>` (addresses repeat across stacks).
  const tierPlans = (json.output?.tier_usage_plan_ids?.value ?? {}) as Record<string, unknown>;
  for (const shardDir of options.shardDirs ?? []) {
    const shardFile = path.join(shardDir, 'cdk.tf.json');
    const shard = (JSON.parse(readFileSync(shardFile, 'utf8')) as { resource?: Resources }).resource ?? {};
    const stack = path.basename(shardDir);
    const ofShard = (type: string) => Object.entries(shard[type] ?? {}).map(([name, body]) => ({ address: `${stack}:${type}.${name}`, body }));
    for (const { address, body } of ofShard('aws_api_gateway_api_key')) {
      if (typeof body.value !== 'string') continue;
      apiKeys.set(body.value, { address, name: String(body.name), value: body.value, enabled: body.enabled !== false });
    }
    ownPlans.push(...ofShard('aws_api_gateway_usage_plan'));
    for (const { body } of ofShard('aws_api_gateway_usage_plan_key')) {
      const tier = /^\$\{data\.terraform_remote_state\.core\.outputs\.tier_usage_plan_ids\.([\w-]+)\}$/.exec(String(body.usage_plan_id))?.[1];
      const own = parseReference(body.usage_plan_id)?.address;
      const plan = tier !== undefined ? parseReference(tierPlans[tier])?.address : own !== undefined ? `${stack}:${own}` : undefined;
      const key = parseReference(body.key_id)?.address;
      if (plan === undefined || key === undefined) throw new StackModelError(`${shardFile}: usage plan link ${String(body.usage_plan_id)} names no plan of the core stack or the shard`);
      planKeys.set(plan, [...(planKeys.get(plan) ?? []), `${stack}:${key}`]);
    }
  }
  const usagePlans: UsagePlanModel[] = ownPlans.map(({ address, body }) => {
    const throttle = body.throttle_settings as { rate_limit?: number; burst_limit?: number } | undefined;
    const quota = body.quota_settings as { limit?: number; period?: string; offset?: number } | undefined;
    return {
      address,
      name: String(body.name),
      ...(throttle ? { throttle: { rateLimit: Number(throttle.rate_limit ?? 0), burstLimit: Number(throttle.burst_limit ?? 0) } } : {}),
      ...(quota ? { quota: { limit: Number(quota.limit), period: String(quota.period) as 'DAY' | 'WEEK' | 'MONTH', offset: Number(quota.offset ?? 0) } } : {}),
      keyAddresses: planKeys.get(address) ?? [],
    };
  });

  // ---- Bedrock model invocation logging and its subscription filters ----
  const facts = options.accountFacts ?? EMULATOR_ACCOUNT_FACTS;
  /** A value as deployed: `${aws_x.y.attr}` of a literal attribute, and the account facts, substituted. */
  const resolve = (what: string, value: unknown): string => {
    if (typeof value !== 'string') throw new StackModelError(`${file}: ${what} is not a string`);
    const resolved = value.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (whole, type: string, name: string, attr: string) => {
      if (type === 'aws_partition' || type === 'aws_caller_identity') return whole;
      const literal = resources[type]?.[name]?.[attr];
      return typeof literal === 'string' && !literal.includes('${') ? literal : whole;
    }).replace(/\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}/g, facts.partition).replace(/\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id\}/g, facts.accountId);
    const left = /\$\{[^}]*\}/.exec(resolved);
    if (left) throw new StackModelError(`${file}: ${what} refers to ${left[0]}, which is only known after apply; the local gateway cannot serve it`);
    return resolved;
  };
  const loggingConfigs = of('aws_bedrock_model_invocation_logging_configuration');
  if (loggingConfigs.length > 1) throw new StackModelError(`${file}: ${loggingConfigs.length} model invocation logging configurations; an account and region has one`);
  const cloudwatchConfig = (loggingConfigs[0]?.body.logging_config as { cloudwatch_config?: { log_group_name?: unknown } } | undefined)?.cloudwatch_config;
  const outputGroup = json.output?.invocation_log_group_name?.value;
  const logGroupName =
    cloudwatchConfig?.log_group_name !== undefined
      ? resolve(`${loggingConfigs[0].address}.logging_config.cloudwatch_config.log_group_name`, cloudwatchConfig.log_group_name)
      : outputGroup !== undefined
        ? resolve('output invocation_log_group_name', outputGroup)
        : undefined;
  const invocationLogging: InvocationLoggingModel | undefined =
    logGroupName === undefined
      ? undefined
      : {
          logGroupName,
          configuredByStack: cloudwatchConfig?.log_group_name !== undefined,
          subscriptionFilters: of('aws_cloudwatch_log_subscription_filter')
            // A filter on another group (whose name may be known only after apply) is not this one's.
            .filter(({ address, body }) => {
              try {
                return resolve(`${address}.log_group_name`, body.log_group_name) === logGroupName;
              } catch {
                return false;
              }
            })
            .map(({ address, body }) => {
              const destination = functionAddressOf(body.destination_arn);
              return { name: resolve(`${address}.name`, body.name), filterPattern: resolve(`${address}.filter_pattern`, body.filter_pattern ?? ''), ...(destination ? { destinationAddress: destination } : {}) };
            }),
        };
  const roleNames = new Set(
    of('aws_api_gateway_integration')
      .filter(({ body }) => body.type === 'AWS' && body.credentials !== undefined)
      .map(({ address, body }) => {
        const ref = parseReference(body.credentials);
        if (!ref || !ref.address.startsWith('aws_iam_role.') || ref.attr !== 'arn') throw new StackModelError(`${file}: ${address}.credentials ${JSON.stringify(body.credentials)} is not one of the stack's roles`);
        return resolve(`${ref.address}.name`, byAddress(ref.address).name);
      }),
  );
  if (roleNames.size > 1) throw new StackModelError(`${file}: the AWS integrations call with ${roleNames.size} roles (${[...roleNames].join(', ')}); the local gateway serves one`);
  const [integrationRoleName] = roleNames;

  const accessLog = stage.access_log_settings as { format?: string } | undefined;
  const region = json.provider?.aws?.[0]?.region;
  return {
    dir,
    restApiName: String(api.body.name),
    region: typeof region === 'string' ? region : 'us-east-1',
    stageName: String(stage.stage_name),
    routes,
    authorizers,
    gatewayResponses,
    usagePlans,
    apiKeys,
    ...(accessLog?.format ? { accessLogFormat: accessLog.format } : {}),
    functions,
    ...(invocationLogging ? { invocationLogging } : {}),
    ...(integrationRoleName !== undefined ? { integrationRoleName } : {}),
  };
}
