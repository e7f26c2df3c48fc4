/**
 * `cdktf` with this project's Terraform environment: the provider mirror's CLI config when
 * one is present (see scripts/lib/terraform.ts) and no calls home (CHECKPOINT_DISABLE).
 * Usage: `npm run cdktf -- <cdktf args>`, e.g. `npm run cdktf -- deploy gateway-dev`.
 *
 * With a mirror, commands that initialise Terraform get `--skip-provider-lock`: cdktf would
 * otherwise run `terraform providers lock`, which ignores the CLI config's mirror and asks
 * the public registry. `terraform init` still records the mirror's checksums in the lock file.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { providerMirrorDir, terraformEnv } from './lib/terraform';

const COMMANDS_THAT_LOCK_PROVIDERS = new Set(['deploy', 'apply', 'diff', 'plan', 'destroy', 'output', 'outputs']);

export function cdktfArgs(args: readonly string[], mirrored: boolean): string[] {
  const needsSkip = mirrored && COMMANDS_THAT_LOCK_PROVIDERS.has(args[0] ?? '') && !args.includes('--skip-provider-lock');
  return needsSkip ? [...args, '--skip-provider-lock'] : [...args];
}

if (require.main === module) {
  const cli = path.join(__dirname, '..', 'node_modules', '.bin', 'cdktf');
  const args = cdktfArgs(process.argv.slice(2), providerMirrorDir() !== undefined);
  const run = spawnSync(cli, args, { stdio: 'inherit', env: terraformEnv(process.env) });
  process.exit(run.status ?? 1);
}
