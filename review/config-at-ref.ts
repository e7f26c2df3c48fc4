/**
 * The config as it is at a git ref, without checking the ref out: `git archive` writes the
 * config directory of that commit into a temporary directory, and the working tree's
 * `gateway-config/` loads it. A `gateway-config` link beside it keeps the section files'
 * `import ... from '../gateway-config'` resolving.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadForReview, type LoadOutcome } from './load-outcome';

export class GitRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitRefError';
  }
}

function git(cwd: string, args: readonly string[], input?: Buffer): { code: number; stdout: Buffer; stderr: string } {
  const run = spawnSync('git', [...args], { cwd, input, maxBuffer: 256 * 1024 * 1024 });
  if (run.error) throw new GitRefError(`git is not available: ${run.error.message}`);
  return { code: run.status ?? 1, stdout: run.stdout, stderr: run.stderr.toString().trim() };
}

/** The repository holding `configDir` and the directory's path inside it. */
export function locateInRepository(configDir: string): { root: string; relative: string } {
  const dir = path.resolve(configDir);
  const top = git(dir, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) throw new GitRefError(`${configDir} is not inside a git repository: ${top.stderr}`);
  const root = top.stdout.toString().trim();
  return { root, relative: path.relative(root, dir).split(path.sep).join('/') };
}

/**
 * Loads the config directory `configDir` as committed at `ref`.
 * @throws GitRefError when `ref` does not name a commit (a typo must not pass silently).
 */
export function loadConfigAtRef(configDir: string, ref: string): LoadOutcome {
  const { root, relative } = locateInRepository(configDir);
  const commit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (commit.code !== 0) throw new GitRefError(`${ref} is not a commit in ${root}`);
  const archive = git(root, ['archive', '--format=tar', commit.stdout.toString().trim(), '--', relative]);
  if (archive.code !== 0) return { valid: false, problems: [`${relative}/ does not exist at ${ref}`] };

  const scratch = mkdtempSync(path.join(tmpdir(), 'bag-config-at-ref-'));
  try {
    const extract = spawnSync('tar', ['-x', '-C', scratch], { input: archive.stdout });
    if (extract.status !== 0) throw new GitRefError(`cannot unpack ${relative}/ of ${ref}: ${extract.stderr.toString().trim()}`);
    symlinkSync(path.join(__dirname, '..', 'gateway-config'), path.join(scratch, path.dirname(relative), 'gateway-config'), 'dir');
    const outcome = loadForReview(path.join(scratch, relative));
    // Messages name files as the repository does, not the scratch copy.
    return outcome.valid ? outcome : { valid: false, problems: outcome.problems.map((p) => p.split(path.relative(process.cwd(), scratch) + path.sep).join('')) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
