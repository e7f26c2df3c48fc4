/** Runs main.ts as `cdktf synth` does, into a fresh output directory. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../../scripts/lib/local-deploy';

export interface SynthesizedApp {
  readonly outdir: string;
  /** Stack name -> directory holding cdk.tf.json. */
  readonly stacks: Record<string, string>;
  /** What synth printed (warnings). */
  readonly output: string;
}

/** The example config, or the config in `configDir`. */
export async function synthApp(configDir?: string): Promise<SynthesizedApp> {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'bag-synth-')), 'cdktf.out');
  const output = await synthesize({ outdir, ...(configDir ? { configDir } : {}) });
  const stacksDir = path.join(outdir, 'stacks');
  return { outdir, output, stacks: Object.fromEntries(readdirSync(stacksDir).map((name) => [name, path.join(stacksDir, name)])) };
}
