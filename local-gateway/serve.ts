/**
 * Serves a deployed emulator stack: the development IdP (on the port its issuers were
 * synthesized with), the Bedrock stand-in (invocation logs to the emulator's CloudWatch Logs) and
 * the local gateway (API key states read from the emulator's API Gateway). For AWS_PROXY routes
 * (integration mode `forwarder`) the function runs with a session of its execution role assumed on
 * the emulator, and the stand-in verifies the SigV4 signature of every call. Used by `npm start`
 * and the end-to-end tests, so both run exactly the same thing.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { EMULATOR_CREDENTIALS } from '../stacks/constructs/provider-and-backend';
import { S3_ENDPOINT_ENV, TENANT_TABLE_BUCKET_ENV } from '../functions/authorizer/tenant-table-bucket';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildMeteringSettings } from '../gateway-config/budgets';
import { createMeteringHandler } from '../functions/metering/meter';
import { BedrockStandIn, subscriptionFilterEvent, type InvocationLogRecord, type StandInOptions } from './bedrock-stand-in';
import { DevIdpServer, developmentIdpUrl } from './dev-idp';
import { oneRequestAtATime } from './emulator-serial';
import { lambdaEnvironment, type FunctionCredentials } from './lambda-bundle';
import { LocalGateway } from './server';
import { bedrockSigV4Check, type SigV4Credentials, type SigV4Result } from './sigv4-verify';
import { compileFilterPattern } from './filter-pattern';
import { EMULATOR_ACCOUNT_FACTS, loadStackModel, type LambdaFunctionModel, type StackModel } from './stack-model';
import { EmulatorApiKeyStates } from './usage-plans';

export interface ServeOptions {
  readonly config: GatewayConfig;
  readonly environment: Environment;
  /** The synthesized stack directory (`cdktf.out/stacks/gateway-<env>`). */
  readonly stackDir: string;
  /**
   * Sharded environments: the shard stacks' directories (their keys and plans are served too) and
   * the deployed tenant table bucket (the core's output `tenant_table_bucket`), which the
   * authorizer reads from the emulator's S3.
   */
  readonly shards?: { readonly stackDirs: readonly string[]; readonly tenantTableBucket: string };
  /** Emulator endpoint the stack was deployed to. */
  readonly emulatorEndpoint: string;
  /** The deployed REST API id (put in method ARNs). */
  readonly restApiId: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  readonly onAccessLog?: (line: string) => void;
  readonly onInvocationLog?: (record: InvocationLogRecord) => void | Promise<void>;
  /** The stand-in's check of each request. @default the SigV4 check when the stack has AWS_PROXY routes, else none */
  readonly verifyRequest?: StandInOptions['verifyRequest'];
  /**
   * The stack's token ledger table (output `token_ledger_table_name`): when set, each invocation
   * log record the stack's subscription filter pattern passes is delivered to the metering handler,
   * in process, as the subscription filter delivers it (one batch per record), so a tenant over
   * budget has its key disabled before its next request. Records the pattern drops are not metered.
   */
  readonly meteringLedgerTable?: string;
  /**
   * A development IdP already serving (another environment's, on the same URL): used as is, and
   * neither started nor stopped here. @default one started on the environment's URL
   */
  readonly idp?: DevIdpServer;
}

/**
 * What an AWS_PROXY function (the forwarder) signs its Bedrock calls with, and what the stand-in
 * made of each signature.
 */
export interface ServedSigning {
  /** The credentials the stand-in accepts (the functions' role sessions); read on every request. */
  readonly accepted: SigV4Credentials[];
  /** Each function's role session, by function name. */
  readonly sessions: ReadonlyMap<string, FunctionCredentials & { readonly assumedRoleArn: string }>;
  /** The stand-in's verdict on every request, newest last. */
  readonly verdicts: SigV4Result[];
}

export interface ServedGateway {
  readonly gateway: LocalGateway;
  readonly standIn: BedrockStandIn;
  readonly idp: DevIdpServer;
  /** Base URL clients use as their Bedrock Runtime endpoint. */
  readonly endpoint: string;
  /** Present when the stack has AWS_PROXY integrations (integration mode `forwarder`). */
  readonly signing?: ServedSigning;
  stop(): Promise<void>;
}

/** The functions AWS_PROXY integrations name (the forwarder), each once. */
export function proxyFunctionsOf(stack: StackModel): LambdaFunctionModel[] {
  const addresses = new Set(stack.routes.flatMap((r) => (r.integration?.type === 'AWS_PROXY' && r.integration.functionAddress ? [r.integration.functionAddress] : [])));
  return [...addresses].flatMap((a) => stack.functions.get(a) ?? []);
}

/**
 * Lambda runs a function with temporary credentials of its execution role (a session named after
 * the function). Locally: the function's role as deployed on the emulator (GetFunction), assumed
 * there (STS AssumeRole), so the function signs with a session of its own role, as on AWS.
 */
