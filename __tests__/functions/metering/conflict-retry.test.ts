/**
 * The ledger's transaction-conflict path with the real AWS SDK DynamoDBClient against a loopback
 * HTTP server that speaks DynamoDB's JSON protocol. The emulator cannot show this path: its
 * DynamoDB requests are serialized (local-gateway/emulator-serial.ts), so it never answers
 * TransactionConflict, and moto ignores ClientRequestToken (DynamoDB refuses a token reused with
 * other parameters within 10 minutes, which a batch-derived token caused on every redelivery).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { applyChunks, ledgerKey, NO_ADDITIONS, type LedgerUpdate } from '../../../functions/metering/ledger';
import { EMULATOR_SDK_CREDENTIALS } from '../../../scripts/lib/moto';

interface Answer {
  readonly status: number;
  readonly body: unknown;
}
interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const CONFLICT: Answer = {
  status: 400,
  body: {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }],
  },
};
const MARKER_EXISTS: Answer = {
  status: 400,
  body: {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
    CancellationReasons: [{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }, { Code: 'None' }],
  },
};
const OK: Answer = { status: 200, body: {} };
const SERVER_ERROR: Answer = { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' } };

/** Answers each request with the next answer (the last one repeats) and records what it got. */
async function fakeDynamoDb(answers: readonly Answer[]): Promise<{ server: Server; client: DynamoDBClient; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)];
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: EMULATOR_SDK_CREDENTIALS });
  return { server, client, received };
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The request body without ClientRequestToken (as sent, re-serialized), and the token. */
function withoutToken(body: string): { rest: string; token: unknown } {
  const { ClientRequestToken: token, ...rest } = JSON.parse(body) as Record<string, unknown>;
  return { rest: JSON.stringify(rest), token };
}

const update: LedgerUpdate = {
  key: { pk: 'T#acme', sk: 'P#MONTH#2026-12-01' },
  add: { ...NO_ADDITIONS, inputTokens: 10, outputTokens: 5, invocations: 1 },
  set: { tenant: 'acme' },
};
const options = { table: 'ledger', batchId: 'b'.repeat(64), nowMs: Date.parse('2026-12-01T10:00:00Z') };

describe('ledger transactions on the real SDK', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  test('a TransactionConflict is retried with the identical request, without a token of ours', async () => {
    const fake = await fakeDynamoDb([CONFLICT, OK]);
    servers.push(fake.server);
    const result = await applyChunks(fake.client, [[update]], options);
    expect(result).toEqual({ applied: 1, alreadyApplied: 0, requests: 2, itemWrites: 4 });
    expect(fake.received).toHaveLength(2);
    expect(fake.received.map((r) => r.headers['x-amz-target'])).toEqual(['DynamoDB_20120810.TransactWriteItems', 'DynamoDB_20120810.TransactWriteItems']);
    const [first, second] = fake.received.map((r) => withoutToken(r.body));
    // The retried request is the identical transaction, byte for byte.
    expect(second.rest).toBe(first.rest);
    expect(Object.keys(JSON.parse(first.rest) as object)).toEqual(['TransactItems']);
    // No token of ours: the SDK fills the idempotency-token field with a fresh random UUID per send,
    // so no token is ever reused with different parameters (no IdempotentParameterMismatch).
    expect(first.token).toMatch(UUID_V4);
    expect(second.token).toMatch(UUID_V4);
    expect(second.token).not.toBe(first.token);
    expect(first.token).not.toContain(options.batchId.slice(0, 30));
    const sent = JSON.parse(first.rest) as { TransactItems: { Put?: { Item: Record<string, unknown>; ConditionExpression: string } }[] };
    expect(sent.TransactItems).toHaveLength(2);
    const marker = ledgerKey.batch(options.batchId, 0);
    expect(sent.TransactItems[0].Put).toMatchObject({ Item: { pk: { S: marker.pk }, sk: { S: marker.sk } }, ConditionExpression: 'attribute_not_exists(pk)' });
  });

  test('conflicts beyond maxConflictRetries throw the cancellation', async () => {
    const fake = await fakeDynamoDb([CONFLICT]);
    servers.push(fake.server);
    const failure = applyChunks(fake.client, [[update]], { ...options, maxConflictRetries: 2 });
    await expect(failure).rejects.toMatchObject({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] });
    // The first attempt and two retries, all identical.
    expect(fake.received).toHaveLength(3);
    const sent = fake.received.map((r) => withoutToken(r.body));
    expect(new Set(sent.map((r) => r.rest)).size).toBe(1);
    expect(new Set(sent.map((r) => r.token)).size).toBe(3);
  });

  test("the SDK's own retry of one send (HTTP 500) repeats the same token with the same transaction", async () => {
    const fake = await fakeDynamoDb([SERVER_ERROR, OK]);
    servers.push(fake.server);
    const result = await applyChunks(fake.client, [[update]], options);
    // One send of ours; the SDK retried it once on the wire.
    expect(result).toEqual({ applied: 1, alreadyApplied: 0, requests: 1, itemWrites: 2 });
    expect(fake.received).toHaveLength(2);
    expect(fake.received[1].body).toBe(fake.received[0].body);
    expect(withoutToken(fake.received[0].body).token).toMatch(UUID_V4);
  });

  test('an existing marker (the chunk was counted by an earlier delivery) is skipped, not retried', async () => {
    const fake = await fakeDynamoDb([MARKER_EXISTS, OK]);
    servers.push(fake.server);
    const result = await applyChunks(fake.client, [[update], [update]], options);
    // Chunk 0 was counted before; chunk 1 is written now.
    expect(result).toEqual({ applied: 1, alreadyApplied: 1, requests: 2, itemWrites: 4 });
    expect(fake.received.map((r) => (JSON.parse(r.body) as { TransactItems: { Put?: { Item: { sk: { S: string } } } }[] }).TransactItems[0].Put?.Item.sk.S)).toEqual(['C#0', 'C#1']);
  });
});
