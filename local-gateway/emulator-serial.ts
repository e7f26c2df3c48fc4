/**
 * moto 5.2 does not isolate concurrent DynamoDB writes: its server handles each request on a thread
 * and `transact_write_items` / `update_item` read, change and store an item without a lock, so two
 * overlapping `ADD`s to one item can lose one of them (measured: 12 of 60 runs of two concurrent
 * metering batches kept only one batch's tokens). DynamoDB itself applies every write atomically and
 * serializes transactions against other writes to the same items ("Isolation levels for DynamoDB
 * transactions", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-isolation),
 * and the metering code relies on exactly that.
 *
 * Clients that talk to the emulator therefore send one DynamoDB request at a time. Callers still
 * interleave request by request, so races between separate requests (two batches claiming one
 * budget crossing, say) are still exercised; only the emulator's missing per-request atomicity is
 * supplied here. Never used against AWS.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function oneRequestAtATime<T extends DynamoDBClient>(client: T): T {
  let tail: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => (args) => {
      const run = tail.then(() => next(args));
      // The next request waits for this one to settle, whatever its outcome.
      tail = run.catch(() => undefined);
      return run;
    },
    { step: 'initialize', name: 'emulatorOneRequestAtATime', priority: 'high' },
  );
  return client;
}
