/**
 * Runs the slowest test files first, longest first, then the rest in jest's own order. CI starts
 * from a fresh clone with no timing cache, where jest orders files by size: a slow emulator test
 * with a short file then started last and ran alone while the other worker sat idle (about 3 of
 * the suite's 19 minutes). Order only: every file still runs, with the same two workers.
 */
const Sequencer = require('@jest/test-sequencer').default;

// Durations measured in a fresh-clone run on 2 cores (docs/contributing.md, "The tests").
const SLOWEST_FIRST = [
  'integration/local-deploy.test.ts',
  'hcl-export/export.test.ts',
  'integration/tenant-shards-emulator.test.ts',
  'stacks/terraform-validate.test.ts',
  'integration/hcl-exit.test.ts',
  'integration/cdktf-deploy.test.ts',
  'review/plan-summary.test.ts',
  'hcl-export/hostile-values.test.ts',
  'local-gateway/e2e.test.ts',
  'docs/deploying-to-aws.test.ts',
  'deploy-tools/deployer-policy.test.ts',
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const path = test.path.split('\\').join('/');
      const index = SLOWEST_FIRST.findIndex((suffix) => path.endsWith(`__tests__/${suffix}`));
      return index < 0 ? SLOWEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep jest's order.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
