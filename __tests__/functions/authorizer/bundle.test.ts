/**
 * The deployable artefact: `index.ts` bundled by the same esbuild step the stack runs at synth,
 * with the tenant table generated from the validated config baked in. The bundle itself is
 * loaded and run against a real JWKS, so what is tested is what Lambda runs.
 */
import * as path from 'node:path';
import { loadConfig } from '../../../gateway-config/load';
import { apiKeyValue } from '../../../gateway-config/derive';
import { buildAuthorizerSettings } from '../../../gateway-config/tenant-table';
import type { TokenAuthorizerHandler } from '../../../functions/authorizer/handler';
import type { AuthorizerSettings } from '../../../functions/authorizer/settings';
import { bundleFunction } from '../../../stacks/constructs/nodejs-function';
import { evaluatePolicy } from './support/policy-evaluator';
import { bearer, cognitoAccessClaims, methodArn, MODELS, startWorld, type World } from './support/world';
import { mint } from './support/jwt';

const ENTRY = path.join(__dirname, '../../../functions/authorizer/index.ts');

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

describe('authorizer bundle', () => {
  it('bakes in the tenant table built from the example config, and stays small', () => {
    const { config } = loadConfig();
    const environment = config.environments.find((e) => e.name === 'dev')!;
    const settings = buildAuthorizerSettings(config, environment, { embedTenants: true });
    const bundle = bundleFunction({ entry: ENTRY, jsonModules: { 'gateway:authorizer-settings': settings } });

    // Embedded as one JSON string for JSON.parse (the example's JSON needs no escaping in single quotes).
    // (boolean checks: a failed toContain would print the whole bundle)
    expect(bundle.code.includes(`JSON.parse('${JSON.stringify(settings)}')`)).toBe(true);
    // Normalized: each model id is written once, however many tiers and tenants may call it.
    for (const model of settings.tenants.models) expect([model, bundle.code.split(model).length - 1]).toEqual([model, 1]);
    // API key values are derived in the function, not carried: none is in the bundle.
    for (const tenant of config.tenants) {
      expect([tenant.id, bundle.code.includes(apiKeyValue(environment, tenant.id))]).toEqual([tenant.id, false]);
    }
    for (const idp of settings.identityProviders) expect([idp.id, bundle.code.includes(JSON.stringify(idp.jwksUri))]).toEqual([idp.id, true]);
    expect(Buffer.byteLength(bundle.code)).toBeLessThanOrEqual(40 * 1024);
    // Same config, same bytes: the asset hash only changes with a real change.
    expect(bundleFunction({ entry: ENTRY, jsonModules: { 'gateway:authorizer-settings': settings } }).sha256).toBe(bundle.sha256);
  });

  it('runs as bundled: Allow for a valid token, 401 for a bad one', async () => {
    // The bundle uses the real clock, so the token is minted for now.
    const settings: AuthorizerSettings = world.settings;
    const bundle = bundleFunction({ entry: ENTRY, jsonModules: { 'gateway:authorizer-settings': settings } });
    const { handler } = require(path.join(bundle.dir, 'index.js')) as { handler: TokenAuthorizerHandler };
    const now = Math.floor(Date.now() / 1000);
    const token = mint(world.keys.cognito, cognitoAccessClaims('acme', { iat: now - 10, auth_time: now - 10, exp: now + 600 }));

    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const response = await handler({ type: 'TOKEN', authorizationToken: bearer(token), methodArn: methodArn(MODELS.sonnet, 'invoke') });
      expect(evaluatePolicy(response, methodArn(MODELS.sonnet, 'invoke'))).toBe('Allow');
      expect(response.usageIdentifierKey).toBe('bag-acme-key');
      await expect(handler({ type: 'TOKEN', authorizationToken: 'Bearer nope', methodArn: methodArn(MODELS.sonnet) })).rejects.toThrow(/^Unauthorized$/);
    } finally {
      spy.mockRestore();
    }
    expect(written.map((line) => JSON.parse(line)).map((l) => [l.decision, l.reason])).toEqual([
      ['allow', 'ALLOWED'],
      ['unauthorized', 'TOKEN_MALFORMED'],
    ]);
  });
});
