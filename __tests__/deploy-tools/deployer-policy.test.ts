/**
 * The deployer policy against the stacks the example config synthesizes: every resource and
 * data source type mapped (a new type without a mapping fails, naming it), no wildcard action,
 * `*` resources only for actions AWS documents without resource-level permissions, every
 * synthesized name inside the policy's ARNs, the state backend's exact statements.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { attachmentAdvice, buildDeployerPolicy, INLINE_ROLE_POLICY_MAX_CHARS, MANAGED_POLICY_MAX_CHARS, policySize, splitPolicy, UnmappedResourceTypesError, type DeployerPolicy } from '../../deploy-tools/deployer-policy/policy';
import { DATA_SOURCE_PERMISSIONS, PREFLIGHT_PERMISSIONS, RESOURCE_PERMISSIONS } from '../../deploy-tools/deployer-policy/resource-permissions';
import { resourcesOfType, resourceTypes, synthesizeEnvironment, type EnvironmentStacks } from '../../deploy-tools/synthesized-stacks';
import { tenantTableKey } from '../../gateway-config/tenant-shards';
import { validateConfig } from '../../gateway-config/validate';
import { exampleConfig, REPO_ROOT } from '../helpers/config';
import { generatedConfigInput } from '../helpers/generated-config';

jest.setTimeout(5 * 60 * 1000);

const ACCOUNT = '111122223333';
const config = exampleConfig();
const stacks: Record<string, EnvironmentStacks> = {};
const policies: Record<string, DeployerPolicy> = {};

beforeAll(() => {
  for (const environment of config.environments) {
    stacks[environment.name] = synthesizeEnvironment(config, environment.name);
    policies[environment.name] = buildDeployerPolicy(stacks[environment.name], { account: ACCOUNT });
  }
});

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
function iamMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(value);
}

/** Whether some statement allows `action` on `arn` (ignoring conditions). */
function allows(policy: DeployerPolicy, action: string, arn: string): boolean {
  return policy.policy.Statement.some((s) => s.Action.includes(action) && s.Resource.some((r) => iamMatches(r, arn)));
}

const environments = () => config.environments.map((e) => e.name);

/**
 * prod with `tenantShards: 2` (no token budgets: the two do not combine yet), 50 generated tenants:
 * their keys, plan links and one own usage plan (t00050) are in the shard stacks
 * `gateway-prod-tenants-0/1`, each with its own state and a tenant table object.
 */
const SHARDED = 'prod-sharded';
beforeAll(() => {
  const input = generatedConfigInput({ tenants: 50, environment: 'prod' });
  input.environments[0].tenantShards = 2;
  stacks[SHARDED] = synthesizeEnvironment(validateConfig(input), 'prod');
  policies[SHARDED] = buildDeployerPolicy(stacks[SHARDED], { account: ACCOUNT });
});

describe('coverage', () => {
  test.each(['dev', 'prod', 'local', 'local-forwarder', SHARDED])('every resource and data source type of %s is mapped', (name) => {
    expect(policies[name].unmapped).toEqual([]);
    for (const type of [stacks[name].gateway, ...stacks[name].shards.map((s) => s.json)].flatMap(resourceTypes)) expect([type, RESOURCE_PERMISSIONS[type] !== undefined]).toEqual([type, true]);
    for (const type of resourceTypes(stacks[name].state!.json)) expect([type, RESOURCE_PERMISSIONS[type] !== undefined]).toEqual([type, true]);
    for (const type of Object.keys(stacks[name].gateway.data ?? {})) expect([type, DATA_SOURCE_PERMISSIONS[type] !== undefined]).toEqual([type, true]);
  });

  test('the example config has exactly these environments (each one is covered above)', () => {
    expect(environments()).toEqual(['dev', 'prod', 'local', 'local-forwarder']);
  });

  test('a resource type without a mapping is reported by name and refused by the command', () => {
    const local = stacks.local;
    const withNewType = { ...local, gateway: { ...local.gateway, resource: { ...local.gateway.resource, aws_made_up_thing: { x: { name: 'y' } } } } };
    const result = buildDeployerPolicy(withNewType, { account: ACCOUNT });
    expect(result.unmapped).toEqual(['aws_made_up_thing']);
    expect(new UnmappedResourceTypesError(result.unmapped).message).toBe(
      'no IAM mapping for aws_made_up_thing: add it to deploy-tools/deployer-policy/resource-permissions.ts (actions from the Service Authorization Reference)',
    );
  });
});

