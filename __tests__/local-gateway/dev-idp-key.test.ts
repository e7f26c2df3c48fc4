/**
 * The development IdP's signing key is created once per checkout, also when several processes
 * (the tests' workers, `npm start` and `npm run token`) ask for it at the same moment.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { devSigningKey } from '../../local-gateway/dev-idp';
import { REPO_ROOT } from '../helpers/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bag-dev-idp-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A separate Node process that creates or reads the key in `keyDir` and prints its kid. */
function kidFromAnotherProcess(keyDir: string): Promise<string> {
  const script = `process.stdout.write(require(${JSON.stringify(path.join(REPO_ROOT, 'local-gateway', 'dev-idp.ts'))}).devSigningKey(${JSON.stringify(keyDir)}).kid)`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: REPO_ROOT }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
  });
}

test('created on first use, private to the user, and the same key on every later call', () => {
  const first = devSigningKey(dir);
  expect(first.kid).toMatch(/^dev-[A-Za-z0-9_-]{16}$/);
  expect(readdirSync(dir)).toEqual(['signing-key.pem']);
  expect(statSync(path.join(dir, 'signing-key.pem')).mode & 0o777).toBe(0o600);
  expect(devSigningKey(dir).kid).toBe(first.kid);
});

test('four processes racing to create it all end up with one key and leave no scratch files', async () => {
  const kids = await Promise.all([0, 1, 2, 3].map(() => kidFromAnotherProcess(dir)));
  expect(new Set(kids).size).toBe(1);
  expect(kids[0]).toBe(devSigningKey(dir).kid);
  expect(readdirSync(dir)).toEqual(['signing-key.pem']);
}, 120_000);
