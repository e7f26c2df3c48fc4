/**
 * `npm run plan` and TF_WORKSPACE: an environment whose Terraform Cloud workspace is chosen by
 * tags needs it (Terraform cannot ask in CI), every other environment refuses it (it would select
 * another state). Checked before synth, so no Terraform runs here.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../gateway-config/load';
import { UsageError, planEnvironment, workspaceProblem } from '../../scripts/plan';

const FIXTURE = path.join(__dirname, '..', 'review', 'fixtures', 'config');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bag-plan-workspace-'));
  cpSync(FIXTURE, dir, { recursive: true });
  // prod: Terraform Cloud workspaces tagged bedrock-gateway and prod instead of the named one.
  const file = path.join(dir, 'environments.json');
  const environments = JSON.parse(readFileSync(file, 'utf8'));
  environments[1].state = { backend: 'cloud', organization: 'example-corp', workspaceTags: ['bedrock-gateway', 'prod'] };
  writeFileSync(file, JSON.stringify(environments));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TAGS_NEED_IT =
  "environment prod selects its Terraform Cloud workspace by tags (bedrock-gateway, prod): set TF_WORKSPACE to the name of one workspace carrying them (CI: vars.TF_WORKSPACES in review.yml, the GitHub environment's vars.TF_WORKSPACE in deploy.yml)";

test('tags: TF_WORKSPACE is required (empty counts as unset, as in Terraform)', () => {
  const prod = loadConfig(dir).config.environments[1];
  expect(workspaceProblem(prod, {})).toBe(TAGS_NEED_IT);
  expect(workspaceProblem(prod, { TF_WORKSPACE: '' })).toBe(TAGS_NEED_IT);
  expect(workspaceProblem(prod, { TF_WORKSPACE: 'bedrock-gateway-prod' })).toBeUndefined();
});

test('a named workspace or another backend: TF_WORKSPACE is refused, empty is fine', () => {
  const [dev] = loadConfig(dir).config.environments;
  const named = loadConfig(FIXTURE).config.environments[1];
  expect(workspaceProblem(dev, { TF_WORKSPACE: '' })).toBeUndefined();
  expect(workspaceProblem(dev, { TF_WORKSPACE: 'gw-dev' })).toBe('TF_WORKSPACE is set (gw-dev), but environment dev keeps its state in the local backend, where it would select another state: unset TF_WORKSPACE (it is only for environments with workspaceTags)');
  expect(workspaceProblem(named, {})).toBeUndefined();
  expect(workspaceProblem(named, { TF_WORKSPACE: 'other' })).toBe(
    'TF_WORKSPACE is set (other), but environment prod names its Terraform Cloud workspace (gateway-prod), where it would select another state: unset TF_WORKSPACE (it is only for environments with workspaceTags)',
  );
});

test('npm run plan stops with a usage error before synthesizing anything', async () => {
  const outDir = path.join(dir, 'out');
  await expect(planEnvironment({ environment: 'prod', outDir, json: false, parallel: 1 }, dir, {})).rejects.toEqual(new UsageError(TAGS_NEED_IT));
  await expect(planEnvironment({ environment: 'prod', outDir, json: false, parallel: 1 }, dir, {})).rejects.toBeInstanceOf(UsageError);
  expect(existsSync(outDir)).toBe(false);
});