describe('least privilege', () => {
  test.each(['dev', 'prod', 'local', 'local-forwarder', SHARDED])('%s: no wildcard action; `*` resources only for actions without resource-level permissions', (name) => {
    const unscoped = new Set([...Object.values(RESOURCE_PERMISSIONS), ...Object.values(DATA_SOURCE_PERMISSIONS), PREFLIGHT_PERMISSIONS].flatMap((p) => p.unscoped ?? []));
    for (const statement of policies[name].policy.Statement) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Resource.length).toBeGreaterThan(0);
      for (const action of statement.Action) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      if (statement.Resource.includes('*')) {
        expect(statement.Resource).toEqual(['*']);
        for (const action of statement.Action) expect([action, unscoped.has(action)]).toEqual([action, true]);
      }
      // No service-wide resource such as arn:aws:s3:::* or arn:aws:iam::<account>:role/*.
      for (const resource of statement.Resource) expect(resource).not.toMatch(/^arn:[^:]+:[^:]+:[^:]*:[^:]*:(\*|role\/\*|function:\*|log-group:\*:\*)$/);
    }
  });

  test('the `*` actions AWS offers a request-tag condition on carry it', () => {
    const createKey = policies.prod.policy.Statement.find((s) => s.Action.includes('kms:CreateKey'))!;
    expect(createKey.Resource).toEqual(['*']);
    expect(createKey.Condition).toEqual({ StringEquals: { 'aws:RequestTag/project': 'bedrock-ai-gateway' } });
  });

  test('the gateway cannot be used to touch another environment: prod names only', () => {
    const text = JSON.stringify(policies.prod.policy);
    expect(text).not.toContain('bedrock-gw-dev');
    expect(text).not.toContain('bedrock-gw-local');
    expect(allows(policies.prod, 'lambda:UpdateFunctionCode', `arn:aws:lambda:us-west-2:${ACCOUNT}:function:bedrock-gw-dev-authorizer`)).toBe(false);
    expect(allows(policies.prod, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/admin`)).toBe(false);
  });

  test('--split: managed-policy-sized documents holding every statement once, in order', () => {
    const documents = splitPolicy(policies.prod.policy);
    expect(documents.length).toBe(2);
    for (const document of documents) expect(policySize(document)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(documents.flatMap((d) => d.Statement)).toEqual(policies.prod.policy.Statement);
  });

  test('what to do with each size: nothing (one managed policy), inline or --split, --split only above the inline limit', () => {
    expect(attachmentAdvice(MANAGED_POLICY_MAX_CHARS)).toBeUndefined();
    expect(attachmentAdvice(INLINE_ROLE_POLICY_MAX_CHARS)).toBe(
      "note: 10240 characters is above the 6144 a managed policy may hold: attach it as the role's only inline policy (a role's inline policies hold 10240 characters together), or print managed-policy-sized documents with --split",
    );
    expect(attachmentAdvice(INLINE_ROLE_POLICY_MAX_CHARS + 1)).toBe(
      "note: 10241 characters is above the 6144 a managed policy may hold and the 10240 a role's inline policies hold together, so it cannot be attached as printed: run again with --split and attach each printed document as a customer managed policy of the role (up to 10 per role by default)",
    );
  });

  test('every environment fits --split managed policies; the same stacks print the same policy', () => {
    for (const name of [...environments(), SHARDED]) {
      const documents = splitPolicy(policies[name].policy);
      expect([name, documents.length <= 10]).toEqual([name, true]);
      for (const doc of documents) expect(policySize(doc)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    }
    expect(JSON.stringify(buildDeployerPolicy(stacks.prod, { account: ACCOUNT }))).toBe(JSON.stringify(policies.prod));
  });

  test("the deploy guide's prod figure is the measured size, and it says --split when prod does not fit inline", () => {
    const guide = readFileSync(path.join(REPO_ROOT, 'docs', 'deploying-to-aws.md'), 'utf8').replace(/\s+/g, ' ');
    const full = policySize(policies.prod.policy);
    const noBootstrap = policySize(buildDeployerPolicy(stacks.prod, { account: ACCOUNT, includeBootstrap: false }).policy);
    const dev = policySize(policies.dev.policy);
    const stated = /The prod policy is ([\d,]+) characters \(([\d,]+) with `--no-bootstrap`\); dev's is ([\d,]+)/.exec(guide);
    expect(stated?.slice(1).map((n) => Number(n.replace(/,/g, '')))).toEqual([full, noBootstrap, dev]);
    expect(full > INLINE_ROLE_POLICY_MAX_CHARS).toBe(guide.includes('prod needs `--split`'));
  });
});

describe('every synthesized name is inside the policy', () => {
  test.each(['dev', 'prod', 'local', 'local-forwarder', SHARDED])('%s', (name) => {
    const { gateway, environment } = stacks[name];
    const policy = policies[name];
    const region = environment.region;
    for (const fn of resourcesOfType(gateway, 'aws_lambda_function')) {
      expect(allows(policy, 'lambda:CreateFunction', `arn:aws:lambda:${region}:${ACCOUNT}:function:${fn.function_name}`)).toBe(true);
      expect(allows(policy, 'lambda:AddPermission', `arn:aws:lambda:${region}:${ACCOUNT}:function:${fn.function_name}`)).toBe(true);
    }
    for (const role of resourcesOfType(gateway, 'aws_iam_role')) {
      expect(allows(policy, 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/${role.name}`)).toBe(true);
      expect(allows(policy, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/${role.name}`)).toBe(true);
      expect(allows(policy, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/${role.name}`)).toBe(true);
    }
    for (const group of resourcesOfType(gateway, 'aws_cloudwatch_log_group')) {
      const logName = String(group.name).replace(/\$\{[^}]*\}/g, 'abc123');
      expect([logName, allows(policy, 'logs:CreateLogGroup', `arn:aws:logs:${region}:${ACCOUNT}:log-group:${logName}`)]).toEqual([logName, true]);
      expect(allows(policy, 'logs:PutRetentionPolicy', `arn:aws:logs:${region}:${ACCOUNT}:log-group:${logName}:*`)).toBe(true);
    }
    for (const alarm of resourcesOfType(gateway, 'aws_cloudwatch_metric_alarm')) {
      expect(allows(policy, 'cloudwatch:PutMetricAlarm', `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${alarm.alarm_name}`)).toBe(true);
    }
    for (const acl of resourcesOfType(gateway, 'aws_wafv2_web_acl')) {
      expect(allows(policy, 'wafv2:CreateWebACL', `arn:aws:wafv2:${region}:${ACCOUNT}:regional/webacl/${acl.name}/0e1f2a3b`)).toBe(true);
    }
    expect(allows(policy, 'apigateway:POST', `arn:aws:apigateway:${region}::/restapis`)).toBe(true);
    expect(allows(policy, 'apigateway:PATCH', `arn:aws:apigateway:${region}::/restapis/a1b2c3/stages/${environment.stageName ?? name}`)).toBe(true);
    expect(allows(policy, 'apigateway:POST', `arn:aws:apigateway:${region}::/usageplans`)).toBe(true);
  });
});

