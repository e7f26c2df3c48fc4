/**
 * Terraform Cloud state: one named workspace or the workspaces carrying tags (optionally in a
 * project), synthesized by the real app and accepted by `terraform init -backend=false` +
 * `terraform validate` (no call to Terraform Cloud). Fails, never skips, without Terraform.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EnvironmentInput } from '../../gateway-config';
import { synthesize } from '../../scripts/lib/local-deploy';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { broken, problems } from '../helpers/config-problems';
import { EXAMPLE_CONFIG_DIR, exampleSuppressions } from '../helpers/config';

let workDir: string;
let outdir: string;

const policy = { suppressions: exampleSuppressions() };
const environments: EnvironmentInput[] = [
  { name: 'staging', region: 'us-east-1', state: { backend: 'cloud', organization: 'example-corp', workspaceTags: ['bedrock-gateway', 'staging'], project: 'ai-platform' }, logRetentionDays: 30, policy },
  { name: 'prod', region: 'us-west-2', state: { backend: 'cloud', organization: 'example-corp', workspace: 'bedrock-gateway-prod', hostname: 'tfe.example.com' }, logRetentionDays: 365, policy },
];

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-cloud-'));
  const configDir = path.join(workDir, 'config');
  cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true, filter: (src) => !src.endsWith('environments.ts') });
  writeFileSync(path.join(configDir, 'environments.ts'), `export default ${JSON.stringify(environments)};\n`);
  outdir = path.join(workDir, 'cdktf.out');
  await synthesize({ outdir, configDir });
}, 300_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const terraformBlock = (stack: string) => JSON.parse(readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')).terraform;

test('workspace tags (with a project) and a named workspace synthesize as cloud blocks, with no S3 backend and no state stack', () => {
  expect(terraformBlock('gateway-staging').cloud).toEqual({ organization: 'example-corp', workspaces: { tags: ['bedrock-gateway', 'staging'], project: 'ai-platform' } });
  expect(terraformBlock('gateway-prod').cloud).toEqual({ organization: 'example-corp', hostname: 'tfe.example.com', workspaces: { name: 'bedrock-gateway-prod' } });
  expect(terraformBlock('gateway-prod').backend).toBeUndefined();
});

test('terraform init -backend=false + validate accept both stacks', async () => {
  const env = terraformEnv();
  for (const stack of ['gateway-staging', 'gateway-prod']) {
    const dir = path.join(outdir, 'stacks', stack);
    const init = await runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
    expect([stack, init.code, init.code === 0 ? '' : init.stderr]).toEqual([stack, 0, '']);
    const validate = await runTerraform(dir, ['validate', '-json', '-no-color'], { env });
    expect([stack, JSON.parse(validate.stdout)]).toMatchObject([stack, { valid: true, error_count: 0 }]);
  }
}, 360_000);

test('a cloud backend names its workspaces one way: by name or by tags', () => {
  const message = 'config/environments.ts: environments[0].state: a cloud backend names either workspace (one workspace) or workspaceTags (the workspaces carrying those tags), not both and not neither';
  expect(problems(broken((c) => (c.environments[0].state = { backend: 'cloud', organization: 'o', workspace: 'w', workspaceTags: ['t'] })))).toEqual([message]);
  expect(problems(broken((c) => (c.environments[0].state = { backend: 'cloud', organization: 'o' })))).toEqual([message]);
  expect(problems(broken((c) => (c.environments[0].state = { backend: 'cloud', organization: 'o', workspaceTags: [] })))).toEqual([
    'config/environments.ts: environments[0].state.workspaceTags: workspaceTags must list at least one tag (got [])',
  ]);
});
