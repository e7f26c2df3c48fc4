/**
 * The emulator's DynamoDB clients send one request at a time (moto does not make concurrent writes
 * atomic): checked against a loopback HTTP server that records how many requests overlap.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { oneRequestAtATime } from '../../local-gateway/emulator-serial';

let server: Server;
let endpoint: string;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        inFlight--;
        const missing = req.headers['x-amz-target'] === 'DynamoDB_20120810.GetItem' && String(req.headers['x-test-fail']) === '1';
        res.writeHead(missing ? 400 : 200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(missing ? JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }) : '{}');
      }, 30),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  maxInFlight = 0;
});

const client = () => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
const get = (c: DynamoDBClient, fail = false) => {
  const command = new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });
  if (fail)
    command.middlewareStack.add((next) => (args) => ((args.request as { headers: Record<string, string> }).headers['x-test-fail'] = '1', next(args)), { step: 'build' });
  return c.send(command);
};

test('a plain client overlaps requests; the emulator client never does', async () => {
  const plain = client();
  await Promise.all(Array.from({ length: 5 }, () => get(plain)));
  expect(maxInFlight).toBeGreaterThan(1);
  maxInFlight = 0;
  const serial = oneRequestAtATime(client());
  await Promise.all(Array.from({ length: 5 }, () => get(serial)));
  expect(maxInFlight).toBe(1);
});

test('a failed request does not hold up the next one, and keeps its own error', async () => {
  const serial = oneRequestAtATime(client());
  const [failed, next] = await Promise.allSettled([get(serial, true), get(serial)]);
  expect(failed).toMatchObject({ status: 'rejected', reason: { name: 'ResourceNotFoundException', message: 'Requested resource not found' } });
  expect(next).toMatchObject({ status: 'fulfilled' });
  expect(maxInFlight).toBe(1);
});
