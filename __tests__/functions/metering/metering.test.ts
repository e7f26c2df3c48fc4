/**
 * The metering handler in process against the emulator's real DynamoDB, API Gateway and SNS APIs,
 * fed real-shaped subscription events (base64 gzip) of documented invocation log records.
 */
import { budgetSignature, CLAIM_LEASE_SECONDS, ledgerKey } from '../../../functions/metering/ledger';
import { periodWindow } from '../../../functions/metering/periods';
import { createMeteringHandler, type MeteringDeps } from '../../../functions/metering/meter';
import { createResetHandler } from '../../../functions/metering/reset';
import type { MeteringSettings } from '../../../functions/metering/settings';
import { toSubscriptionEvent } from '../../../functions/metering/subscription';
import { createLedger, invocationRecord, keyEnabled, ledgerItem, NOW, startEmulator, testSettings, type Emulator } from './support/world';

const LOG_GROUP = '/aws/bedrock/gateway-test/model-invocations';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
}, 180_000);
afterAll(async () => {
  await emulator?.moto.stop();
});

async function world(settings: MeteringSettings = testSettings(), options: { now?: number; disabledKeys?: string[]; keys?: boolean } = {}) {
  const ledger = await createLedger(emulator, options.keys === false ? [] : Object.keys(settings.tenants), { disabledKeys: options.disabledKeys });
  const lines: string[] = [];
  let clock = options.now ?? NOW;
  const deps: MeteringDeps = {
    dynamodb: emulator.dynamodb,
    apiGateway: emulator.apiGateway,
    sns: emulator.sns,
    alertTopicArn: ledger.topicArn,
    tableName: ledger.table,
    log: (line) => lines.push(line),
    now: () => clock,
  };
  const meter = createMeteringHandler(settings, deps);
  const audit = (event: string) => lines.map((l) => JSON.parse(l)).filter((l) => l.audit === 'metering' && l.event === event);
  const item = (pk: string, sk: string) => ledgerItem(emulator, ledger.table, pk, sk);
  const setNow = (ms: number) => {
    clock = ms;
  };
  return { ...ledger, meter, lines, audit, item, settings, setNow };
}

const batch = (records: unknown[]) => toSubscriptionEvent(records, { logGroup: LOG_GROUP });

