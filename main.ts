/**
 * Entry point for `cdktf synth`: loads and validates the config, then adds the state
 * bootstrap stacks and one gateway stack per environment. No resources are defined here.
 */
import { App } from 'cdktf';
import { DEFAULT_CONFIG_DIR, loadConfig } from './gateway-config/load';
import { ConfigError } from './gateway-config/validate';
import { addStacks } from './stacks/app';
import { formatSynthPolicyReport } from './stacks/policy/pack';

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
  const stacks = addStacks(app, loaded.config);
  app.synth();
  // cdktf-cli prints the policy annotations (suppression tables, warnings) itself; plain runs print them here.
  if (process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === undefined) {
    const report = stacks.map((s) => formatSynthPolicyReport(s.node.id, s.policy.evaluate())).filter((r) => r !== '');
    if (report.length > 0) process.stderr.write(`${report.join('\n\n')}\n`);
  }
}

main();
