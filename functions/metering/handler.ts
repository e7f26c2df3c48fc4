/** Lambda handler: AWS clients built once per container, settings bundled at synth. */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { createMeteringHandler } from './meter';
import type { MeteringSettings } from './settings';

/** Environment variables the stack sets on the metering and reset functions. */
export const METERING_ENV = { table: 'LEDGER_TABLE', alertTopic: 'ALERT_TOPIC_ARN' } as const;

export function meteringHandlerFromEnvironment(settings: MeteringSettings) {
  const tableName = process.env[METERING_ENV.table];
  if (!tableName) throw new Error(`${METERING_ENV.table} is not set`);
  const topic = process.env[METERING_ENV.alertTopic];
  return createMeteringHandler(settings, {
    dynamodb: new DynamoDBClient({}),
    apiGateway: new APIGatewayClient({}),
    tableName,
    ...(topic ? { sns: new SNSClient({}), alertTopicArn: topic } : {}),
  });
}