describe('state backend', () => {
  test('the environment key and its lockfile, nothing else in the bucket', () => {
    const state = policies.dev.policy.Statement.filter((s) => ['StateList', 'StateLock', 'StateObject'].includes(s.Sid!));
    expect(state).toEqual([
      {
        Sid: 'StateList',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::example-corp-bedrock-gateway-tfstate'],
        Condition: { StringLike: { 's3:prefix': ['bedrock-ai-gateway/dev/terraform.tfstate', 'bedrock-ai-gateway/dev/terraform.tfstate.tflock'] } },
      },
      { Sid: 'StateLock', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::example-corp-bedrock-gateway-tfstate/bedrock-ai-gateway/dev/terraform.tfstate.tflock'] },
      { Sid: 'StateObject', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::example-corp-bedrock-gateway-tfstate/bedrock-ai-gateway/dev/terraform.tfstate'] },
    ]);
    expect(allows(policies.dev, 's3:PutObject', 'arn:aws:s3:::example-corp-bedrock-gateway-tfstate/bedrock-ai-gateway/prod/terraform.tfstate')).toBe(false);
  });

  test('the role can run preflight: its reads are in the policy, and --no-preflight leaves them out', () => {
    const bucket = 'arn:aws:s3:::example-corp-bedrock-gateway-tfstate';
    const without = buildDeployerPolicy(stacks.dev, { account: ACCOUNT, includeBootstrap: false, includePreflight: false });
    const withIt = buildDeployerPolicy(stacks.dev, { account: ACCOUNT, includeBootstrap: false });
    for (const [action, arn] of [
      ['s3:GetBucketVersioning', bucket],
      ['s3:GetEncryptionConfiguration', bucket],
      ['bedrock:GetInferenceProfile', `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`],
      ['bedrock:GetFoundationModelAvailability', '*'],
      ['servicequotas:ListServiceQuotas', '*'],
      ['wafv2:ListWebACLs', '*'],
    ] as const) {
      expect([action, allows(withIt, action, arn)]).toEqual([action, true]);
      expect([action, allows(without, action, arn)]).toEqual([action, false]);
    }
  });

  test('--plan-only: reads and the state lock, no write to any resource or to the state', () => {
    const plan = buildDeployerPolicy(stacks.prod, { account: ACCOUNT, includeBootstrap: false, planOnly: true });
    const actions = plan.policy.Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => !/^[a-z0-9-]+:(Get|List|Describe)/.test(a) && a !== 'apigateway:GET')).toEqual(['s3:DeleteObject', 's3:PutObject']);
    const lock = 'arn:aws:s3:::example-corp-bedrock-gateway-tfstate/bedrock-ai-gateway/prod/terraform.tfstate';
    expect(allows(plan, 's3:PutObject', `${lock}.tflock`)).toBe(true);
    expect(allows(plan, 's3:PutObject', lock)).toBe(false);
    expect(allows(plan, 's3:GetObject', lock)).toBe(true);
    expect(allows(plan, 'lambda:GetFunction', `arn:aws:lambda:us-west-2:${ACCOUNT}:function:bedrock-gw-prod-authorizer`)).toBe(true);
    expect(allows(plan, 'wafv2:GetWebACL', `arn:aws:wafv2:us-west-2:${ACCOUNT}:regional/webacl/bedrock-gw-prod-waf/x`)).toBe(true);
  });

  test('--no-bootstrap leaves out the state bucket management', () => {
    const without = buildDeployerPolicy(stacks.dev, { account: ACCOUNT, includeBootstrap: false });
    expect(allows(without, 's3:CreateBucket', 'arn:aws:s3:::example-corp-bedrock-gateway-tfstate')).toBe(false);
    expect(allows(policies.dev, 's3:CreateBucket', 'arn:aws:s3:::example-corp-bedrock-gateway-tfstate')).toBe(true);
    expect(allows(policies.dev, 's3:PutBucketVersioning', 'arn:aws:s3:::example-corp-bedrock-gateway-tfstate')).toBe(true);
  });
});

