/**
 * The DynamoDB ledger: one table, string keys `pk`/`sk`, TTL attribute `expiresAt`.
 *
 * | pk               | sk                                   | what                                           |
 * |------------------|--------------------------------------|------------------------------------------------|
 * | `T#<tenant>`     | `P#<PERIOD>#<start>`                 | the tenant's usage in one budget period        |
 * | `T#<tenant>`     | `P#<PERIOD>#<start>#M#<model>`       | the same, per model                            |
 * | `T#<tenant>`     | `P#<PERIOD>#<start>#SPENT#<budget>`  | claim: the key was disabled for this budget    |
 * | `T#<tenant>`     | `P#<PERIOD>#<start>#ALERT#<t>#<b>`   | claim: threshold t was alerted for this budget |
 * | `T#<tenant>`     | `KEY`                                | the tenant's API key id (written by Terraform) |
 * | `B#<batch>`      | `C#<chunk>`                          | marker: this chunk of this batch is counted    |
 * | `U#<env>`        | `P#DAY#<date>#<reason>`              | records not metered, counted per day and reason|
 *
 * Numbers are added with `ADD`, which is commutative: concurrent batches never lose an addition.
 */
import { createHash } from 'node:crypto';
import {
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { expiresAt, type PeriodWindow } from './periods';
import type { BudgetSettings } from './settings';

/** DynamoDB's limit of actions in one TransactWriteItems call; one is the chunk's marker. */
export const TRANSACTION_LIMIT = 100;
/**
 * How long batch markers are kept: longer than any redelivery or replay of the batch. A batch
 * reaches the failure queue at most 6 hours after its first attempt (Lambda's maximum event age,
 * METERING_MAX_EVENT_AGE_SECONDS in stacks/constructs/token-budgets.ts) and stays there at most
 * 14 days (METERING_FAILURE_RETENTION_SECONDS): 15 days covers both with 18 hours to spare (a test
 * checks this against the synthesized queue and retry settings). DynamoDB deletes expired items
 * some time after expiry, never before, so expiry can only be later than this.
 */
export const MARKER_TTL_SECONDS = 15 * 86_400;

export const ledgerKey = {
  usage: (tenant: string, w: PeriodWindow) => ({ pk: `T#${tenant}`, sk: `P#${w.period}#${w.start}` }),
  model: (tenant: string, w: PeriodWindow, model: string) => ({ pk: `T#${tenant}`, sk: `P#${w.period}#${w.start}#M#${model}` }),
  spent: (tenant: string, w: PeriodWindow, budget: string) => ({ pk: `T#${tenant}`, sk: `P#${w.period}#${w.start}#SPENT#${budget}` }),
  alert: (tenant: string, w: PeriodWindow, threshold: number, budget: string) => ({ pk: `T#${tenant}`, sk: `P#${w.period}#${w.start}#ALERT#${threshold}#${budget}` }),
  apiKey: (tenant: string) => ({ pk: `T#${tenant}`, sk: 'KEY' }),
  batch: (batch: string, chunk: number) => ({ pk: `B#${batch}`, sk: `C#${chunk}` }),
  unattributed: (environment: string, day: string, reason: string) => ({ pk: `U#${environment}`, sk: `P#DAY#${day}#${reason}` }),
};
export type LedgerKey = { readonly pk: string; readonly sk: string };

/** Short, stable signature of a budget: a changed budget gets fresh spent/alert claims. */
export function budgetSignature(budget: BudgetSettings): string {
  return createHash('sha256')
    .update(JSON.stringify([budget.period, budget.tokens?.limit ?? null, budget.tokens?.count ?? null, budget.costNanoUsd ?? null]))
    .digest('hex')
    .slice(0, 12);
}

/** Numbers added to one ledger item. */
export interface Additions {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costNanoUsd: number;
  invocations: number;
  unpricedInvocations: number;
}

export const NO_ADDITIONS: Readonly<Additions> = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costNanoUsd: 0, invocations: 0, unpricedInvocations: 0 };

