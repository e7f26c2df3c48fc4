/** Lambda entry point of the reset function (same bundled settings as the metering function). */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import settings from 'gateway:metering-settings';
import { METERING_ENV } from './handler';
import { createResetHandler } from './reset';

const tableName = process.env[METERING_ENV.table];
if (!tableName) throw new Error(`${METERING_ENV.table} is not set`);
export const handler = createResetHandler(settings, { dynamodb: new DynamoDBClient({}), apiGateway: new APIGatewayClient({}), tableName });
