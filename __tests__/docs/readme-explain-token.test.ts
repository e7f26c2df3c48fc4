/**
 * The README's sample explain-token report is real output: the CLI (`runExplainToken`, as
 * `npm run explain-token` runs it) on the example config's dev environment, for a Cognito access
 * token without the trigger's tenant claim, at the fixed clock the provider tests use, with the
 * provider's JWKS served on 127.0.0.1. The one difference is undone before comparing: with
 * `--resolve` the report prints the loopback origin where a user sees the provider's own URL.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runExplainToken, type CliIo } from '../../token-diagnostics/cli';
import { EXAMPLE_CONFIG_DIR, REPO_ROOT } from '../helpers/config';
import { cognitoAccessToken, NOW_MS, startProviders, type Providers } from '../token-diagnostics/support/providers';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const INTRO = "A Cognito access token without the trigger's claim:\n\n```\n";

let p: Providers;
beforeAll(async () => {
  p = await startProviders();
});
afterAll(async () => p.close());

test("the sample report equals explain-token's output for a Cognito access token without the tenant claim", async () => {
  const start = README.indexOf(INTRO);
  expect(start).toBeGreaterThan(0);
  const sample = README.slice(start + INTRO.length, README.indexOf('```\n', start + INTRO.length));

  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: async () => cognitoAccessToken(p), configDir: EXAMPLE_CONFIG_DIR, now: () => NOW_MS };
  const resolveArgs = [...p.resolve].flatMap(([host, origin]) => ['--resolve', `${host}=${origin}`]);
  const code = await runExplainToken(['--env', 'dev', ...resolveArgs], io);

  expect([code, stderr]).toEqual([1, '']);
  let shown = stdout;
  for (const [host, origin] of p.resolve) shown = shown.split(origin).join(`https://${host}`);
  expect(shown).toContain('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01/.well-known/jwks.json');
  expect(sample).toBe(shown);
});
