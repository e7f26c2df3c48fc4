/**
 * Entry point for `cdktf synth`: loads and validates the config, then adds one
 * gateway stack per environment. No resources are defined here.
 */
import { App } from 'cdktf';
import { DEFAULT_CONFIG_DIR, loadConfig } from './gateway-config/load';
import { ConfigError } from './gateway-config/validate';
import { GatewayStack } from './stacks/gateway-stack';
import { StateStack, stateBucketTargets, stateStackId } from './stacks/state-stack';
import { runByCdktfCli, synthWarnings } from './stacks/synth-warnings';

function main(): void {
  let loaded;
  try {
    loaded = loadConfig(process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = new App();
  // Bootstrap stacks first: one per state bucket, each keeping its own state locally.
  for (const target of stateBucketTargets(loaded.config)) {
    new StateStack(app, stateStackId(target), { target });
  }
  for (const environment of loaded.config.environments) {
    new GatewayStack(app, `gateway-${environment.name}`, { config: loaded.config, environment });
  }
  app.synth();
  if (!runByCdktfCli()) for (const warning of synthWarnings(app)) process.stderr.write(`Warning: ${warning}\n`);
}

main();
