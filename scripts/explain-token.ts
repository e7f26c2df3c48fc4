/** `npm run explain-token -- --env <name> [--token <jwt> | stdin] ...`: see token-diagnostics/cli.ts. */
import { runExplainToken } from '../token-diagnostics/cli';
import { readStdin } from './lib/stdin';

runExplainToken(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
}).then((code) => {
  process.exitCode = code;
});
