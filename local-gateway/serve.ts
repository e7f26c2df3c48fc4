/**
 * Serves a deployed emulator stack: the development IdP (on the port its issuers were
 * synthesized with), the Bedrock stand-in (invocation logs to the emulator's CloudWatch Logs) and
 * the local gateway (API key states read from the emulator's API Gateway). Used by `npm start`
 * and the end-to-end tests, so both run exactly the same thing.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { EMULATOR_CREDENTIALS } from '../stacks/constructs/provider-and-backend';
import { S3_ENDPOINT_ENV, TENANT_TABLE_BUCKET_ENV } from '../functions/authorizer/tenant-table-bucket';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildMeteringSettings } from '../gateway-config/budgets';
import { createMeteringHandler } from '../functions/metering/meter';
import { BedrockStandIn, subscriptionFilterEvent, type InvocationLogRecord, type StandInOptions } from './bedrock-stand-in';
import { DevIdpServer, developmentIdpUrl } from './dev-idp';
import { LocalGateway } from './server';
import { loadStackModel } from './stack-model';
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
  readonly verifyRequest?: StandInOptions['verifyRequest'];
  /** Invocation log group. @default /aws/bedrock/modelinvocations */
  readonly invocationLogGroup?: string;
  /**
   * The stack's token ledger table (output `token_ledger_table_name`): when set, every invocation
   * log record is delivered to the metering handler, in process, as a subscription filter delivers
   * it (one batch per record), so a tenant over budget has its key disabled before its next request.
   */
  readonly meteringLedgerTable?: string;
}

export interface ServedGateway {
  readonly gateway: LocalGateway;
  readonly standIn: BedrockStandIn;
  readonly idp: DevIdpServer;
  /** Base URL clients use as their Bedrock Runtime endpoint. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function serveLocalGateway(options: ServeOptions): Promise<ServedGateway> {
  const { environment } = options;
  const clientConfig = { endpoint: options.emulatorEndpoint, region: environment.region, credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKey, secretAccessKey: EMULATOR_CREDENTIALS.secretKey } };
  const apigateway = new APIGatewayClient(clientConfig);
  const logs = new CloudWatchLogsClient(clientConfig);
  const idpUrl = new URL(developmentIdpUrl(environment));
  const idp = new DevIdpServer(options.config.identityProviders.map((p) => p.id));
  const dynamodb = options.meteringLedgerTable !== undefined ? new DynamoDBClient(clientConfig) : undefined;
  const meter =
    dynamodb && options.meteringLedgerTable !== undefined
      ? createMeteringHandler(buildMeteringSettings(options.config, environment), { dynamodb, apiGateway: apigateway, tableName: options.meteringLedgerTable })
      : undefined;
  const onInvocationLog = async (record: InvocationLogRecord) => {
    await options.onInvocationLog?.(record);
    if (meter) await meter(subscriptionFilterEvent([record], { ...(options.invocationLogGroup ? { logGroup: options.invocationLogGroup } : {}) }));
  };
  const standIn = new BedrockStandIn({
    region: environment.region,
    invocationLogs: { client: logs, ...(options.invocationLogGroup ? { groupName: options.invocationLogGroup } : {}) },
    ...(options.onInvocationLog || meter ? { onInvocationLog } : {}),
    ...(options.verifyRequest ? { verifyRequest: options.verifyRequest } : {}),
  });
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    await idp.start(Number(idpUrl.port)).catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        err.code === 'EADDRINUSE'
          ? `the development IdP's port ${idpUrl.port} (emulator.developmentIdp.url of ${environment.name}) is in use: stop what listens there, or set GATEWAY_DEV_IDP_URL to another loopback URL and deploy again`
          : err.message,
      );
    });
    started.push(idp);
    await standIn.start();
    started.push(standIn);
    const gateway = new LocalGateway(loadStackModel(options.stackDir, options.shards ? { shardDirs: options.shards.stackDirs } : {}), {
      ...(options.shards ? { authorizerEnvironment: shardedAuthorizerEnvironment(options.shards.tenantTableBucket, options.emulatorEndpoint, environment.region) } : {}),
      bedrockEndpoint: standIn.endpoint,
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
