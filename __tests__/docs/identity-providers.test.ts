/**
 * docs/identity-providers.md works as written: the trigger and the Terraform it shows are the
 * files the tests run (byte for byte), the Terraform passes `terraform init` + `validate` with
 * the real AWS provider, every recipe anchor explain-token points to exists, and the trigger
 * answers Cognito's events as the recipe says.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requireTool, runTerraform, terraformEnv, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { RECIPE_ANCHORS } from '../../token-diagnostics/recipes';
import { REPO_ROOT } from '../helpers/config';
import { accessTokenClaims, clientCredentialsEvent, loadTrigger, TRIGGER_DIR, userSignInEvent } from './support/trigger';

const DOC = readFileSync(path.join(REPO_ROOT, 'docs', 'identity-providers.md'), 'utf8');

/** The fenced code blocks of a language, as written. */
function blocks(language: string): string[] {
  return [...DOC.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]);
}

/** GitHub's heading anchors. */
function anchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
    m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-'),
  );
}

describe('docs/identity-providers.md', () => {
  it('shows the trigger and the Terraform exactly as the tested files', () => {
    expect(blocks('js')).toEqual([readFileSync(path.join(TRIGGER_DIR, 'index.js'), 'utf8')]);
    expect(blocks('hcl')).toEqual([readFileSync(path.join(TRIGGER_DIR, 'main.tf'), 'utf8')]);
  });

  it('has every section explain-token and check-idp point to', () => {
    const present = anchors(DOC);
    expect(Object.values(RECIPE_ANCHORS).filter((a) => !present.includes(a))).toEqual([]);
  });

  it('cites the providers\' documentation', () => {
    for (const source of ['https://docs.aws.amazon.com/cognito/', 'https://developer.okta.com/docs/', 'https://learn.microsoft.com/en-us/entra/identity-platform/', 'https://openid.net/specs/']) {
      expect(DOC).toContain(source);
    }
  });

  it('is linked from the README, and links back to the README section that exists', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('(docs/identity-providers.md)');
    expect(anchors(readme)).toContain('explain-token-why-is-this-token-refused');
  });
});

describe('the Cognito trigger', () => {
  it('adds the user\'s tenant and tier to the access token (V2_0 and V3_0 user events)', async () => {
    for (const version of ['2', '3'] as const) {
      const event = userSignInEvent({ 'custom:tenant_id': 'acme', 'custom:tier': 'gold', 'custom:other': 'x' }, version);
      const answer = await loadTrigger()(structuredClone(event));
      expect(answer.response).toEqual({ claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { 'custom:tenant_id': 'acme', 'custom:tier': 'gold' } } } });
    }
  });

  it('maps client-credentials callers by client id only', async () => {
    const trigger = loadTrigger({ TENANT_BY_CLIENT_ID: '{"5example0m2m0client0id0xyz":"hooli"}' });
    expect(await accessTokenClaims(trigger, clientCredentialsEvent('5example0m2m0client0id0xyz', { tenant_id: 'acme' }))).toEqual({ 'custom:tenant_id': 'hooli' });
    expect(await accessTokenClaims(trigger, clientCredentialsEvent('__proto__'))).toEqual({});
    expect(await accessTokenClaims(loadTrigger(), clientCredentialsEvent('5example0m2m0client0id0xyz'))).toEqual({});
  });
});

describe('the Cognito Terraform', () => {
  let dir: string;
  beforeAll(() => {
    requireTool('terraform', TERRAFORM_HINT);
    dir = mkdtempSync(path.join(tmpdir(), 'bag-cognito-recipe-'));
    writeFileSync(path.join(dir, 'main.tf'), readFileSync(path.join(TRIGGER_DIR, 'main.tf')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes terraform init + validate with the real AWS provider', async () => {
    const env = terraformEnv();
    const init = await runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
    expect([init.code, init.code === 0 ? '' : init.stderr]).toEqual([0, '']);
    const validate = await runTerraform(dir, ['validate', '-json', '-no-color'], { env });
    const report = JSON.parse(validate.stdout) as { valid: boolean; error_count: number; warning_count: number; diagnostics: unknown[] };
    expect(report).toMatchObject({ valid: true, error_count: 0 });
  }, 300_000);
});
