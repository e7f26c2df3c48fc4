/**
 * `npm run bench:metering`: the metering handler on one subscription batch of 10,000 invocation
 * log records (60 tenants x 3 models), against the DynamoDB and API Gateway APIs of a local
 * emulator (moto_server on 127.0.0.1), side by side with a naive writer that sends one UpdateItem
 * per record and item. Prints records per second and DynamoDB write requests per 1,000 records.
 *
 * The emulator is not DynamoDB: absolute times say little about AWS (where a 100-action
 * transaction takes tens of milliseconds); the write-request counts are exact and the same on AWS.
 */
import { performance } from 'node:perf_hooks';
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createMeteringHandler } from '../functions/metering/meter';
import { classifyRecord } from '../functions/metering/invocation-log';
import { ledgerKey } from '../functions/metering/ledger';
import { periodWindow } from '../functions/metering/periods';
import type { MeteringSettings } from '../functions/metering/settings';
import { decodeSubscriptionEvent, toSubscriptionEvent } from '../functions/metering/subscription';
import { createLedger, invocationRecord, NOW, startEmulator } from '../__tests__/functions/metering/support/world';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const RECORDS = 10_000;
const NAIVE_RECORDS = 1_000;
const TENANTS = Array.from({ length: 60 }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
const MODELS = ['model.a-v1', 'model.b-v1', 'us.model.c-v1:0'];

const settings: MeteringSettings = {
  environment: 'bench',
  models: Object.fromEntries(MODELS.map((m) => [m, { input: 3000, output: 15000, cacheRead: 300, cacheWrite: 3750 }])),
  // Budgets large enough never to be crossed: the bench measures counting.
  tenants: Object.fromEntries(TENANTS.map((t) => [t, { tier: 'gold', enabled: true, budget: { period: 'MONTH' as const, tokens: { limit: 1e15, count: 'total' as const }, alertThresholds: [0.8] } }])),
  unpricedModel: 'count-tokens',
  keepPeriods: 3,
};

function records(n: number) {
  return Array.from({ length: n }, (_, i) =>
    invocationRecord({ env: 'bench', tenant: TENANTS[i % TENANTS.length], model: MODELS[Math.floor(i / TENANTS.length) % MODELS.length], input: 500 + (i % 97), output: 200 + (i % 13), cacheRead: i % 5 === 0 ? 1000 : 0, requestId: `r${i}` }),
  );
}

/** Counts write requests (and the items they write) sent by `client`. */
function countWrites(client: DynamoDBClient) {
  const counts = { requests: 0, items: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      const input = args.input as { TransactItems?: unknown[] };
      if (name === 'TransactWriteItemsCommand') {
        counts.requests++;
        counts.items += input.TransactItems?.length ?? 0;
      } else if (name === 'UpdateItemCommand' || name === 'PutItemCommand') {
        counts.requests++;
        counts.items++;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
  return counts;
}

async function main() {
  const emulator = await startEmulator();
  try {
    const counts = countWrites(emulator.dynamodb);
    // Pure CPU: decode + classify, no I/O.
    const event = toSubscriptionEvent(records(RECORDS), { logGroup: '/bench' });
    let t0 = performance.now();
    const payload = decodeSubscriptionEvent(event);
    for (const e of payload.logEvents) classifyRecord(e.message, e.timestamp, settings);
    const decodeMs = performance.now() - t0;

    // The handler: aggregate, chunked transactions, crossing reads.
    const ours = await createLedger(emulator, []);
    const meter = createMeteringHandler(settings, { dynamodb: emulator.dynamodb, apiGateway: emulator.apiGateway, tableName: ours.table, log: () => undefined, now: () => NOW });
    const before = { ...counts };
    t0 = performance.now();
    const summary = await meter(event);
    const oursMs = performance.now() - t0;
    const oursWrites = { requests: counts.requests - before.requests, items: counts.items - before.items };
    if (summary.counts.Metered !== RECORDS) throw new Error(`metered ${summary.counts.Metered} of ${RECORDS}`);

    // Naive: one UpdateItem per record for the tenant item and one for the tenant-model item, no exactly-once marker.
    const naive = await createLedger(emulator, []);
    const naiveRecords = records(NAIVE_RECORDS);
    const before2 = { ...counts };
    t0 = performance.now();
    for (const record of naiveRecords) {
      const call = classifyRecord(JSON.stringify(record), NOW, settings);
      if (call.kind !== 'metered') throw new Error('bench record not metered');
      const w = periodWindow('MONTH', call.atMs);
      for (const key of [ledgerKey.usage(call.tenant, w), ledgerKey.model(call.tenant, w, call.model)]) {
        await emulator.dynamodb.send(
          new UpdateItemCommand({
            TableName: naive.table,
            Key: { pk: { S: key.pk }, sk: { S: key.sk } },
            UpdateExpression: 'ADD inputTokens :i, outputTokens :o, costNanoUsd :c',
            ExpressionAttributeValues: { ':i': { N: String(call.tokens.input) }, ':o': { N: String(call.tokens.output) }, ':c': { N: String(call.costNanoUsd) } },
          }),
        );
      }
    }
    const naiveMs = performance.now() - t0;
    const naiveWrites = { requests: counts.requests - before2.requests, items: counts.items - before2.items };

    const perThousand = (n: number, records: number) => (n * 1000) / records;
    const rate = (records: number, ms: number) => Math.round(records / (ms / 1000));
    const lines = [
      `metering bench: one batch of ${RECORDS.toLocaleString('en-US')} records, ${TENANTS.length} tenants x ${MODELS.length} models, moto_server on 127.0.0.1`,
      `  decode + classify only (no I/O):           ${rate(RECORDS, decodeMs).toLocaleString('en-US')} records/s`,
      `  handler (aggregate + transactions):        ${rate(RECORDS, oursMs).toLocaleString('en-US')} records/s, ${summary.ledger.requests} TransactWriteItems (${oursWrites.items} item writes incl. markers)`,
      `  naive (UpdateItem per record and item):    ${rate(NAIVE_RECORDS, naiveMs).toLocaleString('en-US')} records/s (measured on ${NAIVE_RECORDS.toLocaleString('en-US')} records)`,
      `  DynamoDB write requests per 1,000 records: handler ${perThousand(oursWrites.requests, RECORDS).toFixed(1)}, naive ${perThousand(naiveWrites.requests, NAIVE_RECORDS).toFixed(0)} (${(perThousand(naiveWrites.requests, NAIVE_RECORDS) / perThousand(oursWrites.requests, RECORDS)).toFixed(0)}x fewer)`,
      `  item writes per 1,000 records:             handler ${perThousand(oursWrites.items, RECORDS).toFixed(1)}, naive ${perThousand(naiveWrites.items, NAIVE_RECORDS).toFixed(0)}`,
      `  throughput ratio handler / naive:          ${(rate(RECORDS, oursMs) / rate(NAIVE_RECORDS, naiveMs)).toFixed(1)}x`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await emulator.moto.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
