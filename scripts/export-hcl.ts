/**
 * `npm run export:hcl -- <stack> [--out <dir>]`: writes one stack as a self-contained plain
 * Terraform directory (see hcl-export/export.ts). Default directory: `exported-hcl/<stack>`.
 */
import * as path from 'node:path';
import { exportStack } from '../hcl-export/export';
import { REPO_ROOT } from './lib/local-deploy';

const USAGE = 'usage: npm run export:hcl -- <stack> [--out <dir>]   (e.g. npm run export:hcl -- gateway-prod)';

export interface ExportArgs {
  readonly stack: string;
  readonly outDir: string;
}

/** @throws Error with the usage line when the arguments are wrong. */
export function parseExportArgs(args: readonly string[], cwd: string = process.cwd()): ExportArgs {
  let stack: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--out') {
      out = args[++i];
      if (!out) throw new Error(`--out needs a directory\n${USAGE}`);
    } else if (arg.startsWith('--out=')) {
      out = arg.slice('--out='.length);
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else if (stack === undefined) {
      stack = arg;
    } else {
      throw new Error(`one stack at a time (got ${stack} and ${arg})\n${USAGE}`);
    }
  }
  if (!stack) throw new Error(`which stack?\n${USAGE}`);
  return { stack, outDir: out ? path.resolve(cwd, out) : path.join(REPO_ROOT, 'exported-hcl', stack) };
}

async function main(): Promise<number> {
  let args: ExportArgs;
  try {
    args = parseExportArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  try {
    const result = await exportStack(args);
    console.log(`Exported ${args.stack} to ${path.relative(process.cwd(), result.outDir) || '.'}:`);
    for (const file of result.files) console.log(`  ${file}`);
    console.log(`State: ${result.state}`);
    console.log(`Next: cd ${result.outDir} && terraform init && terraform plan`);
    return 0;
  } catch (err) {
    console.error(`export:hcl: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) main().then((code) => process.exit(code));