async function assumeFunctionRoles(functions: readonly LambdaFunctionModel[], clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }): Promise<Map<string, FunctionCredentials & { assumedRoleArn: string }>> {
  const sessions = new Map<string, FunctionCredentials & { assumedRoleArn: string }>();
  if (functions.length === 0) return sessions;
  const lambda = new LambdaClient(clientConfig);
  const sts = new STSClient(clientConfig);
  try {
    for (const fn of functions) {
      const role = (await lambda.send(new GetFunctionCommand({ FunctionName: fn.functionName }))).Configuration?.Role;
      if (!role) throw new Error(`function ${fn.functionName} on the emulator has no execution role`);
      const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: fn.functionName }));
      const c = assumed.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`the emulator's STS gave no credentials for ${role}`);
      sessions.set(fn.functionName, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), assumedRoleArn: assumed.AssumedRoleUser?.Arn ?? role });
    }
  } finally {
    lambda.destroy();
    sts.destroy();
  }
  return sessions;
}

export async function serveLocalGateway(options: ServeOptions): Promise<ServedGateway> {
  const { environment } = options;
  const clientConfig = { endpoint: options.emulatorEndpoint, region: environment.region, credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKey, secretAccessKey: EMULATOR_CREDENTIALS.secretKey } };
  const apigateway = new APIGatewayClient(clientConfig);
  const logs = new CloudWatchLogsClient(clientConfig);
  const idpUrl = new URL(developmentIdpUrl(environment));
  const idp = options.idp ?? new DevIdpServer(options.config.identityProviders.map((p) => p.id));
  const stack = loadStackModel(options.stackDir, options.shards ? { shardDirs: options.shards.stackDirs } : {});
  // Integration mode `forwarder`: the function signs with its role's session; the stand-in
  // verifies every signature (signing name bedrock, the environment's region) and refuses a bad
  // one as Bedrock would. The direct mode's calls are not signed locally (docs/local-gateway.md).
  const proxyFunctions = proxyFunctionsOf(stack);
  const sessions = await assumeFunctionRoles(proxyFunctions, clientConfig).catch((err: Error) => {
    apigateway.destroy();
    logs.destroy();
    throw new Error(`cannot give the forwarder its role's credentials: ${err.message}`);
  });
  const signing: ServedSigning | undefined =
    proxyFunctions.length > 0 ? { accepted: [...sessions.values()].map(({ accessKeyId, secretAccessKey }) => ({ accessKeyId, secretAccessKey })), sessions, verdicts: [] } : undefined;
  // Requests served concurrently meter concurrently; the emulator needs its writes one at a time.
  const dynamodb = options.meteringLedgerTable !== undefined ? oneRequestAtATime(new DynamoDBClient(clientConfig)) : undefined;
  const meter =
    dynamodb && options.meteringLedgerTable !== undefined
      ? createMeteringHandler(buildMeteringSettings(options.config, environment), { dynamodb, apiGateway: apigateway, tableName: options.meteringLedgerTable })
      : undefined;
  // Records go where the stack's invocation logging writes them (else the default group), and reach
  // the metering handler only if the stack's subscription filter pattern passes them.
  const logGroup = stack.invocationLogging?.logGroupName;
  const subscription = meter ? meteringSubscription(stack) : undefined;
  const onInvocationLog = async (record: InvocationLogRecord) => {
    await options.onInvocationLog?.(record);
    if (meter && subscription?.passes(JSON.stringify(record))) {
      await meter(subscriptionFilterEvent([record], { logGroup: subscription.logGroup, filterName: subscription.name }));
    }
  };
  const standIn = new BedrockStandIn({
    region: environment.region,
    accountId: EMULATOR_ACCOUNT_FACTS.accountId,
    invocationLogs: { client: logs, ...(logGroup !== undefined ? { groupName: logGroup } : {}) },
    ...(options.onInvocationLog || meter ? { onInvocationLog } : {}),
    ...(options.verifyRequest
      ? { verifyRequest: options.verifyRequest }
      : signing
        ? { verifyRequest: bedrockSigV4Check({ credentials: signing.accepted, service: 'bedrock', region: environment.region, verdicts: signing.verdicts }) }
        : {}),
    // Bedrock's invocation log names the caller: the forwarder's role session in that mode, a
    // session of the integration's credentials role in the direct mode.
    ...(sessions.size > 0
      ? { identityArn: [...sessions.values()][0].assumedRoleArn }
      : stack.integrationRoleName !== undefined
        ? { identityArn: integrationRoleSessionArn(stack.integrationRoleName) }
        : {}),
  });
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    if (!options.idp) {
      await idp.start(Number(idpUrl.port)).catch((err: NodeJS.ErrnoException) => {
        throw new Error(
          err.code === 'EADDRINUSE'
            ? `the development IdP's port ${idpUrl.port} (emulator.developmentIdp.url of ${environment.name}) is in use: stop what listens there, or set GATEWAY_DEV_IDP_URL to another loopback URL and deploy again`
            : err.message,
        );
      });
      started.push(idp);
    }
    await standIn.start();
    started.push(standIn);
    const bedrockEndpoint = standIn.endpoint;
    const gateway = new LocalGateway(stack, {
      ...(options.shards ? { authorizerEnvironment: shardedAuthorizerEnvironment(options.shards.tenantTableBucket, options.emulatorEndpoint, environment.region) } : {}),
      bedrockEndpoint,
      // A proxy function runs with Lambda's variables, its role session and, since it is not on
      // AWS, GATEWAY_BEDROCK_ENDPOINT = the stand-in (loopback only; the forwarder refuses others).
      proxyFunctionEnvironment: (fn) => lambdaEnvironment(fn, environment.region, sessions.get(fn.functionName), { GATEWAY_BEDROCK_ENDPOINT: bedrockEndpoint, ...sdkQuiet() }),
      apiKeyStates: new EmulatorApiKeyStates(apigateway),
      restApiId: options.restApiId,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.onAccessLog ? { onAccessLog: options.onAccessLog } : {}),
    });
    await gateway.start();
    started.push(gateway);
    return {
      gateway,
      standIn,
      idp,
      endpoint: gateway.endpoint,
      ...(signing ? { signing } : {}),
      stop: async () => {
        for (const part of started.reverse()) await part.stop();
        apigateway.destroy();
        logs.destroy();
        dynamodb?.destroy();
      },
    };
  } catch (err) {
    for (const part of started.reverse()) await part.stop();
    apigateway.destroy();
    logs.destroy();
    dynamodb?.destroy();
    throw err;
  }
}

