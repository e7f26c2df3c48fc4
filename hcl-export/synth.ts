/**
 * `cdktf synth --hcl`, the documented exit from CDKTF, run the way a user runs it: through
 * cdktf-cli, which synthesizes the app with HCL output and formats every `cdk.tf` with
 * HashiCorp's hclwrite. Used by `npm run export:hcl` and by the tests.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');

export interface HclSynthOptions {
  /** Output directory (`<outdir>/stacks/<stack>/cdk.tf`). */
  readonly outdir: string;
  /** Config directory main.ts reads. @default the example config */
  readonly configDir?: string;
  /** Emulator endpoint baked into emulator environments. @default the config's own */
  readonly endpoint?: string;
  /**
   * Command that runs the CDKTF app. @default cdktf.json's (`npx tsx main.ts`)
   */
  readonly app?: string;
}

/** Runs `cdktf synth --hcl --output <outdir>`; rejects with cdktf's output when it fails. */
export function synthesizeHcl(options: HclSynthOptions): Promise<void> {
  const outdir = path.resolve(options.outdir);
  mkdirSync(path.dirname(outdir), { recursive: true });
  const cli = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdktf');
  const args = ['synth', '--hcl', '--output', outdir, ...(options.app ? ['--app', options.app] : [])];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // No prompts, no spinner, no call home.
    CI: 'true',
    CHECKPOINT_DISABLE: '1',
    ...(options.configDir ? { GATEWAY_CONFIG_DIR: path.resolve(options.configDir) } : {}),
    ...(options.endpoint ? { GATEWAY_EMULATOR_ENDPOINT: options.endpoint } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // cdktf-cli reports some synth failures on stderr with exit code 0.
      if (code === 0 && !/^ERROR/m.test(output)) resolve();
      else reject(new Error(`cdktf synth --hcl failed (exit ${code}):\n${output.trim()}`));
    });
  });
}
