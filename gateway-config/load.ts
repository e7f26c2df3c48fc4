/**
 * Loads the config sections from a directory (one file per section, `.ts` or `.json`,
 * default export) and validates them into one `GatewayConfig`.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { GatewayConfig } from './schema';
import { ConfigError, SECTION_NAMES, validateConfig, type ConfigIssue, type SectionFiles, type SectionName } from './validate';

/** Section -> file base name. */
export const SECTION_FILES: Readonly<Record<SectionName, string>> = {
  environments: 'environments',
  identityProviders: 'identity-providers',
  models: 'models',
  tiers: 'tiers',
  tenants: 'tenants',
};

/** The directory `main.ts` reads unless `GATEWAY_CONFIG_DIR` names another. */
export const DEFAULT_CONFIG_DIR = path.join(__dirname, '..', 'config');

export interface LoadedConfig {
  readonly config: GatewayConfig;
  readonly files: SectionFiles;
}

/** @throws ConfigError naming each missing, unreadable or invalid section. */
export function loadConfig(dir: string = DEFAULT_CONFIG_DIR): LoadedConfig {
  const input: Record<string, unknown> = {};
  const files: SectionFiles = {};
  const issues: ConfigIssue[] = [];
  for (const section of SECTION_NAMES) {
    const base = path.join(dir, SECTION_FILES[section]);
    const file = ['.ts', '.json'].map((ext) => base + ext).find((f) => existsSync(f));
    const shown = path.relative(process.cwd(), file ?? `${base}.ts`);
    files[section] = shown;
    if (!file) {
      issues.push({ file: shown, path: section, message: `missing section file: create ${shown} (or .json) with a default export` });
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.resolve(file));
      input[section] = file.endsWith('.json') ? mod : (mod.default ?? mod);
    } catch (err) {
      issues.push({ file: shown, path: section, message: `cannot load: ${(err as Error).message.split('\n')[0]}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { config: validateConfig(input, files), files };
}