export interface LedgerUpdate {
  readonly key: LedgerKey;
  readonly add: Additions;
  /** Descriptive attributes set on every write (idempotent). */
  readonly set: Readonly<Record<string, string | number>>;
}

/** Sums additions per ledger item. */
export class Aggregator {
  private readonly items = new Map<string, LedgerUpdate>();

  add(key: LedgerKey, set: Readonly<Record<string, string | number>>, add: Partial<Additions>): void {
    const id = `${key.pk}\u0000${key.sk}`;
    let item = this.items.get(id);
    if (!item) {
      item = { key, add: { ...NO_ADDITIONS }, set };
      this.items.set(id, item);
    }
    for (const [field, value] of Object.entries(add) as [keyof Additions, number][]) item.add[field] += value;
  }

  /** Updates in a deterministic order (by key), so the same batch always chunks the same way. */
  updates(): LedgerUpdate[] {
    return [...this.items.values()].sort((a, b) => (a.key.pk === b.key.pk ? cmp(a.key.sk, b.key.sk) : cmp(a.key.pk, b.key.pk)));
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic chunks of at most `TRANSACTION_LIMIT - 1` updates (each chunk also carries its marker). */
export function chunkUpdates(updates: readonly LedgerUpdate[]): LedgerUpdate[][] {
  const size = TRANSACTION_LIMIT - 1;
  const chunks: LedgerUpdate[][] = [];
  for (let i = 0; i < updates.length; i += size) chunks.push(updates.slice(i, i + size));
  return chunks.length > 0 ? chunks : [[]];
}

const n = (v: number): AttributeValue => ({ N: String(v) });
const s = (v: string): AttributeValue => ({ S: v });
const attr = (v: string | number): AttributeValue => (typeof v === 'number' ? n(v) : s(v));
const keyOf = (k: LedgerKey) => ({ pk: s(k.pk), sk: s(k.sk) });

function updateAction(table: string, update: LedgerUpdate): TransactWriteItem {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const adds: string[] = [];
  const sets: string[] = [];
  let i = 0;
  for (const [field, value] of Object.entries(update.add)) {
    if (value === 0) continue;
    names[`#a${i}`] = field;
    values[`:a${i}`] = n(value);
    adds.push(`#a${i} :a${i}`);
    i++;
  }
  for (const [field, value] of Object.entries(update.set)) {
    names[`#s${i}`] = field;
    values[`:s${i}`] = attr(value);
    sets.push(`#s${i} = :s${i}`);
    i++;
  }
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' ');
  return { Update: { TableName: table, Key: keyOf(update.key), UpdateExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}

export interface ApplyResult {
  /** Chunks written now. */
  readonly applied: number;
  /** Chunks whose marker already existed: a redelivery, not counted again. */
  readonly alreadyApplied: number;
  /** TransactWriteItems calls made (including retries after conflicts). */
  readonly requests: number;
  /** Item writes in those calls (markers included). */
  readonly itemWrites: number;
}

export interface ApplyOptions {
  readonly table: string;
  /** Stable id of the delivered batch (hash of its log event ids). */
  readonly batchId: string;
  readonly nowMs: number;
  /** @default 8 */
  readonly maxConflictRetries?: number;
}

/**
 * Writes each chunk as one transaction: its marker, put only if absent, and its additions. A chunk
 * whose marker exists was counted by an earlier delivery of the same batch and is skipped whole.
 * Transaction conflicts (a concurrent batch touching the same item) are retried with backoff.
 */
export async function applyChunks(client: DynamoDBClient, chunks: readonly LedgerUpdate[][], options: ApplyOptions): Promise<ApplyResult> {
  let applied = 0;
  let alreadyApplied = 0;
  let requests = 0;
  let itemWrites = 0;
  for (const [index, chunk] of chunks.entries()) {
    const marker: TransactWriteItem = {
      Put: {
        TableName: options.table,
        Item: { ...keyOf(ledgerKey.batch(options.batchId, index)), items: n(chunk.length), countedAt: s(new Date(options.nowMs).toISOString()), expiresAt: n(Math.floor(options.nowMs / 1000) + MARKER_TTL_SECONDS) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const items = [marker, ...chunk.map((u) => updateAction(options.table, u))];
    for (let attempt = 0; ; attempt++) {
      requests++;
      itemWrites += items.length;
      try {
        // No ClientRequestToken of ours, on purpose. DynamoDB refuses a token reused "with a change
        // in other parameters within the 10-minute idempotency window" (IdempotentParameterMismatch;
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html,
        // ClientRequestToken). A token derived from the batch id broke redelivery: the marker holds
        // countedAt/expiresAt from this invocation's clock, so Lambda's async retries (about 1 and 2
        // minutes later) sent the same token with different parameters and failed instead of being
        // skipped. Making the request byte-identical per batch was the alternative; it would still
        // fail whenever bundled settings (tenants, prices, periods) change between attempts.
        // Idempotency comes from the conditional marker: a retried attempt whose first try
        // succeeded is refused by attribute_not_exists(pk) and counted as alreadyApplied, never
        // twice. (The SDK fills the token field itself with a fresh random UUID per send, since the
        // API marks it an idempotency token; its own transport retries of one send reuse that
        // token with identical parameters, which DynamoDB accepts. No two of our sends share one.)
        await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        applied++;
        break;
      } catch (err) {
        const reasons = cancellationCodes(err);
        if (reasons?.[0] === 'ConditionalCheckFailed') {
          alreadyApplied++;
          break;
        }
        const retryable = reasons?.some((r) => r === 'TransactionConflict') || isName(err, 'TransactionConflictException') || isName(err, 'TransactionInProgressException');
        if (!retryable || attempt >= (options.maxConflictRetries ?? 8)) throw err;
        await sleep(Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random() / 2));
      }
    }
  }
  return { applied, alreadyApplied, requests, itemWrites };
}

function cancellationCodes(err: unknown): string[] | null {
  if (!isName(err, 'TransactionCanceledException')) return null;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (Array.isArray(reasons)) return reasons.map((r) => r.Code ?? 'None');
  // Some emulators put the reasons only in the message: "...reasons [ConditionalCheckFailed, None]".
  const match = /\[([A-Za-z, ]+)\]/.exec(String((err as Error).message));
  return match ? match[1].split(',').map((r) => r.trim()) : null;
}

const isName = (err: unknown, name: string) => typeof err === 'object' && err !== null && (err as { name?: string }).name === name;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tenant's usage item, read strongly consistent (after this batch's own transactions). */
export interface Usage extends Additions {}

export async function readUsage(client: DynamoDBClient, table: string, key: LedgerKey): Promise<Usage> {
  const out = await client.send(new GetItemCommand({ TableName: table, Key: keyOf(key), ConsistentRead: true }));
  return usageFrom(out.Item);
}

export function usageFrom(item: Record<string, AttributeValue> | undefined): Usage {
  const num = (field: keyof Additions) => Number(item?.[field]?.N ?? 0);
  return {
    inputTokens: num('inputTokens'),
    outputTokens: num('outputTokens'),
    cacheReadTokens: num('cacheReadTokens'),
    cacheWriteTokens: num('cacheWriteTokens'),
    costNanoUsd: num('costNanoUsd'),
    invocations: num('invocations'),
    unpricedInvocations: num('unpricedInvocations'),
  };
}

export interface BudgetUse {
  /** Largest fraction of any limit used (0 when the budget has no limit that applies). */
  readonly fraction: number;
  readonly spent: boolean;
  readonly tokensUsed: number;
}

/** Tokens a budget counts: input includes cache read and cache write tokens. */
export function countedTokens(budget: BudgetSettings, usage: Usage): number {
  const input = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const count = budget.tokens?.count ?? 'total';
  return count === 'input' ? input : count === 'output' ? usage.outputTokens : input + usage.outputTokens;
}

/** How much of `budget` `usage` has used; `failClosedOnUnpriced` treats any unpriced call as spending it. */
export function budgetUse(budget: BudgetSettings, usage: Usage, failClosedOnUnpriced = false): BudgetUse {
  const tokensUsed = countedTokens(budget, usage);
  const fractions = [budget.tokens ? tokensUsed / budget.tokens.limit : 0, budget.costNanoUsd ? usage.costNanoUsd / budget.costNanoUsd : 0];
  if (failClosedOnUnpriced && usage.unpricedInvocations > 0) fractions.push(1);
  const fraction = Math.max(...fractions);
  return { fraction, spent: fraction >= 1, tokensUsed };
}

export type ClaimOutcome = 'won' | 'taken';

/**
 * How long an unfinished claim blocks other batches. A claim's holder is a metering invocation,
 * which Lambda stops at its timeout (METERING_TIMEOUT_SECONDS in stacks/constructs/token-budgets.ts,
 * 120 s; a test checks the lease is longer), so a claim older than this without doneAt belongs to
 * an invocation that failed before finishing: another batch may take it over.
 */
export const CLAIM_LEASE_SECONDS = 300;

/**
 * Claims a once-per-period action (disable a key, send an alert) for `owner` (a batch id). The
 * claim succeeds when nobody holds it; when `owner` holds it but never finished (a redelivery of
 * the batch that crashed mid-way finishes the job); or when another batch holds it unfinished for
 * longer than the lease (its invocation is over and failed, and may never be redelivered: without
 * the takeover no batch would disable the key or send the alert this period). A finished claim is
 * never taken again. Disabling a key is idempotent; an alert whose holder failed after publishing
 * but before finishing can be sent twice (at least once, not exactly once).
 */
export async function claim(client: DynamoDBClient, table: string, key: LedgerKey, owner: string, nowMs: number, expires: number): Promise<ClaimOutcome> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: keyOf(key),
        // claimedAt restarts with each holder, so a takeover gets a full lease of its own; the
        // condition is evaluated atomically per item, so of two batches taking over the same stale
        // claim only the first succeeds (the second sees a fresh claimedAt).
        UpdateExpression: 'SET claimedBy = :owner, claimedAt = :now, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(doneAt) AND (claimedBy = :owner OR claimedAt < :staleBefore))',
        ExpressionAttributeValues: {
          ':owner': s(owner),
          ':now': s(new Date(nowMs).toISOString()),
          // ISO-8601 UTC strings of one format compare as their instants.
          ':staleBefore': s(new Date(nowMs - CLAIM_LEASE_SECONDS * 1000).toISOString()),
          ':exp': n(expires),
        },
      }),
    );
    return 'won';
  } catch (err) {
    if (isName(err, 'ConditionalCheckFailedException')) return 'taken';
    throw err;
  }
}

export async function finishClaim(client: DynamoDBClient, table: string, key: LedgerKey, nowMs: number): Promise<void> {
  await client.send(new UpdateItemCommand({ TableName: table, Key: keyOf(key), UpdateExpression: 'SET doneAt = :now', ExpressionAttributeValues: { ':now': s(new Date(nowMs).toISOString()) } }));
}

/** The tenant's API key id, from the item Terraform writes; null when absent. */
export async function readApiKeyId(client: DynamoDBClient, table: string, tenant: string): Promise<string | null> {
  const out = await client.send(new GetItemCommand({ TableName: table, Key: keyOf(ledgerKey.apiKey(tenant)), ConsistentRead: true }));
  return out.Item?.apiKeyId?.S ?? null;
}

export { expiresAt };
