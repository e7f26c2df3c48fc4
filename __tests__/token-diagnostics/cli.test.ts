/**
 * The command lines, in process: the example config loaded as synth loads it, the environment's
 * settings built as the stack bundles them, `--resolve` pointing the providers' hosts at local
 * servers. Exit codes, stdin, --json, and every usage error with its exact message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DevIdpServer, devSigningKey } from '../../local-gateway/dev-idp';
import { parseResolve, resolveUrl, runCheckIdp, runExplainToken, type CliIo } from '../../token-diagnostics/cli';
import { EXAMPLE_CONFIG_DIR } from '../helpers/config';
import { cognitoAccessToken, entraAccessToken, NOW_MS, oktaAccessToken, startProviders, type Providers } from './support/providers';

let p: Providers;

beforeAll(async () => {
  p = await startProviders();
});
afterEach(() => p.publishAsProvidersDo());
afterAll(async () => p.close());

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: typeof runExplainToken, argv: string[], stdin?: string): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: async () => stdin,
    configDir: EXAMPLE_CONFIG_DIR,
    now: () => NOW_MS,
  };
  const code = await command(argv, io);
  return { code, stdout, stderr };
}

const resolveArgs = () => [...p.resolve].flatMap(([host, origin]) => ['--resolve', `${host}=${origin}`]);

describe('npm run explain-token', () => {
  it('exit 0 for an allowed token read from stdin; the report names the environment and the outcome', async () => {
    const { code, stdout, stderr } = await run(runExplainToken, ['--env', 'dev', ...resolveArgs()], `${oktaAccessToken(p)}\n`);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout.split('\n').slice(0, 1)).toEqual(['explain-token: environment "dev"']);
    expect(stdout).toContain('\noutcome: allowed: API Gateway passes the call on to Bedrock, counted against tenant "globex"\'s usage plan\n');
  });

  it('exit 1 for a refused token given with --token, --model and --route', async () => {
    const token = entraAccessToken(p);
    const { code, stdout } = await run(runExplainToken, ['--env', 'prod', '--token', token, '--model', 'amazon.titan-text-express-v1', '--route', 'invoke', ...resolveArgs()]);
    expect(code).toBe(1);
    expect(stdout).toContain('request: POST /model/amazon.titan-text-express-v1/invoke (model: from --model)\n');
    expect(stdout).toContain('method ARN: arn:aws:execute-api:us-west-2:000000000000:explaintkn/v1/POST/model/amazon.titan-text-express-v1/invoke');
    expect(stdout).toContain(
      '  [FAIL] route and model: model "amazon.titan-text-express-v1" is not one of tenant "umbrella"\'s models (anthropic.claude-3-5-sonnet-20240620-v1:0, anthropic.claude-3-haiku-20240307-v1:0)\n',
    );
    expect(stdout).not.toContain(token.split('.')[2]);
  });

  it('--json prints the explanation object, without the token', async () => {
    const token = cognitoAccessToken(p);
    const { code, stdout } = await run(runExplainToken, ['--env', 'dev', '--json', ...resolveArgs()], token);
    const json = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(json.outcome).toEqual({ status: 403, decision: 'deny', reason: 'TENANT_CLAIM_MISSING', detail: null });
    expect(json.checks.find((c: { status: string }) => c.status === 'fail').id).toBe('claims');
    for (const part of token.split('.')) expect(stdout).not.toContain(part.slice(0, 64));
  });

  it('without --resolve nothing is fetched for a token whose issuer is unknown (no network needed to explain it)', async () => {
    const { code, stdout } = await run(runExplainToken, ['--env', 'dev'], oktaAccessToken(p, { iss: 'https://example-corp.okta.com' }));
    expect(code).toBe(1);
    expect(stdout).toContain('reason: ISSUER_UNKNOWN\n');
  });

  it.each([
    [[], 'a token', 'error: --env is required; configured environments: dev, prod, local, local-forwarder'],
    [['--env', 'staging'], 'a token', 'error: unknown environment "staging"; configured: dev, prod, local, local-forwarder'],
    [['--env', 'dev'], undefined, 'error: no token: pass --token <jwt>, or pipe it on stdin'],
    [['--env', 'dev'], '  \n', 'error: no token: pass --token <jwt>, or pipe it on stdin'],
    [['--env', 'dev', '--route', 'converse-stream'], 'a token', 'error: --route must be one of converse, invoke (got "converse-stream")'],
    [['--env', 'dev', '--model'], 'a token', 'error: --model needs a value'],
    [['--env', 'dev', '--env', 'prod'], 'a token', 'error: --env given more than once'],
    [['--env', 'dev', '--verbose'], 'a token', 'error: unknown argument "--verbose"'],
    [['--env', 'dev', '--resolve', 'login.microsoftonline.com'], 'a token', 'error: --resolve "login.microsoftonline.com": expected <host>=<origin>, e.g. login.microsoftonline.com=http://127.0.0.1:8080'],
  ])('usage error %j', async (argv, stdin, message) => {
    const { code, stdout, stderr } = await run(runExplainToken, argv as string[], stdin as string | undefined);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr.split('\n')[0]).toBe(message);
    expect(stderr).toContain('usage: npm run explain-token -- --env <name>');
  });

  it('warns about a model outside the catalogue, and still asks the authorizer', async () => {
    const { code, stderr } = await run(runExplainToken, ['--env', 'dev', '--model', 'openai.gpt-oss-120b-1:0', ...resolveArgs()], oktaAccessToken(p));
    expect(code).toBe(1);
    expect(stderr).toBe('note: model "openai.gpt-oss-120b-1:0" is not in the catalogue (config/models.ts); the authorizer will refuse it\n');
  });
});

describe('npm run check-idp', () => {
  it('exit 0 when every provider matches; --idp narrows to one', async () => {
    const all = await run(runCheckIdp, ['--env', 'dev', ...resolveArgs()]);
    expect([all.code, all.stderr]).toEqual([0, '']);
    expect(all.stdout.split('\n').at(-2)).toBe('no mismatch in 3 identity providers');
    const one = await run(runCheckIdp, ['--env', 'dev', '--idp', 'entra', ...resolveArgs()]);
    expect(one.stdout).toContain('identity provider "entra" (https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/v2.0)\n');
    expect(one.stdout).not.toContain('"okta"');
  });

  it('exit 1 on a mismatch, with the finding in the report and in --json', async () => {
    const discovery = new URL(`${p.idps.okta.issuer}/.well-known/openid-configuration`).pathname;
    p.servers.okta.json(discovery, { issuer: `${p.idps.okta.issuer}/`, jwks_uri: p.idps.okta.jwksUri });
    const text = await run(runCheckIdp, ['--env', 'dev', ...resolveArgs()]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('  [FAIL] issuer differs: the provider says "https://example-corp.okta.com/oauth2/ausexample0gateway01/"');
    expect(text.stdout.split('\n').at(-2)).toBe('1 mismatch in 3 identity providers');
    const json = await run(runCheckIdp, ['--env', 'dev', '--json', '--idp', 'okta', ...resolveArgs()]);
    expect(JSON.parse(json.stdout).reports[0].findings.map((f: { code: string }) => f.code)).toEqual(['ISSUER_MISMATCH']);
  });

  describe('--env local: the development IdP the local authorizer trusts, not the real providers', () => {
    const keyDir = mkdtempSync(path.join(tmpdir(), 'check-idp-dev-'));
    const key = devSigningKey(keyDir);
    const dev = new DevIdpServer(['cognito', 'entra', 'okta'], key);

    beforeAll(async () => {
      await dev.start();
      // config/environments.ts reads the development IdP's URL when it is loaded: load it afresh.
      process.env.GATEWAY_DEV_IDP_URL = dev.url;
      jest.resetModules();
    });
    afterAll(async () => {
      delete process.env.GATEWAY_DEV_IDP_URL;
      jest.resetModules();
      await dev.stop();
      rmSync(keyDir, { recursive: true, force: true });
    });

    it('checks the loopback issuer and JWKS of each provider, as explain-token trusts them', async () => {
      const before = dev.requests;
      const { code, stdout, stderr } = await run(runCheckIdp, ['--env', 'local', '--idp', 'okta']);
      const issuer = `${dev.url}/idp/okta`;
      expect([code, stderr]).toEqual([0, '']);
      expect(stdout).toBe(
        [
          'check-idp: environment "local"',
          '',
          `identity provider "okta" (${issuer})`,
          `  [ ok ] discovery document ${issuer}/.well-known/openid-configuration answered`,
          `  [ ok ] issuer matches: "${issuer}"`,
          `  [ ok ] jwks_uri matches: ${issuer}/jwks.json`,
          `  [ ok ] JWKS ${issuer}/jwks.json publishes 1 key: kid "${key.kid}" (RSA, RS256, use sig)`,
          '  [ ok ] RS256: at least one published key can verify it',
          '',
          'no mismatch in 1 identity provider',
          '',
        ].join('\n'),
      );
      // Discovery document and JWKS, both from the development IdP.
      expect(dev.requests - before).toBe(2);
      const all = await run(runCheckIdp, ['--env', 'local']);
      expect([all.code, all.stdout.split('\n').at(-2)]).toEqual([0, 'no mismatch in 3 identity providers']);
    });

    it('--env dev still checks the configured providers (here resolved to their stand-ins)', async () => {
      const { code, stdout } = await run(runCheckIdp, ['--env', 'dev', '--idp', 'okta', ...resolveArgs()]);
      expect(code).toBe(0);
      expect(stdout).toContain('identity provider "okta" (https://example-corp.okta.com/oauth2/ausexample0gateway01)\n');
    });
  });

  it('usage errors', async () => {
    const unknown = await run(runCheckIdp, ['--env', 'dev', '--idp', 'auth0']);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, 'error: unknown identity provider "auth0"; configured: cognito, entra, okta']);
    const noEnv = await run(runCheckIdp, []);
    expect([noEnv.code, noEnv.stderr.split('\n')[0]]).toEqual([2, 'error: --env is required; configured environments: dev, prod, local, local-forwarder']);
  });
});

describe('--resolve', () => {
  it('maps a host to an origin, keeping path and query; other hosts unchanged', () => {
    const map = parseResolve(['Login.MicrosoftOnline.com=http://127.0.0.1:8080']);
    expect(resolveUrl('https://login.microsoftonline.com/t/discovery/v2.0/keys?appid=x', map)).toBe('http://127.0.0.1:8080/t/discovery/v2.0/keys?appid=x');
    expect(resolveUrl('https://example-corp.okta.com/oauth2/x/v1/keys', map)).toBe('https://example-corp.okta.com/oauth2/x/v1/keys');
  });
  it.each(['=http://127.0.0.1:1', 'host=ftp://x', 'host=http://127.0.0.1:1/path', 'host=not a url'])('refuses %s', (entry) => {
    expect(() => parseResolve([entry])).toThrow(`--resolve ${JSON.stringify(entry)}: expected <host>=<origin>`);
  });
});
