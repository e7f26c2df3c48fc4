/**
 * The deployable artefact: `functions/forwarder/index.ts` bundled by the synth-time esbuild step
 * with the example's local-forwarder settings, loaded and run as Lambda would run it: credentials
 * from the environment, the endpoint override pointing at a loopback stand-in whose SigV4
 * verifier checks every call.
 */
import * as path from 'node:path';
import type { ForwarderHandler } from '../../../functions/forwarder/handler';
import { buildForwarderSettings } from '../../../gateway-config/tenant-table';
import { verifySigV4, type SigV4Result } from '../../../local-gateway/sigv4-verify';
import { FORWARDER_ENTRY, FORWARDER_MAIN_FIELDS, FORWARDER_SETTINGS_MODULE } from '../../../stacks/constructs/lambda-forwarder';
import { bundleFunction } from '../../../stacks/constructs/nodejs-function';
import { exampleConfig } from '../../helpers/config';
import { BedrockStandIn, CONVERSE_OK } from '../../helpers/bedrock-stand-in';

const config = exampleConfig();
const environment = config.environments.find((e) => e.name === 'local-forwarder')!;
const settings = buildForwarderSettings(config, environment);
const build = () => bundleFunction({ entry: FORWARDER_ENTRY, jsonModules: { [FORWARDER_SETTINGS_MODULE]: settings }, mainFields: FORWARDER_MAIN_FIELDS });
const KEYS = { accessKeyId: 'AKIDBUNDLETEST', secretAccessKey: 'bundle-test-secret' };

let standIn: BedrockStandIn;
const verdicts: SigV4Result[] = [];
const saved = { ...process.env };
beforeAll(async () => {
  standIn = await BedrockStandIn.start();
  standIn.onRequest = (request) => verdicts.push(verifySigV4(request, { credentials: [KEYS], region: environment.region }));
});
afterAll(async () => {
  for (const key of ['GATEWAY_BEDROCK_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await standIn.close();
});

test('bakes in every tenant allowlist, stays under 400 KB with the SDK, and is byte-identical from one build to the next', () => {
  const bundle = build();
  // Embedded as one JSON string for JSON.parse (the example's JSON needs no escaping in single quotes).
  expect(bundle.code.includes(`JSON.parse('${JSON.stringify(settings)}')`)).toBe(true);
  for (const [tenantId, entry] of Object.entries(settings.tenants)) {
    expect([tenantId, bundle.code.includes(`"${tenantId}":{"enabled":${entry.enabled},"models":${JSON.stringify(entry.models)}}`)]).toEqual([tenantId, true]);
  }
  expect(Buffer.byteLength(bundle.code)).toBeLessThanOrEqual(400 * 1024);
  expect(build().sha256).toBe(bundle.sha256);
});

test('runs as bundled: a signed call for an allowed model, 403 for another, nothing sent for it', async () => {
  const tenantId = Object.keys(settings.tenants).find((t) => settings.tenants[t].enabled)!;
  const allowed = settings.tenants[tenantId].models.find((m) => m.includes(':'))!;
  const outside = config.models.map((m) => m.id).find((m) => !settings.tenants[tenantId].models.includes(m))!;
  process.env.GATEWAY_BEDROCK_ENDPOINT = standIn.endpoint;
  process.env.AWS_ACCESS_KEY_ID = KEYS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = KEYS.secretAccessKey;
  const { handler } = require(path.join(build().dir, 'index.js')) as { handler: ForwarderHandler };
  const event = (model: string) => ({
    resource: '/model/{modelId}/converse',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    pathParameters: { modelId: encodeURIComponent(model) },
    requestContext: { requestId: 'bundle-1', authorizer: { tenantId, sub: 'u', role: 'r', tier: 't', idp: 'cognito', env: environment.name } },
    body: '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}',
  });
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const ok = await handler(event(allowed), { getRemainingTimeInMillis: () => 10_000 });
    expect([ok.statusCode, ok.body]).toEqual([200, CONVERSE_OK]);
    const denied = await handler(event(outside), { getRemainingTimeInMillis: () => 10_000 });
    expect([denied.statusCode, denied.headers['x-amzn-ErrorType']]).toEqual([403, 'AccessDeniedException']);
  } finally {
    spy.mockRestore();
  }
  expect(standIn.requests.map((r) => r.url)).toEqual([`/model/${encodeURIComponent(allowed)}/converse`]);
  expect(verdicts.map((v) => (v.ok ? 'verified' : v.reason))).toEqual(['verified']);
  expect(lines.map((l) => JSON.parse(l).status)).toEqual([200, 403]);
});
