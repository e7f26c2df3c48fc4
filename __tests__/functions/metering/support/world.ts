/**
 * A metering world on the emulator: a ledger table, API keys, an SNS topic, real AWS SDK clients
 * on moto_server (127.0.0.1), and documented-shape invocation log records.
 */
import { randomUUID } from 'node:crypto';
import { APIGatewayClient, CreateApiKeyCommand, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { encodeStampValue } from '../../../../functions/shared/tenant-stamp';
import type { MeteringSettings } from '../../../../functions/metering/settings';
import { oneRequestAtATime } from '../../../../local-gateway/emulator-serial';
import { EMULATOR_SDK_CREDENTIALS, startMoto, type MotoServer } from '../../../../scripts/lib/moto';

export const REGION = 'us-east-1';

export interface Emulator {
  readonly moto: MotoServer;
  readonly dynamodb: DynamoDBClient;
  readonly apiGateway: APIGatewayClient;
  readonly sns: SNSClient;
}

export async function startEmulator(): Promise<Emulator> {
  const moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: REGION, credentials: EMULATOR_SDK_CREDENTIALS };
  // moto does not make concurrent writes atomic; DynamoDB does (see emulator-serial.ts).
  return { moto, dynamodb: oneRequestAtATime(new DynamoDBClient(config)), apiGateway: new APIGatewayClient(config), sns: new SNSClient(config) };
}

/** A fresh ledger table (the stack's key schema) with one API key per tenant and its KEY item. */
export async function createLedger(emulator: Emulator, tenants: readonly string[], options: { disabledKeys?: readonly string[] } = {}) {
  const table = `ledger-${randomUUID().slice(0, 8)}`;
  await emulator.dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  const keys: Record<string, string> = {};
  for (const tenant of tenants) {
    const key = await emulator.apiGateway.send(new CreateApiKeyCommand({ name: `${table}-${tenant}`, enabled: !options.disabledKeys?.includes(tenant) }));
    keys[tenant] = key.id!;
    await emulator.dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `T#${tenant}` }, sk: { S: 'KEY' }, apiKeyId: { S: key.id! } } }));
  }
  const topic = await emulator.sns.send(new CreateTopicCommand({ Name: `${table}-alerts` }));
  return { table, keys, topicArn: topic.TopicArn! };
}

export async function keyEnabled(emulator: Emulator, id: string): Promise<boolean> {
  return (await emulator.apiGateway.send(new GetApiKeyCommand({ apiKey: id }))).enabled === true;
}

/** Numbers of one ledger item (absent fields are 0; undefined when there is no item). */
export async function ledgerItem(emulator: Emulator, table: string, pk: string, sk: string): Promise<Record<string, number | string> | undefined> {
  const out = await emulator.dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
  if (!out.Item) return undefined;
  return Object.fromEntries(Object.entries(out.Item).map(([k, v]: [string, AttributeValue]) => [k, v.N !== undefined ? Number(v.N) : (v.S ?? JSON.stringify(v))]));
}

export interface RecordOptions {
  readonly tenant?: string | null;
  readonly env?: string | null;
  readonly model?: string;
  readonly input?: number;
  readonly output?: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly errorCode?: string;
  readonly timestamp?: string;
  readonly operation?: string;
  readonly requestId?: string;
}

let requestCounter = 0;

/**
 * A model invocation log record as Bedrock writes it with text data delivery off
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html): no bodies,
 * token counts, the gateway's stamp in requestMetadata.
 */
export function invocationRecord(options: RecordOptions = {}): Record<string, unknown> {
  const metadata: Record<string, string> = { 'client-trace': 'abc' };
  const env = options.env === undefined ? 'test' : options.env;
  const tenant = options.tenant === undefined ? 'acme' : options.tenant;
  if (env !== null) metadata['gw-env'] = encodeStampValue(env);
  if (tenant !== null) metadata['gw-tenant'] = encodeStampValue(tenant);
  metadata['gw-request-id'] = options.requestId ?? `req-${++requestCounter}`;
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: options.timestamp ?? '2026-12-01T10:00:00Z',
    accountId: '123456789012',
    identity: { arn: 'arn:aws:sts::123456789012:assumed-role/bedrock-gw-test-bedrock-invoke/BackplaneAssumeRoleSession' },
    region: REGION,
    requestId: options.requestId ?? `bedrock-${requestCounter}`,
    operation: options.operation ?? 'Converse',
    modelId: options.model ?? 'model.priced-v1',
    input: {
      inputContentType: 'application/json',
      inputTokenCount: options.input ?? 100,
      ...(options.cacheRead !== undefined ? { cacheReadInputTokenCount: options.cacheRead } : {}),
      ...(options.cacheWrite !== undefined ? { cacheWriteInputTokenCount: options.cacheWrite } : {}),
    },
    output: { outputContentType: 'application/json', outputTokenCount: options.output ?? 50 },
    requestMetadata: metadata,
    inferenceRegion: REGION,
    ...(options.errorCode ? { errorCode: options.errorCode } : {}),
  };
}

/** 10:00 UTC on Tuesday 2026-12-01. */
export const NOW = Date.parse('2026-12-01T10:00:00Z');

/** Settings for tests: acme (1,000 tokens a day, alerts at 50% and 80%), globex ($0.01 a week), hooli (no budget), initech (disabled in config). */
export function testSettings(overrides: Partial<MeteringSettings> = {}): MeteringSettings {
  return {
    environment: 'test',
    models: {
      // $1 in / $2 out / $0.1 cache read / $1.25 cache write per million tokens.
      'model.priced-v1': { input: 1000, output: 2000, cacheRead: 100, cacheWrite: 1250 },
      'us.model.profile-v1:0': { input: 3000, output: 15000, cacheRead: 300, cacheWrite: 3750 },
      'model.unpriced-v1': null,
    },
    tenants: {
      acme: { tier: 'gold', enabled: true, budget: { period: 'DAY', tokens: { limit: 1000, count: 'total' }, alertThresholds: [0.5, 0.8] } },
      globex: { tier: 'silver', enabled: true, budget: { period: 'WEEK', costNanoUsd: 10_000_000, alertThresholds: [0.8] } },
      hooli: { tier: 'bronze', enabled: true },
      initech: { tier: 'silver', enabled: false, budget: { period: 'DAY', tokens: { limit: 10, count: 'total' }, alertThresholds: [0.8] } },
    },
    unpricedModel: 'count-tokens',
    keepPeriods: 3,
    ...overrides,
  };
}
