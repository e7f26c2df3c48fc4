/** The README's short layout names folders that exist, and the import it shows is the one config files use. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/config';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const LAYOUT = /^The layout in short .*\n\n```\n([\s\S]*?)^```$/m.exec(README)![1];

test('every folder of the short layout exists, and each appears in the full layout it links to', () => {
  const folders = [...LAYOUT.matchAll(/^(\S+\/)/gm)].map((m) => m[1]);
  expect(folders).toEqual(['config/', 'gateway-config/', 'stacks/', 'functions/', 'review/', 'scripts/']);
  const full = readFileSync(path.join(REPO_ROOT, 'docs', 'contributing.md'), 'utf8');
  for (const folder of folders) {
    expect([folder, existsSync(path.join(REPO_ROOT, folder)) && statSync(path.join(REPO_ROOT, folder)).isDirectory()]).toEqual([folder, true]);
    expect([folder, new RegExp(`^${folder.replace('/', '\\/')}`, 'm').test(full)]).toEqual([folder, true]);
  }
});

test('the type import it shows is the one config/tenants.ts uses; the full layout lists scripts/ once', () => {
  expect(LAYOUT).toContain("import type { TenantInput } from '../gateway-config'");
  expect(readFileSync(path.join(REPO_ROOT, 'config', 'tenants.ts'), 'utf8')).toContain("import type { TenantInput } from '../gateway-config';");
  const full = readFileSync(path.join(REPO_ROOT, 'docs', 'contributing.md'), 'utf8');
  expect(full.match(/^scripts\/ /gm)).toHaveLength(1);
});
