/**
 * `npm run token` (scripts/token.ts): argument errors name what was wrong and exit 2; a real run
 * prints only the token (so `TOKEN=$(npm run -s token -- --tenant acme)` works), signed with the
 * development IdP's key for the issuer the `local` stack trusts.
 */
import { compactVerify, importJWK } from 'jose';
import { devSigningKey } from '../../local-gateway/dev-idp';
import { parseTokenArgs } from '../../scripts/token';
import { runInRepo, runScript } from '../helpers/run-script';

const USAGE = 'usage: npm run token -- --tenant <id> [--idp <id>] [--role <role>] [--ttl <seconds>] [--environment <name>]';
const IDP_URL = 'http://127.0.0.1:4987';

const env = { GATEWAY_DEV_IDP_URL: IDP_URL };
const run = (command: string, args: string[]) => runInRepo(command, args, { env });
const tokenScript = (...args: string[]) => runScript('token.ts', args, { env });

describe('parseTokenArgs', () => {
  test.each([
    [[], '--tenant is required'],
    [['--role', 'admin'], '--tenant is required'],
    [['--tenant', 'acme', '--scope', 'x'], 'unknown argument "--scope"'],
    [['acme'], 'unknown argument "acme"'],
    [['--tenant'], '--tenant needs a value'],
    [['--tenant', '--idp', 'okta'], '--tenant needs a value'],
  ])('%j: %s, then the usage', (args, message) => {
    expect(() => parseTokenArgs(args)).toThrow(`${message}\n${USAGE}`);
  });

  test.each(['abc', '1.5', '1e3', ''])('--ttl %j is not a whole number of seconds', (ttl) => {
    expect(() => parseTokenArgs(['--tenant', 'acme', '--ttl', ttl])).toThrow(`--ttl ${JSON.stringify(ttl)}: must be a whole number of seconds`);
  });

  test('every flag, a negative ttl (an expired token) included', () => {
    expect(parseTokenArgs(['--tenant', 'acme', '--idp', 'okta', '--role', 'admin', '--ttl', '-60', '--environment', 'local-forwarder'])).toEqual({
      '--tenant': 'acme', '--idp': 'okta', '--role': 'admin', '--ttl': '-60', '--environment': 'local-forwarder',
    });
  });
});

describe('the CLI', () => {
  test.each([
    [['--role', 'admin'], `--tenant is required\n${USAGE}\n`],
    [['--tenant', 'acme', '--scope', 'x'], `unknown argument "--scope"\n${USAGE}\n`],
    [['--tenant', 'acme', '--ttl', 'soon'], '--ttl "soon": must be a whole number of seconds\n'],
  ])('%j: exit 2, the error on stderr, nothing on stdout', async (args, stderr) => {
    expect(await tokenScript(...args)).toEqual({ code: 2, stdout: '', stderr });
  }, 60_000);

  test('npm run -s token -- --tenant acme --ttl 120: only the token on stdout, signed by the development key for the local stack\'s cognito issuer', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { code, stdout, stderr } = await run('npm', ['run', '-s', 'token', '--', '--tenant', 'acme', '--ttl', '120']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const key = devSigningKey();
    const { payload, protectedHeader } = await compactVerify(stdout.trim(), await importJWK(key.publicJwk, 'RS256'));
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: key.kid });
    const claims = JSON.parse(Buffer.from(payload).toString('utf8'));
    expect(claims).toMatchObject({ iss: `${IDP_URL}/idp/cognito`, sub: 'dev-user@acme', 'custom:tenant_id': 'acme', 'cognito:groups': ['developer'], token_use: 'access' });
    expect(claims.exp - claims.iat).toBe(120);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
  }, 60_000);
});
