/** Config of the integration mode (issue 14): `integration` and the forwarder settings, with exact messages. */
import { validateConfig } from '../../gateway-config/validate';
import { resolvedForwarder } from '../../gateway-config/derive';
import type { EnvironmentInput } from '../../gateway-config/schema';
import { broken, FILES, problems } from '../helpers/config-problems';
import { exampleInput } from '../helpers/config';

/** The example with its first environment (dev) edited. */
const withDev = (edit: Partial<EnvironmentInput>) => broken((c) => (c.environments[0] = { ...c.environments[0], ...edit }));
const devOf = (edit: Partial<EnvironmentInput>) => validateConfig(withDev(edit), FILES).environments[0];

test('the example: dev and prod direct, local-forwarder a forwarder with its defaults filled in', () => {
  const config = validateConfig(exampleInput(), FILES);
  expect(config.environments.map((e) => [e.name, e.integration])).toEqual([
    ['dev', 'direct'],
    ['prod', 'direct'],
    ['local', 'direct'],
    ['local-forwarder', 'forwarder'],
  ]);
  const forwarder = config.environments.find((e) => e.name === 'local-forwarder')!;
  expect(resolvedForwarder(forwarder)).toEqual({ memoryMb: 512, timeoutSeconds: 29, reservedConcurrency: 10, architecture: 'arm64' });
});

test('defaults: direct; a forwarder without settings gets 512 MB, arm64, no reservation, the integration timeout in whole seconds', () => {
  expect(devOf({}).integration).toBe('direct');
  expect(resolvedForwarder(devOf({ integration: 'forwarder', integrationTimeoutMs: 45_500 }))).toEqual({ memoryMb: 512, timeoutSeconds: 45, architecture: 'arm64' });
  expect(resolvedForwarder(devOf({ integration: 'forwarder', forwarder: { memoryMb: 10_240, timeoutSeconds: 29, reservedConcurrency: 1, architecture: 'x86_64' } }))).toEqual({
    memoryMb: 10_240,
    timeoutSeconds: 29,
    reservedConcurrency: 1,
    architecture: 'x86_64',
  });
  expect(resolvedForwarder(devOf({ integration: 'forwarder', forwarder: { memoryMb: 128 } })).memoryMb).toBe(128);
});

test('an unknown integration mode', () => {
  expect(problems(withDev({ integration: 'lambda' as never }))).toEqual(['config/environments.ts: environments[0].integration: integration must be one of direct, forwarder (got "lambda")']);
});

test('forwarder settings without integration forwarder', () => {
  expect(problems(withDev({ forwarder: { memoryMb: 1024 } }))).toEqual([
    "config/environments.ts: environments[0].forwarder: forwarder settings apply only with integration: 'forwarder' (this environment's integration is 'direct'); set integration: 'forwarder' or remove them (got {\"memoryMb\":1024})",
  ]);
});

test('a forwarder timeout longer than the integration timeout', () => {
  expect(problems(withDev({ integration: 'forwarder', integrationTimeoutMs: 10_000, forwarder: { timeoutSeconds: 11 } }))).toEqual([
    'config/environments.ts: environments[0].forwarder.timeoutSeconds: forwarder.timeoutSeconds must not exceed the integration timeout (integrationTimeoutMs 10000 allows at most 10 s): API Gateway answers 504 at that point while the function keeps running (got 11)',
  ]);
  expect(devOf({ integration: 'forwarder', integrationTimeoutMs: 10_000, forwarder: { timeoutSeconds: 10 } }).forwarder).toEqual({ timeoutSeconds: 10 });
});

test('an integration timeout under one second leaves the forwarder no whole second', () => {
  expect(problems(withDev({ integration: 'forwarder', integrationTimeoutMs: 900 }))).toEqual([
    "config/environments.ts: environments[0].integrationTimeoutMs: integration 'forwarder' needs integrationTimeoutMs of at least 1000 (the forwarder's timeout is whole seconds, at most the integration timeout) (got 900)",
  ]);
});

test('memory, timeout, concurrency and architecture outside what Lambda accepts', () => {
  expect(problems(withDev({ integration: 'forwarder', forwarder: { memoryMb: 127, timeoutSeconds: 0, reservedConcurrency: 0, architecture: 'arm' as never } }))).toEqual([
    'config/environments.ts: environments[0].forwarder.memoryMb: forwarder.memoryMb must be between 128 and 10240 MB (got 127)',
    'config/environments.ts: environments[0].forwarder.timeoutSeconds: forwarder.timeoutSeconds must be at least 1 (got 0)',
    'config/environments.ts: environments[0].forwarder.reservedConcurrency: forwarder.reservedConcurrency must be at least 1 (0 would refuse every request) (got 0)',
    'config/environments.ts: environments[0].forwarder.architecture: forwarder.architecture must be one of arm64, x86_64 (got "arm")',
  ]);
  expect(problems(withDev({ integration: 'forwarder', forwarder: { memoryMb: 10_241 } }))).toEqual([
    'config/environments.ts: environments[0].forwarder.memoryMb: forwarder.memoryMb must be between 128 and 10240 MB (got 10241)',
  ]);
  expect(problems(withDev({ integration: 'forwarder', forwarder: { memoryMb: 512.5, memory: 1 } as never }))).toEqual([
    'config/environments.ts: environments[0].forwarder.memoryMb: forwarder.memoryMb must be a whole number (got 512.5)',
    'config/environments.ts: environments[0].forwarder: unknown field "memory": not part of the schema (check the spelling)',
  ]);
});
