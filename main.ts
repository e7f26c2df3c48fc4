/**
 * Entry point for `cdktf synth`: loads and validates the config, then adds the state
 * bootstrap stacks and one gateway stack per environment. No resources are defined here.
 */
import { App } from 'cdktf';
import { DEFAULT_CONFIG_DIR, loadConfig } from './gateway-config/load';
import { ConfigError } from './gateway-config/validate';
import { addStacks } from './stacks/app';
import { formatSynthPolicyReport, policyWarningMessages } from './stacks/policy/pack';
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
  const stacks = addStacks(app, loaded.config);
  app.synth();
  // cdktf-cli prints annotations (construct warnings, suppression tables, policy warnings) itself; plain runs print them here.
  if (!runByCdktfCli()) {
    const outcomes = stacks.map((s) => [s.node.id, s.policy.evaluate()] as const);
    for (const warning of synthWarnings(app, policyWarningMessages(outcomes.map(([, o]) => o)))) process.stderr.write(`Warning: ${warning}\n`);
    const report = outcomes.map(([id, outcome]) => formatSynthPolicyReport(id, outcome)).filter((r) => r !== '');
    if (report.length > 0) process.stderr.write(`${report.join('\n\n')}\n`);
  }
}

main();
