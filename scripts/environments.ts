/**
 * `npm run environments`: the environments CI plans and deploys (emulator environments are
 * left out), in config order, one per line or as a JSON array (`--json`, for a job matrix).
 */
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import type { GatewayConfig } from '../gateway-config/schema';

export function deployableEnvironments(config: GatewayConfig): string[] {
  return config.environments.filter((e) => !e.emulator).map((e) => e.name);
}

if (require.main === module) {
  const names = deployableEnvironments(loadConfig(process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR).config);
  process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(names)}\n` : `${names.join('\n')}\n`);
}