describe('metering', () => {
  test('counts tokens and costs per tenant and per tenant and model, exactly', async () => {
    const w = await world();
    const summary = await w.meter(
      batch([
        invocationRecord({ tenant: 'hooli', input: 1000, output: 500, cacheRead: 2000, cacheWrite: 400 }),
        invocationRecord({ tenant: 'hooli', input: 10, output: 5 }),
        // The record names the model by inference profile ARN: reduced to the catalogue id.
        invocationRecord({ tenant: 'hooli', model: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.model.profile-v1:0', input: 100, output: 100 }),
      ]),
    );
    expect(summary.counts).toMatchObject({ Records: 3, Metered: 3, Foreign: 0, Malformed: 0 });
    expect(summary.ledger).toMatchObject({ applied: 1, alreadyApplied: 0 });
    // hooli has no budget: usage kept per MONTH.
    expect(await w.item('T#hooli', 'P#MONTH#2026-12-01')).toMatchObject({
      inputTokens: 1110,
      outputTokens: 605,
      cacheReadTokens: 2000,
      cacheWriteTokens: 400,
      invocations: 3,
      // 1010*1000 + 505*2000 + 2000*100 + 400*1250 (model.priced) + 100*3000 + 100*15000 (profile), nano-USD
      costNanoUsd: 1_010_000 + 1_010_000 + 200_000 + 500_000 + 300_000 + 1_500_000,
      period: 'MONTH',
      periodEnd: '2027-01-01T00:00:00.000Z',
      expiresAt: Date.parse('2027-04-01T00:00:00Z') / 1000,
    });
    expect(await w.item('T#hooli', 'P#MONTH#2026-12-01#M#model.priced-v1')).toMatchObject({ inputTokens: 1010, outputTokens: 505, costNanoUsd: 2_720_000, model: 'model.priced-v1' });
    expect(await w.item('T#hooli', 'P#MONTH#2026-12-01#M#us.model.profile-v1:0')).toMatchObject({ inputTokens: 100, outputTokens: 100, costNanoUsd: 1_800_000 });
    // Per-tenant embedded metric line.
    const metric = w.lines.map((l) => JSON.parse(l)).find((l) => l.Tenant === 'hooli');
    expect(metric).toMatchObject({ Environment: 'test', InputTokens: 1110, OutputTokens: 605, CacheReadTokens: 2000, CacheWriteTokens: 400, CostUsd: 0.00452 });
    expect(metric._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'BedrockGateway/Metering', Dimensions: [['Environment', 'Tenant']] });
  });

  test('a redelivered batch is counted once', async () => {
    const w = await world();
    const event = batch([invocationRecord({ tenant: 'hooli', input: 7, output: 3 }), invocationRecord({ tenant: 'hooli', input: 1, output: 1 })]);
    const first = await w.meter(event);
    const second = await w.meter(event);
    expect(first.batchId).toBe(second.batchId);
    expect(first.ledger).toMatchObject({ applied: 1, alreadyApplied: 0 });
    expect(second.ledger).toMatchObject({ applied: 0, alreadyApplied: 1 });
    expect(second.counts.RedeliveredChunks).toBe(1);
    expect(await w.item('T#hooli', 'P#MONTH#2026-12-01')).toMatchObject({ inputTokens: 8, outputTokens: 4, invocations: 2 });
  });

  test('two concurrent batches for one tenant are both counted', async () => {
    const w = await world();
    const one = batch(Array.from({ length: 20 }, () => invocationRecord({ tenant: 'hooli', input: 3, output: 2 })));
    const two = batch(Array.from({ length: 30 }, () => invocationRecord({ tenant: 'hooli', input: 5, output: 1 })));
    await Promise.all([w.meter(one), w.meter(two)]);
    expect(await w.item('T#hooli', 'P#MONTH#2026-12-01')).toMatchObject({ inputTokens: 20 * 3 + 30 * 5, outputTokens: 20 * 2 + 30, invocations: 50 });
  });

  test('a batch larger than one transaction is chunked deterministically; a redelivery skips every chunk', async () => {
    const tenants = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`t${String(i).padStart(2, '0')}`, { tier: 'bronze', enabled: true }]));
    const w = await world(testSettings({ tenants }), { keys: false });
    // 60 tenants x (usage + per-model item) = 120 updates: two transactions of at most 100 actions.
    const event = batch(Object.keys(tenants).map((tenant) => invocationRecord({ tenant, input: 1, output: 1 })));
    expect((await w.meter(event)).ledger).toMatchObject({ applied: 2, alreadyApplied: 0, requests: 2, itemWrites: 122 });
    expect((await w.meter(event)).ledger).toMatchObject({ applied: 0, alreadyApplied: 2 });
    expect(await w.item('T#t59', 'P#MONTH#2026-12-01')).toMatchObject({ inputTokens: 1, outputTokens: 1 });
    expect(await w.item(`B#${(await w.meter(event)).batchId}`, 'C#1')).toMatchObject({ items: 21 });
  });

  test('crossing the budget disables the key exactly once, alerts once per threshold, and the next batch leaves it alone', async () => {
    const w = await world();
    // 600 of 1,000 tokens: the 50% alert only.
    const a = await w.meter(batch([invocationRecord({ tenant: 'acme', input: 400, output: 200 })]));
    expect(a.alerted).toEqual(['acme@0.5']);
    expect(a.disabled).toEqual([]);
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(true);
    // 1,050: 80% and spent.
    const b = await w.meter(batch([invocationRecord({ tenant: 'acme', input: 300, output: 150 })]));
    expect(b.alerted).toEqual(['acme@0.8']);
    expect(b.disabled).toEqual(['acme']);
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);
    // Calls already in flight still log usage: counted, but no second disable or alert.
    const c = await w.meter(batch([invocationRecord({ tenant: 'acme', input: 10, output: 10 })]));
    expect(c.disabled).toEqual([]);
    expect(c.alerted).toEqual([]);
    expect(w.audit('key-disabled')).toEqual([
      expect.objectContaining({ tenant: 'acme', apiKeyId: w.keys.acme, period: 'DAY', periodStart: '2026-12-01', usedFraction: 1.05, tokensUsed: 1050, resetsAt: '2026-12-02T00:00:00.000Z' }),
    ]);
    expect(w.audit('budget-threshold').map((l) => l.threshold)).toEqual([0.5, 0.8]);
    expect(await w.item('T#acme', 'P#DAY#2026-12-01')).toMatchObject({ inputTokens: 710, outputTokens: 360 });
    // Other tenants' keys are untouched.
    expect(await keyEnabled(emulator, w.keys.globex)).toBe(true);
  });

  test('two concurrent batches that both cross the budget disable the key once', async () => {
    const w = await world();
    const results = await Promise.all([
      w.meter(batch([invocationRecord({ tenant: 'acme', input: 600, output: 0, requestId: 'x1' })])),
      w.meter(batch([invocationRecord({ tenant: 'acme', input: 600, output: 0, requestId: 'x2' })])),
    ]);
    expect(results.flatMap((r) => r.disabled)).toEqual(['acme']);
    expect(w.audit('key-disabled')).toHaveLength(1);
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);
    expect(await w.item('T#acme', 'P#DAY#2026-12-01')).toMatchObject({ inputTokens: 1200 });
  });

  test('a USD budget is spent by cost; cache tokens are priced at their own rates', async () => {
    const w = await world();
    // $0.01 a week: 1,000 input + 4,000 output + 10,000 cache read + 400 cache write on model.priced = $0.0105.
    const s = await w.meter(batch([invocationRecord({ tenant: 'globex', input: 1000, output: 4000, cacheRead: 10_000, cacheWrite: 400 })]));
    expect(s.disabled).toEqual(['globex']);
    expect(await w.item('T#globex', 'P#WEEK#2026-11-30')).toMatchObject({ costNanoUsd: 10_500_000, periodEnd: '2026-12-07T00:00:00.000Z' });
  });

  test('a failure after counting loses nothing: the retried delivery disables the key without counting twice', async () => {
    const w = await world();
    // The key id item is missing: the batch is counted, then the disable fails and the invocation fails.
    await emulator.dynamodb.send(new (await import('@aws-sdk/client-dynamodb')).DeleteItemCommand({ TableName: w.table, Key: { pk: { S: 'T#acme' }, sk: { S: 'KEY' } } }));
    const event = batch([invocationRecord({ tenant: 'acme', input: 2000, output: 0 })]);
    await expect(w.meter(event)).rejects.toThrow('tenant acme: no API key id in the ledger (item T#acme/KEY); cannot disable its key');
    await emulator.dynamodb.send(new (await import('@aws-sdk/client-dynamodb')).PutItemCommand({ TableName: w.table, Item: { pk: { S: 'T#acme' }, sk: { S: 'KEY' }, apiKeyId: { S: w.keys.acme } } }));
    const retry = await w.meter(event);
    expect(retry.ledger).toMatchObject({ applied: 0, alreadyApplied: 1 });
    expect(retry.disabled).toEqual(['acme']);
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);
    expect(await w.item('T#acme', 'P#DAY#2026-12-01')).toMatchObject({ inputTokens: 2000 });
  });

  test('an unfinished claim blocks other batches during its lease; after it, another batch takes it over and disables the key', async () => {
    const w = await world();
    const { DeleteItemCommand, PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    // Batch A crosses the budget, claims "disable key", then fails (no key id) and is never redelivered.
    await emulator.dynamodb.send(new DeleteItemCommand({ TableName: w.table, Key: { pk: { S: 'T#acme' }, sk: { S: 'KEY' } } }));
    const a = batch([invocationRecord({ tenant: 'acme', input: 2000, output: 0, requestId: 'a' })]);
    await expect(w.meter(a)).rejects.toThrow('tenant acme: no API key id in the ledger (item T#acme/KEY); cannot disable its key');
    await emulator.dynamodb.send(new PutItemCommand({ TableName: w.table, Item: { pk: { S: 'T#acme' }, sk: { S: 'KEY' }, apiKeyId: { S: w.keys.acme } } }));
    const spentSk = ledgerKey.spent('acme', periodWindow('DAY', NOW), budgetSignature(w.settings.tenants.acme.budget!)).sk;
    const holderA = await w.item('T#acme', spentSk);
    expect(holderA).toMatchObject({ claimedAt: new Date(NOW).toISOString() });
    expect(holderA).not.toHaveProperty('doneAt');
    // Batch B, one second before the lease ends: the claim is fresh, B leaves it alone.
    w.setNow(NOW + (CLAIM_LEASE_SECONDS - 1) * 1000);
    const b = await w.meter(batch([invocationRecord({ tenant: 'acme', input: 1, output: 0, requestId: 'b' })]));
    expect(b.disabled).toEqual([]);
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(true);
    expect(await w.item('T#acme', spentSk)).toMatchObject({ claimedBy: holderA!.claimedBy, claimedAt: new Date(NOW).toISOString() });
    // Batch C, one second after the lease: A's claim is stale; C takes it over and disables the key.
    const cNow = NOW + (CLAIM_LEASE_SECONDS + 1) * 1000;
    w.setNow(cNow);
    const c = await w.meter(batch([invocationRecord({ tenant: 'acme', input: 1, output: 0, requestId: 'c' })]));
    expect(c.disabled).toEqual(['acme']);
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);
    expect(await w.item('T#acme', spentSk)).toMatchObject({ claimedBy: c.batchId, claimedAt: new Date(cNow).toISOString(), doneAt: new Date(cNow).toISOString() });
    // A finished claim is never taken again, however old.
    w.setNow(NOW + 3 * CLAIM_LEASE_SECONDS * 1000);
    const d = await w.meter(batch([invocationRecord({ tenant: 'acme', input: 1, output: 0, requestId: 'd' })]));
    expect(d.disabled).toEqual([]);
    expect(w.audit('key-disabled')).toEqual([expect.objectContaining({ tenant: 'acme', tokensUsed: 2002 })]);
    expect(await w.item('T#acme', 'P#DAY#2026-12-01')).toMatchObject({ inputTokens: 2003 });
  });

  test('records from other applications, without a tenant, of unknown tenants, failed and malformed are counted and kept', async () => {
    const w = await world();
    const s = await w.meter(
      batch([
        invocationRecord({ tenant: null, env: null }), // another application: no stamp
        invocationRecord({ env: 'prod' }), // another gateway environment
        invocationRecord({ tenant: null }), // stamped, no tenant
        invocationRecord({ tenant: 'nobody', input: 9, output: 1 }), // not a tenant of this environment
        invocationRecord({ tenant: 'acme', errorCode: 'ThrottlingException', input: 0, output: 0 }), // failed invocation
        'this is not JSON',
        JSON.stringify({ ...invocationRecord({ tenant: 'acme' }), input: { inputTokenCount: -4 } }),
        invocationRecord({ tenant: 'hooli', input: 1, output: 1 }),
      ]),
    );
    expect(s.counts).toEqual({
      Records: 8,
      Metered: 1,
      Foreign: 2,
      NoTenant: 1,
      UnknownTenant: 1,
      FailedInvocations: 1,
      Malformed: 2,
      UnpricedModel: 0,
      RedeliveredChunks: 0,
      KeysDisabled: 0,
      Alerts: 0,
    });
    expect(await w.item('U#test', 'P#DAY#2026-12-01#unknown-tenant')).toMatchObject({ invocations: 1, inputTokens: 9, outputTokens: 1 });
    expect(await w.item('U#test', 'P#DAY#2026-12-01#foreign')).toMatchObject({ invocations: 2 });
    expect(await w.item('U#test', 'P#DAY#2026-12-01#malformed')).toMatchObject({ invocations: 2 });
    const notMetered = w.audit('record-not-metered');
    expect(notMetered.map((l) => l.reason)).toEqual(['no-tenant', 'unknown-tenant', 'failed', 'malformed', 'malformed']);
    expect(notMetered.map((l) => l.detail)).toEqual(['stamped record without gw-tenant', 'tenant not in this environment', 'errorCode ThrottlingException', 'not JSON', 'token counts are not whole numbers >= 0']);
    // Each names the log event, never its content.
    for (const line of notMetered) expect(line.logEventId).toMatch(/^\d{44}$/);
    expect(w.lines.join('\n')).not.toContain('this is not JSON');
    const metric = JSON.parse(w.lines.find((l) => l.includes('"Records"'))!);
    expect(metric).toMatchObject({ Environment: 'test', Foreign: 2, NoTenant: 1, UnknownTenant: 1, FailedInvocations: 1, Malformed: 2 });
  });

  test('an unpriced model: count-tokens meters tokens at cost 0; disable-key treats the budget as spent', async () => {
    const counted = await world();
    const a = await counted.meter(batch([invocationRecord({ tenant: 'globex', model: 'model.unpriced-v1', input: 10, output: 10 })]));
    expect(a.counts.UnpricedModel).toBe(1);
    expect(a.disabled).toEqual([]);
    const item = await counted.item('T#globex', 'P#WEEK#2026-11-30');
    expect(item).toMatchObject({ inputTokens: 10, unpricedInvocations: 1 });
    expect(item?.costNanoUsd ?? 0).toBe(0);

    const closed = await world(testSettings({ unpricedModel: 'disable-key' }));
    const b = await closed.meter(batch([invocationRecord({ tenant: 'globex', model: 'model.unpriced-v1', input: 10, output: 10 })]));
    expect(b.disabled).toEqual(['globex']);
    expect(await keyEnabled(emulator, closed.keys.globex)).toBe(false);
  });

  test('a control message is acknowledged without writes', async () => {
    const w = await world();
    const { gzipSync } = await import('node:zlib');
    const data = gzipSync(JSON.stringify({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: NOW, message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda.' }] })).toString('base64');
    expect((await w.meter({ awslogs: { data } })).ledger.requests).toBe(0);
    await expect(w.meter({ awslogs: {} } as never)).rejects.toThrow('not a CloudWatch Logs subscription event: awslogs.data missing');
  });
});

describe('period reset', () => {
  test('re-enables a spent key in the next period, not before; never re-enables a tenant disabled in config', async () => {
    const settings = testSettings();
    const w = await world(settings, { disabledKeys: ['initech'] });
    await w.meter(batch([invocationRecord({ tenant: 'acme', input: 1000, output: 1 })]));
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);

    const resetAt = (iso: string) => createResetHandler(settings, { dynamodb: emulator.dynamodb, apiGateway: emulator.apiGateway, tableName: w.table, log: () => undefined, now: () => Date.parse(iso) })();
    expect(await resetAt('2026-12-01T23:00:00Z')).toEqual({ enabled: [], stillSpent: ['acme'], disabledInConfig: ['initech'], missingKey: [] });
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);
    // acme's DAY period ends at 00:00 UTC.
    expect(await resetAt('2026-12-02T00:00:00Z')).toEqual({ enabled: ['acme'], stillSpent: [], disabledInConfig: ['initech'], missingKey: [] });
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(true);
    expect(await keyEnabled(emulator, w.keys.initech)).toBe(false);
    // Nothing to do on the next run.
    expect((await resetAt('2026-12-02T01:00:00Z')).enabled).toEqual([]);
  });

  test('a raised budget re-enables within the period; the spent claim is per budget, so the new budget can be enforced again', async () => {
    const settings = testSettings();
    const w = await world(settings);
    await w.meter(batch([invocationRecord({ tenant: 'acme', input: 1000, output: 0 })]));
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);
    const raised = testSettings({ tenants: { ...settings.tenants, acme: { tier: 'gold', enabled: true, budget: { period: 'DAY', tokens: { limit: 2000, count: 'total' }, alertThresholds: [] } } } });
    const reset = createResetHandler(raised, { dynamodb: emulator.dynamodb, apiGateway: emulator.apiGateway, tableName: w.table, log: () => undefined, now: () => NOW });
    expect((await reset()).enabled).toEqual(['acme']);
    const meterRaised = createMeteringHandler(raised, { dynamodb: emulator.dynamodb, apiGateway: emulator.apiGateway, tableName: w.table, log: () => undefined, now: () => NOW });
    expect((await meterRaised(batch([invocationRecord({ tenant: 'acme', input: 1000, output: 0 })]))).disabled).toEqual(['acme']);
    expect(await keyEnabled(emulator, w.keys.acme)).toBe(false);
  });
});
