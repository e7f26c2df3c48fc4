/** A throwaway git repository holding a copy of the fixture config, for `--base` tests. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const FIXTURE_CONFIG = path.join(__dirname, '..', 'fixtures', 'config');

export interface FixtureRepo {
  readonly root: string;
  readonly configDir: string;
  git(...args: string[]): string;
  /** Rewrites a JSON section file of the working tree. */
  editJson<T>(file: string, edit: (value: T) => T): void;
  write(file: string, text: string): void;
  commit(message: string): void;
}

export function fixtureRepo(): FixtureRepo {
  const root = mkdtempSync(path.join(tmpdir(), 'bag-review-repo-'));
  const configDir = path.join(root, 'config');
  cpSync(FIXTURE_CONFIG, configDir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: root },
    });
  git('init', '--quiet', '--initial-branch=main');
  const repo: FixtureRepo = {
    root,
    configDir,
    git,
    editJson: (file, edit) => {
      const full = path.join(configDir, file);
      writeFileSync(full, `${JSON.stringify(edit(JSON.parse(readFileSync(full, 'utf8'))), null, 2)}\n`);
    },
    write: (file, text) => writeFileSync(path.join(configDir, file), text),
    commit: (message) => {
      git('add', '-A');
      git('commit', '--quiet', '-m', message);
    },
  };
  repo.commit('fixture config');
  return repo;
}
