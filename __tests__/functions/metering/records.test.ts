import { classifyRecord, catalogueModelId } from '../../../functions/metering/invocation-log';
import { expiresAt, periodWindow } from '../../../functions/metering/periods';
import { decodeSubscriptionEvent, toSubscriptionEvent } from '../../../functions/metering/subscription';
import { batchIdOf } from '../../../functions/metering/meter';
import { invocationRecord, testSettings } from './support/world';

describe('periods (UTC)', () => {
  test('a week starts on Monday 00:00 UTC', () => {
    // Sunday 2026-12-06 23:59:59 belongs to the week of Monday 2026-11-30.
    expect(periodWindow('WEEK', Date.parse('2026-12-06T23:59:59Z'))).toEqual({ period: 'WEEK', start: '2026-11-30', startMs: Date.parse('2026-11-30T00:00:00Z'), endMs: Date.parse('2026-12-07T00:00:00Z') });
    expect(periodWindow('WEEK', Date.parse('2026-12-07T00:00:00Z')).start).toBe('2026-12-07');
  });
  test('day and month boundaries, across a year', () => {
    expect(periodWindow('DAY', Date.parse('2026-12-31T23:59:59.999Z')).endMs).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(periodWindow('MONTH', Date.parse('2026-12-15T12:00:00Z'))).toMatchObject({ start: '2026-12-01', endMs: Date.parse('2027-01-01T00:00:00Z') });
    expect(expiresAt(periodWindow('MONTH', Date.parse('2026-12-15T12:00:00Z')), 3)).toBe(Date.parse('2027-04-01T00:00:00Z') / 1000);
  });
});

describe('invocation log records', () => {
  const settings = testSettings();
  test('model ARNs are reduced to catalogue ids', () => {
    expect(catalogueModelId('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0')).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(catalogueModelId('arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('global.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(catalogueModelId('amazon.nova-pro-v1:0')).toBe('amazon.nova-pro-v1:0');
  });
  test('the tenant is decoded with the tenant stamp encoding', () => {
    const record = invocationRecord({ tenant: 'acme', input: 3, output: 4 });
    expect(classifyRecord(JSON.stringify(record), 0, settings)).toMatchObject({ kind: 'metered', tenant: 'acme', model: 'model.priced-v1', tokens: { input: 3, output: 4, cacheRead: 0, cacheWrite: 0 }, costNanoUsd: 11_000 });
    // `a|b` is stamped as `a=7Cb`: decoded before the lookup.
    const odd = invocationRecord({ tenant: 'a|b' });
    expect(classifyRecord(JSON.stringify(odd), 0, settings)).toMatchObject({ kind: 'unknown-tenant', tenant: 'a|b' });
  });
  test('another schema, a bad escape in the stamp, and a missing output count', () => {
    expect(classifyRecord(JSON.stringify({ schemaType: 'Other' }), 0, settings)).toMatchObject({ kind: 'foreign', detail: 'schemaType Other' });
    expect(classifyRecord(JSON.stringify({ ...invocationRecord(), requestMetadata: { 'gw-env': 'te=ZZst' } }), 0, settings)).toMatchObject({ kind: 'foreign', detail: 'no gw-env in requestMetadata' });
    expect(classifyRecord(JSON.stringify({ ...invocationRecord(), output: {} }), 0, settings)).toMatchObject({ kind: 'malformed', detail: 'input.inputTokenCount or output.outputTokenCount missing' });
  });
});

describe('subscription payloads', () => {
  test('round trip; event ids are stable, so the batch id is the same on redelivery', () => {
    const records = [invocationRecord({ requestId: 'r1' }), invocationRecord({ requestId: 'r2' })];
    const a = decodeSubscriptionEvent(toSubscriptionEvent(records, { logGroup: '/g' }));
    const b = decodeSubscriptionEvent(toSubscriptionEvent(records, { logGroup: '/g' }));
    expect(a).toMatchObject({ messageType: 'DATA_MESSAGE', logGroup: '/g', logStream: 'aws/bedrock/modelinvocations', subscriptionFilters: ['metering'] });
    expect(a.logEvents.map((e) => e.id)).toEqual(b.logEvents.map((e) => e.id));
    expect(a.logEvents[0].timestamp).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(JSON.parse(a.logEvents[1].message)).toEqual(records[1]);
    expect(batchIdOf('/g', a.logEvents.map((e) => e.id))).toBe(batchIdOf('/g', [...b.logEvents.map((e) => e.id)].reverse()));
    expect(batchIdOf('/g', a.logEvents.map((e) => e.id))).not.toBe(batchIdOf('/g', a.logEvents.slice(1).map((e) => e.id)));
  });
});
