import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../gateway-config/load';
import { ConfigError } from '../../gateway-config/validate';
import { EXAMPLE_CONFIG_DIR, REPO_ROOT } from '../helpers/config';

const SECTION_FILES = ['environments.ts', 'identity-providers.ts', 'models.ts', 'tiers.ts', 'tenants.ts'];

/** A copy of the example config's section files in a temp directory. */
function copyExample(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bag-config-'));
  for (const file of SECTION_FILES) cpSync(path.join(EXAMPLE_CONFIG_DIR, file), path.join(dir, file));
  return dir;
}

describe('loadConfig', () => {
  test('loads the example: 2+ environments, Cognito, Entra ID and Okta providers, 3 tiers, 5 tenants (one disabled, one with overrides)', () => {
    const { config, files } = loadConfig(EXAMPLE_CONFIG_DIR);
    expect(config.environments.map((e) => e.name)).toEqual(expect.arrayContaining(['dev', 'prod']));
    expect(config.identityProviders.map((i) => [i.id, i.kind])).toEqual([
      ['cognito', 'cognito'],
      ['entra', 'oidc'],
      ['okta', 'oidc'],
    ]);
    // Every provider is used by at least one tenant.
    expect(config.identityProviders.filter((i) => !config.tenants.some((t) => t.identityProviders.includes(i.id)))).toEqual([]);
    expect(config.tiers.map((t) => t.name)).toEqual(['bronze', 'silver', 'gold']);
    expect(config.tenants).toHaveLength(5);
    expect(config.tenants.filter((t) => !t.enabled).map((t) => t.id)).toEqual(['initech']);
    expect(config.tenants.filter((t) => t.overrides).map((t) => t.id)).toEqual(['umbrella']);
    expect(files.tenants).toBe(path.relative(process.cwd(), path.join(EXAMPLE_CONFIG_DIR, 'tenants.ts')));
  });

  test('a JSON section file is read like a TypeScript one', () => {
    const dir = copyExample();
    try {
      rmSync(path.join(dir, 'tiers.ts'));
      writeFileSync(path.join(dir, 'tiers.json'), JSON.stringify(loadConfig(EXAMPLE_CONFIG_DIR).config.tiers));
      expect(loadConfig(dir).config.tiers.map((t) => t.name)).toEqual(['bronze', 'silver', 'gold']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing section file is named', () => {
    const dir = copyExample();
    try {
      rmSync(path.join(dir, 'models.ts'));
      const shown = path.relative(process.cwd(), path.join(dir, 'models.ts'));
      expect(() => loadConfig(dir)).toThrow(ConfigError);
      expect(() => loadConfig(dir)).toThrow(`${shown}: models: missing section file: create ${shown} (or .json) with a default export`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('main.ts with an invalid config', () => {
  test('exits non-zero, names file, field, value and what is allowed, and writes no stack', () => {
    const dir = copyExample();
    const outdir = mkdtempSync(path.join(tmpdir(), 'bag-out-'));
    try {
      const tenants = path.join(dir, 'tenants.ts');
      writeFileSync(tenants, readFileSync(tenants, 'utf8').replace("tier: 'gold'", "tier: 'platinum'"));
      const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO_ROOT, 'main.ts')], {
        cwd: REPO_ROOT,
        env: { ...process.env, GATEWAY_CONFIG_DIR: dir, CDKTF_OUTDIR: outdir },
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${path.relative(REPO_ROOT, tenants)}: tenants[0].tier: unknown tier; allowed: bronze, silver, gold (got "platinum")`);
      expect(existsSync(path.join(outdir, 'stacks'))).toBe(false);
      expect(existsSync(path.join(outdir, 'manifest.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the config folder', () => {
  test('holds only what users edit: the section files and their README', () => {
    expect(readdirSync(EXAMPLE_CONFIG_DIR).sort()).toEqual(['README.md', ...SECTION_FILES].sort());
  });
});
