/** Runs main.ts as `cdktf synth` does, into a fresh output directory. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../../scripts/lib/local-deploy';

export interface SynthesizedApp {
  readonly outdir: string;
  /** Stack name -> directory holding cdk.tf.json. */
  readonly stacks: Record<string, string>;
}

export async function synthApp(): Promise<SynthesizedApp> {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'bag-synth-')), 'cdktf.out');
  await synthesize({ outdir });
  const stacksDir = path.join(outdir, 'stacks');
  return { outdir, stacks: Object.fromEntries(readdirSync(stacksDir).map((name) => [name, path.join(stacksDir, name)])) };
}
