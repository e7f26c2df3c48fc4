/** `npm run check-idp -- --env <name> [--idp <id>]`: see token-diagnostics/cli.ts. */
import { runCheckIdp } from '../token-diagnostics/cli';
import { readStdin } from './lib/stdin';

runCheckIdp(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
}).then((code) => {
  process.exitCode = code;
});
