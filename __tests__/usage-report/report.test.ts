/** `npm run usage`: the report read back from a ledger the metering handler wrote on the emulator. */
import { createMeteringHandler } from '../../functions/metering/meter';
import { toSubscriptionEvent } from '../../functions/metering/subscription';
import { parseUsageArgs } from '../../scripts/usage';
import { buildUsageReport, formatUsageReport } from '../../usage-report/report';
import { createLedger, invocationRecord, NOW, startEmulator, testSettings, type Emulator } from '../functions/metering/support/world';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
}, 180_000);
afterAll(async () => {
  await emulator?.moto.stop();
});

test('per tenant: tokens, cost, budget, percent used, state and reset time; JSON and table', async () => {
  const settings = testSettings();
  const ledger = await createLedger(emulator, Object.keys(settings.tenants), { disabledKeys: ['initech'] });
  const meter = createMeteringHandler(settings, { dynamodb: emulator.dynamodb, apiGateway: emulator.apiGateway, tableName: ledger.table, log: () => undefined, now: () => NOW });
  await meter(
    toSubscriptionEvent(
      [invocationRecord({ tenant: 'acme', input: 900, output: 200, cacheRead: 100 }), invocationRecord({ tenant: 'globex', input: 1000, output: 1000 }), invocationRecord({ tenant: 'hooli', input: 5, output: 5 })],
      { logGroup: '/g' },
    ),
  );
  const rows = await buildUsageReport(settings, { dynamodb: emulator.dynamodb, apiGateway: emulator.apiGateway, tableName: ledger.table, nowMs: NOW });
  expect(rows.map((r) => [r.tenant, r.period, r.periodStart, r.inputTokens, r.outputTokens, r.costUsd, r.percentUsed, r.state, r.keyEnabled, r.resetsAt])).toEqual([
    // 1,200 of 1,000 tokens (cache reads count as input): spent, key disabled.
    ['acme', 'DAY', '2026-12-01', 1000, 200, 0.00131, 120, 'spent', false, '2026-12-02T00:00:00.000Z'],
    // $0.003 of $0.01.
    ['globex', 'WEEK', '2026-11-30', 1000, 1000, 0.003, 30, 'active', true, '2026-12-07T00:00:00.000Z'],
    ['hooli', 'MONTH', '2026-12-01', 5, 5, 0.000015, null, 'active', true, '2027-01-01T00:00:00.000Z'],
    ['initech', 'DAY', '2026-12-01', 0, 0, 0, 0, 'disabled', false, '2026-12-02T00:00:00.000Z'],
  ]);
  expect(rows[0].budget).toEqual({ tokens: { limit: 1000, count: 'total' } });
  const previous = await buildUsageReport(settings, { dynamodb: emulator.dynamodb, tableName: ledger.table, nowMs: NOW, period: 'previous' });
  expect(previous.map((r) => [r.tenant, r.periodStart, r.inputTokens, r.keyEnabled])).toEqual([
    ['acme', '2026-11-30', 0, null],
    ['globex', '2026-11-23', 0, null],
    ['hooli', '2026-11-01', 0, null],
    ['initech', '2026-11-30', 0, null],
  ]);
  const table = formatUsageReport('test', rows).split('\n');
  expect(table[0]).toBe('Token usage, environment test');
  expect(table[1]).toMatch(/^tenant\s+tier\s+period\s+tokens in\s+tokens out\s+cost\s+budget\s+used\s+state\s+resets at \(UTC\)$/);
  expect(table[3]).toMatch(/^acme\s+gold\s+DAY 2026-12-01\s+1,000\s+200\s+\$0\.001310\s+1,000 total tokens\s+120%\s+spent\s+2026-12-02 00:00$/);
  expect(table[4]).toMatch(/^globex .* \$0\.003000\s+\$0\.01\s+30%\s+active\s+2026-12-07 00:00$/);
});

test('arguments', () => {
  expect(parseUsageArgs(['--env', 'dev'])).toEqual({ env: 'dev', period: 'current', json: false });
  expect(parseUsageArgs(['--env', 'dev', '--period', '2026-11-15', '--json'])).toEqual({ env: 'dev', period: '2026-11-15', json: true });
  expect(parseUsageArgs([])).toBe('--env is required\nusage: npm run usage -- --env <name> [--period current|previous|YYYY-MM-DD] [--json]');
  expect(parseUsageArgs(['--env', 'dev', '--period', 'last-week'])).toBe(
    '--period must be current, previous or a date YYYY-MM-DD (got "last-week")\nusage: npm run usage -- --env <name> [--period current|previous|YYYY-MM-DD] [--json]',
  );
});
