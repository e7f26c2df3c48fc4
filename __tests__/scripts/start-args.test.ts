/** `npm start`'s arguments (scripts/lib/start-args.ts), with exact messages. */
import { loadConfig, DEFAULT_CONFIG_DIR } from '../../gateway-config/load';
import { parseStartArgs, startUsage } from '../../scripts/lib/start-args';

const EMULATOR = ['local', 'local-forwarder'];

test('the example config has two emulator environments, the ones npm start may deploy', () => {
  expect(loadConfig(DEFAULT_CONFIG_DIR).config.environments.filter((e) => e.emulator).map((e) => e.name)).toEqual(EMULATOR);
});

test('defaults: local, served, the emulator stopped afterwards', () => {
  expect(parseStartArgs([], EMULATOR)).toEqual({ ok: true, args: { help: false, keep: false, serve: true, environment: 'local' } });
});

test.each([
  [['--environment', 'local-forwarder'], { environment: 'local-forwarder' }],
  [['--environment=local-forwarder', '--keep'], { environment: 'local-forwarder', keep: true }],
  [['--no-serve', '--environment', 'local'], { environment: 'local', serve: false }],
  [['--environment', 'local-forwarder', '--environment', 'local-forwarder'], { environment: 'local-forwarder' }],
  [['-h'], { help: true }],
])('%j', (args, expected) => {
  expect(parseStartArgs(args, EMULATOR)).toEqual({ ok: true, args: { help: false, keep: false, serve: true, environment: 'local', ...expected } });
});

test.each([
  [['--environment'], '--environment needs an environment name: one of local, local-forwarder'],
  [['--environment', '--keep'], '--environment needs an environment name: one of local, local-forwarder'],
  [['--environment='], '--environment needs an environment name: one of local, local-forwarder'],
  [['--environment', 'prod'], '--environment prod: not an emulator environment of the config (a local deploy targets only environments with an emulator block): one of local, local-forwarder'],
  [['--environment', 'local', '--environment', 'local-forwarder'], '--environment given twice (local, local-forwarder): one environment is deployed and served at a time'],
  [['--env', 'local'], 'unknown argument(s): --env local'],
])('%j is refused', (args, error) => {
  expect(parseStartArgs(args, EMULATOR)).toEqual({ ok: false, error });
});

test('the usage names the flag and the emulator environments', () => {
  expect(startUsage(EMULATOR).split('\n')).toEqual([
    'usage: npm start [-- --keep] [--no-serve] [--environment <name>]',
    '  --keep                leave the emulator running afterwards (stop it with `npm run local:stop`)',
    '  --no-serve            deploy and print the summary only; do not serve the gateway on loopback',
    '  --environment <name>  the emulator environment to deploy and serve (default local; the config has local, local-forwarder)',
  ]);
});
