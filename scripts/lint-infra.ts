/**
 * `npm run lint:infra`: every rule of the policy pack with its result, per stack, as markdown
 * (the pull request comment shows it). Exits 1 when any stack has an error finding, 2 on bad
 * usage or an invalid config. Builds the same stacks as synth and runs the same evaluation.
 *
 *   npm run lint:infra                   the config in config/ (or GATEWAY_CONFIG_DIR)
 *   npm run lint:infra -- --stack gateway-prod
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { ConfigError } from '../gateway-config/validate';
import { addStacks } from '../stacks/app';
import { formatLintReport } from '../stacks/policy/evaluate';

const USAGE = 'usage: npm run lint:infra [-- --stack <stack id>]';

function main(argv: readonly string[]): number {
  let only: string | undefined;
  let bad = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--stack' && argv[i + 1] !== undefined) only = argv[++i];
    else bad = true;
  }
  if (bad) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR).config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const outdir = mkdtempSync(path.join(tmpdir(), 'bag-lint-'));
  try {
    const stacks = addStacks(new App({ outdir, skipValidation: true }), config).filter((s) => !only || s.node.id === only);
    if (stacks.length === 0) {
      process.stderr.write(`no stack ${only}\n${USAGE}\n`);
      return 2;
    }
    let errors = 0;
    const sections = stacks.map((stack) => {
      invokeAspects(stack);
      const outcome = stack.policy.evaluate();
      errors += outcome.errors.length;
      return formatLintReport(stack.node.id, outcome);
    });
    process.stdout.write(`${sections.join('\n\n')}\n\n${errors === 0 ? 'Policy: no errors.' : `Policy: ${errors} ${errors === 1 ? 'error' : 'errors'}; synth fails until each is fixed or suppressed with a reason.`}\n`);
    return errors === 0 ? 0 : 1;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
