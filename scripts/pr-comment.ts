/**
 * The review workflow's pull request comment.
 *
 *   npm run pr-comment -- compose --dir <artifacts> [--commit <sha>] [--tests <result>]
 *       prints the comment built from what the review jobs wrote (see review/pr-comment.ts)
 *   npm run pr-comment -- check --dir <artifacts>
 *       exits 1, naming each, when a required result file is missing or an exit file is not 0
 *   npm run pr-comment -- post --body <file>
 *       creates the comment or updates the previous one; reads GITHUB_TOKEN, GITHUB_REPOSITORY,
 *       PR_NUMBER and GITHUB_API_URL (default https://api.github.com) from the environment
 */
import { readFileSync } from 'node:fs';
import { upsertComment } from '../review/github-comment';
import { composeComment, readArtifacts, reviewFailures } from '../review/pr-comment';

const USAGE = 'usage: npm run pr-comment -- compose --dir <artifacts> [--commit <sha>] [--tests <result>] | check --dir <artifacts> | post --body <file>';

function options(argv: readonly string[], allowed: readonly string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (!allowed.includes(key) || value === undefined) return `unexpected argument ${key}\n${USAGE}`;
    out[key.slice(2)] = value;
  }
  return out;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'compose') {
    const o = options(rest, ['--dir', '--commit', '--tests']);
    if (typeof o === 'string' || !o.dir) {
      process.stderr.write(`${typeof o === 'string' ? o : USAGE}\n`);
      return 2;
    }
    process.stdout.write(composeComment(readArtifacts(o.dir, (o.commit ?? 'this pull request').slice(0, 12), o.tests ?? 'skipped')));
    return 0;
  }
  if (command === 'check') {
    const o = options(rest, ['--dir']);
    if (typeof o === 'string' || !o.dir) {
      process.stderr.write(`${typeof o === 'string' ? o : USAGE}\n`);
      return 2;
    }
    const failures = reviewFailures(o.dir);
    // GitHub annotations; the lines name files and exit codes only.
    for (const failure of failures) process.stdout.write(`::error::${failure}\n`);
    if (failures.length === 0) process.stdout.write('The review recorded every result; no errors.\n');
    return failures.length > 0 ? 1 : 0;
  }
  if (command === 'post') {
    const o = options(rest, ['--body']);
    if (typeof o === 'string' || !o.body) {
      process.stderr.write(`${typeof o === 'string' ? o : USAGE}\n`);
      return 2;
    }
    const { GITHUB_TOKEN: token, GITHUB_REPOSITORY: repository, PR_NUMBER: pr, GITHUB_API_URL: apiUrl = 'https://api.github.com' } = process.env;
    const missing = Object.entries({ GITHUB_TOKEN: token, GITHUB_REPOSITORY: repository, PR_NUMBER: pr }).filter(([, v]) => !v).map(([k]) => k);
    if (missing.length > 0) {
      process.stderr.write(`missing environment: ${missing.join(', ')}\n`);
      return 2;
    }
    const result = await upsertComment({ apiUrl, repository: repository!, pullRequest: Number(pr), token: token!, body: readFileSync(o.body, 'utf8') });
    process.stdout.write(`${result.action} review comment: ${result.url}\n`);
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  },
);