describe('tenant shards: the shard stacks are in the policy', () => {
  const bucket = 'arn:aws:s3:::example-corp-bedrock-gateway-tfstate';
  const keys = ['bedrock-ai-gateway/prod/terraform.tfstate', 'bedrock-ai-gateway/prod/tenants-0/terraform.tfstate', 'bedrock-ai-gateway/prod/tenants-1/terraform.tfstate'];
  /** A name S3 could generate from the tenant table bucket's prefix (bucket_prefix + 26 characters). */
  const tablesBucket = 'arn:aws:s3:::bedrock-gw-prod-tables-20261201093000123400000001';

  test('the synthesized environment has both shard stacks, which hold every API key and the own usage plan', () => {
    const sharded = stacks[SHARDED];
    expect(sharded.shards.map((s) => [s.id, s.part])).toEqual([
      ['gateway-prod-tenants-0', 'tenants-0'],
      ['gateway-prod-tenants-1', 'tenants-1'],
    ]);
    expect(resourcesOfType(sharded.gateway, 'aws_api_gateway_api_key')).toEqual([]);
    expect(sharded.shards.reduce((n, s) => n + resourcesOfType(s.json, 'aws_api_gateway_api_key').length, 0)).toBe(50);
    expect(sharded.shards.reduce((n, s) => n + resourcesOfType(s.json, 'aws_api_gateway_usage_plan').length, 0)).toBe(1);
    expect(policies[SHARDED].types).toEqual(expect.arrayContaining(['aws_s3_object', 'data.terraform_remote_state', 'aws_api_gateway_usage_plan_key']));
  });

  test('each shard state and lockfile, next to the core one: exact statements', () => {
    const state = policies[SHARDED].policy.Statement.filter((s) => ['StateList', 'StateLock', 'StateObject'].includes(s.Sid!));
    expect(state).toEqual([
      { Sid: 'StateList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket], Condition: { StringLike: { 's3:prefix': keys.flatMap((k) => [k, `${k}.tflock`]) } } },
      { Sid: 'StateLock', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: keys.map((k) => `${bucket}/${k}.tflock`).sort() },
      { Sid: 'StateObject', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: keys.map((k) => `${bucket}/${k}`).sort() },
    ]);
    // The shards read the core's outputs (terraform_remote_state): s3:GetObject on the core key.
    expect(allows(policies[SHARDED], 's3:GetObject', `${bucket}/${keys[0]}`)).toBe(true);
    expect(allows(policies[SHARDED], 's3:PutObject', `${bucket}/bedrock-ai-gateway/prod/tenants-2/terraform.tfstate`)).toBe(false);
  });

  test('the tenant table objects the shards write, in the tables bucket only', () => {
    for (const shard of stacks[SHARDED].shards) {
      const [object] = resourcesOfType(shard.json, 'aws_s3_object');
      expect(object.key).toBe(tenantTableKey(Number(shard.part.split('-')[1])));
      for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
        expect([action, allows(policies[SHARDED], action, `${tablesBucket}/${object.key}`)]).toEqual([action, true]);
      }
      expect(allows(policies[SHARDED], 's3:ListBucketVersions', tablesBucket)).toBe(true);
    }
    expect(allows(policies[SHARDED], 's3:PutObject', `${tablesBucket}/other/tenants-0.json`)).toBe(false);
    expect(allows(policies[SHARDED], 's3:PutObject', 'arn:aws:s3:::bedrock-gw-dev-tables-20261201093000123400000001/tenant-tables/tenants-0.json')).toBe(false);
    // The unsharded prod writes no table: no object grant at all.
    expect(allows(policies.prod, 's3:PutObject', `${tablesBucket}/tenant-tables/tenants-0.json`)).toBe(false);
  });

  test('the keys, plan links and own plan the shards create', () => {
    for (const [action, path] of [
      ['apigateway:POST', '/apikeys'],
      ['apigateway:DELETE', '/apikeys/k1a2b3'],
      ['apigateway:POST', '/usageplans'],
      ['apigateway:POST', '/usageplans/p1a2b3/keys'],
      ['apigateway:DELETE', '/usageplans/p1a2b3/keys/k1a2b3'],
    ] as const) {
      expect([action, path, allows(policies[SHARDED], action, `arn:aws:apigateway:us-west-2::${path}`)]).toEqual([action, path, true]);
    }
  });

  test('--plan-only: every shard state read, never written; every lock taken', () => {
    const plan = buildDeployerPolicy(stacks[SHARDED], { account: ACCOUNT, includeBootstrap: false, planOnly: true });
    for (const key of keys) {
      expect([key, allows(plan, 's3:GetObject', `${bucket}/${key}`), allows(plan, 's3:PutObject', `${bucket}/${key}`), allows(plan, 's3:PutObject', `${bucket}/${key}.tflock`)]).toEqual([key, true, false, true]);
    }
    expect(allows(plan, 's3:GetObject', `${tablesBucket}/tenant-tables/tenants-1.json`)).toBe(true);
    expect(allows(plan, 's3:PutObject', `${tablesBucket}/tenant-tables/tenants-1.json`)).toBe(false);
  });
});

describe('npm run deployer-policy', () => {
  const run = (...args: string[]) => spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/deployer-policy.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  test('prints the policy JSON for an environment; an unknown environment is a usage error', () => {
    const ok = run('--env', 'local', '--account', ACCOUNT);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(policies.local.policy);
    const bad = run('--env', 'staging', '--account', ACCOUNT);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('no environment staging; configured: dev, prod, local, local-forwarder\n');
  });

  test('prod does not fit inline: the command prints it and says to run again with --split', () => {
    const printed = run('--env', 'prod', '--account', ACCOUNT);
    expect(printed.status).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(policies.prod.policy);
    expect(printed.stderr).toBe(`${attachmentAdvice(policySize(policies.prod.policy))}\n`);
    expect(printed.stderr).toContain('run again with --split');
  });
});
