/**
 * The metering function: one delivered subscription batch of invocation log records -> the
 * ledger, exactly once; then, for each tenant the batch touched, threshold alerts and, when its
 * budget is spent, its API key disabled (once per tenant, budget and period).
 */
import { createHash } from 'node:crypto';
import { UpdateApiKeyCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { classifyRecord, type Rejection } from './invocation-log';
import {
  Aggregator,
  applyChunks,
  budgetSignature,
  budgetUse,
  chunkUpdates,
  claim,
  expiresAt,
  finishClaim,
  ledgerKey,
  readApiKeyId,
  readUsage,
  type ApplyResult,
} from './ledger';
import { batchMetricLine, tenantMetricLine, type BatchMetric } from './metrics';
import { periodWindow, type PeriodWindow } from './periods';
import type { MeteringSettings } from './settings';
import { decodeSubscriptionEvent, type SubscriptionEvent } from './subscription';

export interface MeteringDeps {
  readonly dynamodb: DynamoDBClient;
  readonly apiGateway: APIGatewayClient;
  readonly tableName: string;
  /** Alerts go here when set. */
  readonly sns?: SNSClient;
  readonly alertTopicArn?: string;
  /** Where audit and metric lines go. @default stdout */
  readonly log?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface BatchSummary {
  readonly batchId: string;
  readonly counts: Readonly<Record<BatchMetric, number>>;
  readonly ledger: ApplyResult;
  /** Tenants whose key this invocation disabled. */
  readonly disabled: readonly string[];
  /** `<tenant>@<threshold>` alerts this invocation raised. */
  readonly alerted: readonly string[];
}

const REJECTION_METRIC: Record<Rejection, BatchMetric> = {
  malformed: 'Malformed',
  foreign: 'Foreign',
  'no-tenant': 'NoTenant',
  'unknown-tenant': 'UnknownTenant',
  failed: 'FailedInvocations',
};

/** Period a tenant's usage is kept in: its budget's, else MONTH. */
export const tenantPeriod = (settings: MeteringSettings, tenant: string) => settings.tenants[tenant]?.budget?.period ?? 'MONTH';

/** Stable id of a delivered batch: the hash of its log group and log event ids (the same on every redelivery). */
export function batchIdOf(logGroup: string, eventIds: readonly string[]): string {
  const hash = createHash('sha256').update(logGroup);
  for (const id of [...eventIds].sort()) hash.update(`\u0000${id}`);
  return hash.digest('hex');
}

export function createMeteringHandler(settings: MeteringSettings, deps: MeteringDeps) {
  const log = deps.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = deps.now ?? Date.now;

  return async (event: SubscriptionEvent): Promise<BatchSummary> => {
    const nowMs = now();
    const payload = decodeSubscriptionEvent(event);
    const counts = Object.fromEntries(
      (['Records', 'Metered', 'Foreign', 'NoTenant', 'UnknownTenant', 'FailedInvocations', 'Malformed', 'UnpricedModel', 'RedeliveredChunks', 'KeysDisabled', 'Alerts'] as const).map((m) => [m, 0]),
    ) as Record<BatchMetric, number>;
    const batchId = batchIdOf(payload.logGroup, payload.logEvents.map((e) => e.id));
    // CloudWatch Logs sends DATA_MESSAGE batches and CONTROL_MESSAGE health checks
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample).
    if (payload.messageType !== 'DATA_MESSAGE') {
      return { batchId, counts, ledger: { applied: 0, alreadyApplied: 0, requests: 0, itemWrites: 0 }, disabled: [], alerted: [] };
    }

    const aggregator = new Aggregator();
    const touched = new Map<string, PeriodWindow>();
    const tenantTotals = new Map<string, { InputTokens: number; OutputTokens: number; CacheReadTokens: number; CacheWriteTokens: number; CostUsd: number }>();
    for (const logEvent of payload.logEvents) {
      counts.Records++;
      const call = classifyRecord(String(logEvent.message ?? ''), Number(logEvent.timestamp) || nowMs, settings);
      if (call.kind !== 'metered') {
        counts[REJECTION_METRIC[call.kind]]++;
        // Not lost: counted per day and reason in the ledger (with any tokens), and named by event id here.
        const day = periodWindow('DAY', call.atMs);
        aggregator.add(
          ledgerKey.unattributed(settings.environment, day.start, call.kind),
          { reason: call.kind, periodStart: day.start, expiresAt: expiresAt(day, Math.max(settings.keepPeriods, 31)) },
          { invocations: 1, inputTokens: call.tokens.input, outputTokens: call.tokens.output, cacheReadTokens: call.tokens.cacheRead, cacheWriteTokens: call.tokens.cacheWrite },
        );
        if (call.kind !== 'foreign') {
          log(JSON.stringify({ audit: 'metering', event: 'record-not-metered', environment: settings.environment, reason: call.kind, detail: call.detail, tenant: call.tenant, model: call.model, requestId: call.requestId, logEventId: logEvent.id }));
        }
        continue;
      }
      counts.Metered++;
      if (!call.priced) counts.UnpricedModel++;
      const window = periodWindow(tenantPeriod(settings, call.tenant), call.atMs);
      const set = { tenant: call.tenant, period: window.period, periodStart: window.start, periodEnd: new Date(window.endMs).toISOString(), expiresAt: expiresAt(window, settings.keepPeriods) };
      const add = {
        inputTokens: call.tokens.input,
        outputTokens: call.tokens.output,
        cacheReadTokens: call.tokens.cacheRead,
        cacheWriteTokens: call.tokens.cacheWrite,
        costNanoUsd: call.costNanoUsd,
        invocations: 1,
        unpricedInvocations: call.priced ? 0 : 1,
      };
      aggregator.add(ledgerKey.usage(call.tenant, window), set, add);
      aggregator.add(ledgerKey.model(call.tenant, window, call.model), { ...set, model: call.model }, add);
      touched.set(`${call.tenant}\u0000${window.start}`, window);
      const totals = tenantTotals.get(call.tenant) ?? { InputTokens: 0, OutputTokens: 0, CacheReadTokens: 0, CacheWriteTokens: 0, CostUsd: 0 };
      totals.InputTokens += call.tokens.input;
      totals.OutputTokens += call.tokens.output;
      totals.CacheReadTokens += call.tokens.cacheRead;
      totals.CacheWriteTokens += call.tokens.cacheWrite;
      totals.CostUsd += call.costNanoUsd;
      tenantTotals.set(call.tenant, totals);
    }

    const ledger = await applyChunks(deps.dynamodb, chunkUpdates(aggregator.updates()), { table: deps.tableName, batchId, nowMs });
    counts.RedeliveredChunks = ledger.alreadyApplied;

    // Crossings: evaluated even for a redelivered batch, so a delivery that failed after counting
    // still gets its key disabled and its alerts sent when it is retried.
    const disabled: string[] = [];
    const alerted: string[] = [];
    for (const [id, window] of [...touched.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const tenant = id.split('\u0000')[0];
      const budget = settings.tenants[tenant]?.budget;
      if (!budget) continue;
      const usage = await readUsage(deps.dynamodb, deps.tableName, ledgerKey.usage(tenant, window));
      const use = budgetUse(budget, usage, settings.unpricedModel === 'disable-key');
      const signature = budgetSignature(budget);
      const expires = expiresAt(window, settings.keepPeriods);
      const resetsAt = new Date(window.endMs).toISOString();
      for (const threshold of budget.alertThresholds) {
        if (use.fraction < threshold) continue;
        const key = ledgerKey.alert(tenant, window, threshold, signature);
        if ((await claim(deps.dynamodb, deps.tableName, key, batchId, nowMs, expires)) !== 'won') continue;
        const alert = { audit: 'metering', event: 'budget-threshold', environment: settings.environment, tenant, period: window.period, periodStart: window.start, threshold, usedFraction: round(use.fraction), tokensUsed: use.tokensUsed, costUsd: usage.costNanoUsd / 1e9, resetsAt };
        log(JSON.stringify(alert));
        if (deps.sns && deps.alertTopicArn) {
          await deps.sns.send(
            new PublishCommand({
              TopicArn: deps.alertTopicArn,
              Subject: `Token budget: tenant ${tenant} at ${Math.round(threshold * 100)}% (${settings.environment})`.slice(0, 100),
              Message: JSON.stringify(alert),
            }),
          );
        }
        await finishClaim(deps.dynamodb, deps.tableName, key, nowMs);
        counts.Alerts++;
        alerted.push(`${tenant}@${threshold}`);
      }
      if (!use.spent) continue;
      const key = ledgerKey.spent(tenant, window, signature);
      if ((await claim(deps.dynamodb, deps.tableName, key, batchId, nowMs, expires)) !== 'won') continue;
      const apiKeyId = await readApiKeyId(deps.dynamodb, deps.tableName, tenant);
      if (apiKeyId === null) throw new Error(`tenant ${tenant}: no API key id in the ledger (item ${ledgerKey.apiKey(tenant).pk}/KEY); cannot disable its key`);
      await deps.apiGateway.send(new UpdateApiKeyCommand({ apiKey: apiKeyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
      log(JSON.stringify({ audit: 'metering', event: 'key-disabled', environment: settings.environment, tenant, apiKeyId, period: window.period, periodStart: window.start, usedFraction: round(use.fraction), tokensUsed: use.tokensUsed, costUsd: usage.costNanoUsd / 1e9, resetsAt }));
      await finishClaim(deps.dynamodb, deps.tableName, key, nowMs);
      counts.KeysDisabled++;
      disabled.push(tenant);
    }

    log(batchMetricLine(settings.environment, counts, nowMs));
    if (ledger.applied > 0) {
      for (const [tenant, totals] of [...tenantTotals.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        log(tenantMetricLine(settings.environment, tenant, { ...totals, CostUsd: totals.CostUsd / 1e9 }, nowMs));
      }
    }
    return { batchId, counts, ledger, disabled, alerted };
  };
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
