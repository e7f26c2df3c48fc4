/** Runs main.ts as `cdktf synth` does, into a fresh output directory. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './config';

export const TSX_CLI = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface SynthesizedApp {
  readonly outdir: string;
  /** Stack name -> directory holding cdk.tf.json. */
  readonly stacks: Record<string, string>;
}

export function synthApp(env: NodeJS.ProcessEnv = {}): SynthesizedApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bag-synth-'));
  const run = spawnSync(process.execPath, [TSX_CLI, path.join(REPO_ROOT, 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`synth failed (${run.status}): ${run.stderr}`);
  const stacksDir = path.join(outdir, 'stacks');
  return { outdir, stacks: Object.fromEntries(readdirSync(stacksDir).map((name) => [name, path.join(stacksDir, name)])) };
}
