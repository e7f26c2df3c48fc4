/**
 * `npm run explain-token` and `npm run check-idp` as users run them: the scripts in a child
 * process (tsx), the example config, the providers' hosts resolved to servers on 127.0.0.1,
 * the token on stdin and the real clock.
 */
import { runScript } from '../helpers/run-script';
import { cognitoAccessToken, startProviders, type Providers } from '../token-diagnostics/support/providers';

let p: Providers;

beforeAll(async () => {
  p = await startProviders();
});
afterAll(async () => p.close());


const resolveArgs = () => [...p.resolve].flatMap(([host, origin]) => ['--resolve', `${host}=${origin}`]);

test('explain-token reads the token from stdin, prints the diagnosis and exits 1 for a refusal', async () => {
  const now = Math.floor(Date.now() / 1000);
  const token = cognitoAccessToken(p, { iat: now - 10, auth_time: now - 10, exp: now + 3600 });
  const run = await runScript('explain-token.ts', ['--env', 'dev', ...resolveArgs()], { stdin: `${token}\n` });
  expect([run.code, run.stderr]).toEqual([1, '']);
  expect(run.stdout).toContain('\nreason: TENANT_CLAIM_MISSING\n');
  expect(run.stdout).toContain('  [FAIL] tenant, role and tier claims: tenant: claim "custom:tenant_id" is missing\n');
  expect(run.stdout).not.toContain(token.split('.')[2]);
}, 180_000);

test('check-idp exits 0 when every provider matches its config', async () => {
  const run = await runScript('check-idp.ts', ['--env', 'dev', ...resolveArgs()], { stdin: '' });
  expect([run.code, run.stderr]).toEqual([0, '']);
  expect(run.stdout.trim().split('\n').at(-1)).toBe('no mismatch in 3 identity providers');
}, 180_000);

test('usage errors exit 2', async () => {
  const run = await runScript('check-idp.ts', ['--env', 'nope'], { stdin: '' });
  expect(run.code).toBe(2);
  expect(run.stderr.split('\n')[0]).toBe('error: unknown environment "nope"; configured: dev, prod, local, local-forwarder');
}, 180_000);