/**
 * The session name API Gateway gives its credentials role's sessions is not documented; the stack's
 * subscription filter pattern matches any session of the role (`assumed-role/<role>/*`).
 */
export const INTEGRATION_ROLE_SESSION = 'local-gateway';

/** The caller Bedrock logs for an AWS integration calling with `credentials` = the role (emulator account). */
export function integrationRoleSessionArn(roleName: string): string {
  return `arn:${EMULATOR_ACCOUNT_FACTS.partition}:sts::${EMULATOR_ACCOUNT_FACTS.accountId}:assumed-role/${roleName}/${INTEGRATION_ROLE_SESSION}`;
}

/**
 * The subscription filter that feeds the metering function: the stack's one filter on its
 * invocation log group, its pattern compiled (syntax the local gateway does not implement fails here).
 */
export function meteringSubscription(stack: StackModel): { readonly name: string; readonly logGroup: string; readonly passes: (message: string) => boolean } {
  const logging = stack.invocationLogging;
  if (!logging) throw new Error(`stack ${stack.dir} has no model invocation logging (no logging configuration, no output invocation_log_group_name): there is nothing to meter`);
  if (logging.subscriptionFilters.length !== 1) {
    throw new Error(`stack ${stack.dir}: the invocation log group ${logging.logGroupName} has ${logging.subscriptionFilters.length} subscription filters; metering locally needs exactly one`);
  }
  const [filter] = logging.subscriptionFilters;
  return { name: filter.name, logGroup: logging.logGroupName, passes: compileFilterPattern(filter.filterPattern) };
}

/**
 * The SDK's Node.js version notice, if the serving process turned it off: a display setting, not
 * a credential, passed on so a function's worker prints what its server would.
 */
function sdkQuiet(): Record<string, string> {
  const value = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  return value === undefined ? {} : { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: value };
}

/**
 * The cold-start environment of a sharded environment's authorizer on the emulator: its bucket, the
 * emulator's S3 (a loopback URL, which the function accepts as `GATEWAY_S3_ENDPOINT`) and the
 * emulator's dummy credentials, never the developer's own (no session token of theirs is sent).
 */
export function shardedAuthorizerEnvironment(bucket: string, emulatorEndpoint: string, region: string): Record<string, string> {
  return {
    [TENANT_TABLE_BUCKET_ENV]: bucket,
    [S3_ENDPOINT_ENV]: emulatorEndpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKey,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretKey,
    AWS_SESSION_TOKEN: '',
  };
}

/** The SDK example `npm start` prints (the end-to-end test runs it as printed). */
export function sdkExample(endpoint: string, token: string, modelId: string): string {
  return [
    "const { BedrockRuntimeClient, ConverseCommand } = require('@aws-sdk/client-bedrock-runtime');",
    `const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: '${endpoint}', token: { token: '${token}' }, authSchemePreference: ['httpBearerAuth'] });`,
    `client.send(new ConverseCommand({ modelId: '${modelId}', messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }))`,
    '  .then((r) => console.log(r.output.message.content[0].text), (e) => { console.error(e.name, e.message); process.exitCode = 1; });',
  ].join('\n');
}

/** The curl example `npm start` prints. */
export function curlExample(endpoint: string, token: string, modelId: string): string {
  return `curl -s -X POST '${endpoint}/model/${encodeURIComponent(modelId)}/converse' -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' -d '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}'`;
}
