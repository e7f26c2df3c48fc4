/**
 * Tenant shards (`tenantShards: N`): a stable assignment (jump consistent hash of the tenant id),
 * a core stack without tenant keys that exports its tier plans, N shard stacks reading the core's
 * state, each shard publishing its slice of the authorizer's tenant table as one S3 object in a
 * bucket the core owns, and the property that matters for plans: adding a tenant changes only its
 * shard's Terraform JSON (byte comparison of every other stack, the core included: its authorizer
 * bundle carries no tenants). Every stack of a sharded environment passes `terraform init` +
 * `terraform validate`.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import type { GatewayConfigInput } from '../../gateway-config/schema';
import { jumpConsistentHash, tenantShard, tenantsByShard } from '../../gateway-config/tenant-shards';
import { validateConfig } from '../../gateway-config/validate';
import { runTerraform, terraformEnv } from '../../scripts/lib/terraform';
import { addStacks } from '../../stacks/app';
import { GatewayStack } from '../../stacks/gateway-stack';
import { buildShardTenantTable } from '../../gateway-config/tenant-table';
import { apiKeyValue } from '../../gateway-config/derive';
import { loadStackModel } from '../../local-gateway/stack-model';
import { generatedConfigInput, generatedTenantId } from '../helpers/generated-config';
import { problems } from '../helpers/config-problems';
import { diffConfigs, reviewChanges } from '../../review/tenant-diff';

const SHARDS = 3;

function shardedInput(tenants: number, edit?: (input: GatewayConfigInput) => void): GatewayConfigInput {
  const input = generatedConfigInput({ tenants });
  input.environments[0].tenantShards = SHARDS;
  edit?.(input);
  return input;
}

/** Synthesizes every stack of `input` into a fresh directory: stack name -> cdk.tf.json text. */
function synth(input: GatewayConfigInput): { dirs: Record<string, string>; json: Record<string, string>; manifest: { stacks: Record<string, { dependencies: string[] }> }; authorizerCode: string } {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'bag-shards-')), 'cdktf.out');
  const app = new App({ outdir, skipValidation: true });
  const stacks = addStacks(app, validateConfig(input));
  app.synth();
  const authorizerCode = stacks.find((s): s is GatewayStack => s instanceof GatewayStack)!.authorizer.fn.bundle.code;
  const stacksDir = path.join(outdir, 'stacks');
  const dirs = Object.fromEntries(readdirSync(stacksDir).map((name) => [name, path.join(stacksDir, name)]));
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  return { dirs, manifest, authorizerCode, json: Object.fromEntries(Object.entries(dirs).map(([name, dir]) => [name, readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')])) };
}

type Json = { resource?: Record<string, Record<string, Record<string, unknown>>>; data?: Record<string, Record<string, Record<string, unknown>>>; output?: Record<string, { value: unknown }>; terraform: { backend: Record<string, Record<string, unknown>> } };

describe('shard assignment', () => {
  it('is the jump consistent hash of SHA-256(tenant id): fixed values, the same on every call', () => {
    expect(['acme', 'globex', 'hooli', 'initech', 'umbrella'].map((id) => tenantShard(id, 8))).toEqual(['acme', 'globex', 'hooli', 'initech', 'umbrella'].map((id) => tenantShard(id, 8)));
    // The reference algorithm's first buckets for key 0 ... (Lamping and Veach): key 0 stays in bucket 0.
    expect([1, 2, 10, 1000].map((n) => jumpConsistentHash(0n, n))).toEqual([0, 0, 0, 0]);
    expect(jumpConsistentHash(0xffffffffffffffffn, 1)).toBe(0);
    expect(() => jumpConsistentHash(1n, 0)).toThrow(new Error('jumpConsistentHash: buckets must be a positive integer, got 0'));
  });

  it('spreads 10,000 tenants evenly, and going from N to N+1 shards moves only tenants into the new shard, about 1/(N+1) of them', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => generatedTenantId(i + 1));
    for (const n of [3, 8, 16]) {
      const counts = new Array<number>(n).fill(0);
      for (const id of ids) counts[tenantShard(id, n)]++;
      expect([n, Math.min(...counts) > (10_000 / n) * 0.85, Math.max(...counts) < (10_000 / n) * 1.15]).toEqual([n, true, true]);
      const moved = ids.filter((id) => tenantShard(id, n) !== tenantShard(id, n + 1));
      expect(moved.every((id) => tenantShard(id, n + 1) === n)).toBe(true);
      expect(Math.abs(moved.length / 10_000 - 1 / (n + 1))).toBeLessThan(0.02);
    }
  });

  it('does not depend on the other tenants: adding or removing tenants moves nobody', () => {
    const config = validateConfig(shardedInput(200));
    const before = new Map(tenantsByShard(config, config.environments[0]).flatMap((tenants, shard) => tenants.map((t) => [t.id, shard] as const)));
    const fewer = validateConfig(shardedInput(200, (input) => (input.tenants = input.tenants.filter((_, i) => i % 3 !== 0).concat({ id: 'newcomer', tier: 'gold', identityProviders: ['okta'] }))));
    const after = tenantsByShard(fewer, fewer.environments[0]).flatMap((tenants, shard) => tenants.map((t) => [t.id, shard] as const));
    expect(after.filter(([id, shard]) => id !== 'newcomer' && before.get(id) !== shard)).toEqual([]);
  });
});

describe('sharded environment', () => {
  const base = synth(shardedInput(60));
  const core = JSON.parse(base.json['gateway-dev']) as Json;
  const shards = [0, 1, 2].map((k) => JSON.parse(base.json[`gateway-dev-tenants-${k}`]) as Json);

  it('synthesizes the core stack and one stack per shard', () => {
    expect(Object.keys(base.json).sort()).toEqual(['gateway-dev', 'gateway-dev-tenants-0', 'gateway-dev-tenants-1', 'gateway-dev-tenants-2', 'state-example-corp-bedrock-gateway-tfstate']);
    // cdktf deploy applies the core (whose state the shards read) before the shards.
    expect([0, 1, 2].map((k) => base.manifest.stacks[`gateway-dev-tenants-${k}`].dependencies)).toEqual([['gateway-dev'], ['gateway-dev'], ['gateway-dev']]);
  });

  it('keeps tenant keys and plans out of the core stack, which exports its tier plans', () => {
    expect(core.resource?.aws_api_gateway_api_key).toBeUndefined();
    expect(core.resource?.aws_api_gateway_usage_plan_key).toBeUndefined();
    expect(Object.values(core.resource?.aws_api_gateway_usage_plan ?? {}).map((p) => p.name).sort()).toEqual(['bedrock-gw-dev-tier-bronze', 'bedrock-gw-dev-tier-gold', 'bedrock-gw-dev-tier-silver']);
    expect(core.output?.tier_usage_plan_ids?.value).toEqual({
      bronze: expect.stringMatching(/^\$\{aws_api_gateway_usage_plan\.plans_tier-bronze_[0-9A-F]+\.id\}$/),
      gold: expect.stringMatching(/^\$\{aws_api_gateway_usage_plan\.plans_tier-gold_[0-9A-F]+\.id\}$/),
      silver: expect.stringMatching(/^\$\{aws_api_gateway_usage_plan\.plans_tier-silver_[0-9A-F]+\.id\}$/),
    });
    expect(core.output?.tenant_api_key_ids).toBeUndefined();
  });

  it('owns a private bucket for the tenant tables, and its authorizer carries no tenant: it may read the tables and nothing else', () => {
    const [[bucketId, bucket]] = Object.entries(core.resource!.aws_s3_bucket);
    expect(Object.keys(core.resource!.aws_s3_bucket)).toHaveLength(1);
    expect(bucket).toMatchObject({ bucket_prefix: 'bedrock-gw-dev-tables-', force_destroy: true });
    const ref = `aws_s3_bucket.${bucketId}`;
    const onBucket = (type: string) => Object.values(core.resource![type]).filter((r) => r.bucket === `\${${ref}.id}`);
    expect(onBucket('aws_s3_bucket_versioning').map((r) => r.versioning_configuration)).toEqual([{ status: 'Enabled' }]);
    expect(onBucket('aws_s3_bucket_server_side_encryption_configuration').map((r) => r.rule)).toEqual([[{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]]);
    expect(onBucket('aws_s3_bucket_public_access_block').map(({ block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets }) => [block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets])).toEqual([[true, true, true, true]]);
    expect(onBucket('aws_s3_bucket_policy').map((r) => JSON.parse(String(r.policy)).Statement)).toEqual([
      [{ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`\${${ref}.arn}`, `\${${ref}.arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    ]);
    expect(core.output?.tenant_table_bucket?.value).toBe(`\${${ref}.bucket}`);

    const authorizer = Object.values(core.resource!.aws_lambda_function).find((f) => f.function_name === 'bedrock-gw-dev-authorizer')!;
    expect(authorizer.environment).toEqual({ variables: { GATEWAY_TENANT_TABLE_BUCKET: `\${${ref}.bucket}` } });
    const policies = Object.values(core.resource!.aws_iam_role_policy).filter((p) => p.name === 'read-tenant-tables');
    expect(policies.map((p) => [p.role, JSON.parse(String(p.policy))])).toEqual([
      [String(authorizer.role).replace('.arn}', '.name}'), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `\${${ref}.arn}/tenant-tables/*` }] }],
    ]);
    // The bundle: the shard count, no tenant (ids, rows or keys).
    // (boolean checks: a failed toContain would print the whole bundle)
    expect(base.authorizerCode.includes('"tenants":{"format":"tenant-table-shards/1","shards":3,"maxAgeSeconds":60}}')).toBe(true);
    expect(['t00001', 't00060', '"rows":', '"keyScope":'].map((s) => [s, base.authorizerCode.includes(s)])).toEqual(['t00001', 't00060', '"rows":', '"keyScope":'].map((s) => [s, false]));
    expect(base.authorizerCode.length).toBeLessThan(100 * 1024);
  });

  it('publishes each shard\'s slice of the tenant table as one S3 object in the core\'s bucket', () => {
    const config = validateConfig(shardedInput(60));
    shards.forEach((shard, k) => {
      expect(Object.values(shard.resource!.aws_s3_object).map(({ '//': _metadata, ...object }) => object)).toEqual([
        {
          bucket: '${data.terraform_remote_state.core.outputs.tenant_table_bucket}',
          key: `tenant-tables/tenants-${k}.json`,
          content: JSON.stringify(buildShardTenantTable(config, config.environments[0], k)),
          content_type: 'application/json',
        },
      ]);
      // The slice: exactly the shard's tenants.
      expect(Object.keys(JSON.parse(String(Object.values(shard.resource!.aws_s3_object)[0].content)).rows).sort()).toEqual(
        Object.values(shard.resource!.aws_api_gateway_api_key).map((key) => (key.tags as Record<string, string>).tenant).sort(),
      );
    });
  });

  it('gives every tenant exactly one key and plan link, in the shard its id hashes to, linked through the core state', () => {
    const seen: string[] = [];
    shards.forEach((shard, k) => {
      const keys = Object.values(shard.resource?.aws_api_gateway_api_key ?? {});
      for (const key of keys) {
        const tenant = (key.tags as Record<string, string>).tenant;
        expect([tenant, tenantShard(tenant, SHARDS)]).toEqual([tenant, k]);
        seen.push(tenant);
      }
      expect(shard.terraform.backend.s3).toMatchObject({ bucket: 'example-corp-bedrock-gateway-tfstate', key: `bedrock-ai-gateway/dev/tenants-${k}/terraform.tfstate`, use_lockfile: true });
      expect(shard.data?.terraform_remote_state?.core).toMatchObject({ backend: 's3', config: { bucket: 'example-corp-bedrock-gateway-tfstate', key: 'bedrock-ai-gateway/dev/terraform.tfstate', region: 'us-east-1' } });
      const links = Object.values(shard.resource?.aws_api_gateway_usage_plan_key ?? {});
      expect(links).toHaveLength(keys.length);
      for (const link of links) {
        expect(link.usage_plan_id).toMatch(/^\$\{(data\.terraform_remote_state\.core\.outputs\.tier_usage_plan_ids\.(bronze|silver|gold)|aws_api_gateway_usage_plan\.plans_tenant-t\d{5}_[0-9A-F]+\.id)\}$/);
      }
      for (const plan of Object.values(shard.resource?.aws_api_gateway_usage_plan ?? {})) {
        expect(plan.api_stages).toEqual([{ api_id: '${data.terraform_remote_state.core.outputs.rest_api_id}', stage: '${data.terraform_remote_state.core.outputs.stage_name}' }]);
      }
    });
    expect(seen.sort()).toEqual(Array.from({ length: 60 }, (_, i) => generatedTenantId(i + 1)));
    // Every 50th tenant has a plan of its own: t00050, in its shard.
    expect(Object.values(shards[tenantShard('t00050', SHARDS)].resource?.aws_api_gateway_usage_plan ?? {}).map((p) => p.name)).toEqual(['bedrock-gw-dev-tenant-t00050']);
  });

  it('is served by the local gateway with every shard: each tenant\'s key in its tier\'s plan of the core, or in its own plan', () => {
    const config = validateConfig(shardedInput(60));
    const environment = config.environments[0];
    const model = loadStackModel(base.dirs['gateway-dev'], { shardDirs: [0, 1, 2].map((k) => base.dirs[`gateway-dev-tenants-${k}`]) });
    expect(model.apiKeys.size).toBe(60);
    const planOf = new Map(model.usagePlans.flatMap((plan) => plan.keyAddresses.map((key) => [key, plan.name] as const)));
    for (const tenant of config.tenants) {
      const key = model.apiKeys.get(apiKeyValue(environment, tenant.id))!;
      expect([tenant.id, key.address.split(':')[0], planOf.get(key.address)]).toEqual([
        tenant.id,
        `gateway-dev-tenants-${tenantShard(tenant.id, SHARDS)}`,
        tenant.id === 't00050' ? 'bedrock-gw-dev-tenant-t00050' : `bedrock-gw-dev-tier-${tenant.tier}`,
      ]);
    }
  });

  it('with a Terraform Cloud backend: shard workspaces <workspace>-tenants-<i>, the core read from its workspace by name', () => {
    const cloud = synth(
      shardedInput(10, (input) => {
        input.environments[0].state = { backend: 'cloud', organization: 'example-corp', workspace: 'gateway-dev', project: 'ai' };
      }),
    );
    const shard = JSON.parse(cloud.json['gateway-dev-tenants-1']) as Json & { terraform: { cloud: Record<string, unknown> } };
    expect(shard.terraform.cloud).toEqual({ organization: 'example-corp', workspaces: { name: 'gateway-dev-tenants-1', project: 'ai' } });
    expect(shard.data?.terraform_remote_state?.core).toEqual({ backend: 'remote', config: { organization: 'example-corp', workspaces: { name: 'gateway-dev' } } });
    expect((JSON.parse(cloud.json['gateway-dev']) as { terraform: { cloud: Record<string, unknown> } }).terraform.cloud).toEqual({ organization: 'example-corp', workspaces: { name: 'gateway-dev', project: 'ai' } });
  });

  it('is deterministic: the same config synthesizes byte-identical stacks', () => {
    expect(synth(shardedInput(60)).json).toEqual(base.json);
  });

  it('adding a tenant changes only its shard: every other stack, the core included, is byte-identical', () => {
    const added = synth(shardedInput(60, (input) => input.tenants.push({ id: 'newcomer', tier: 'silver', identityProviders: ['okta'] })));
    const home = `gateway-dev-tenants-${tenantShard('newcomer', SHARDS)}`;
    const changed = Object.keys(base.json).filter((name) => added.json[name] !== base.json[name]).sort();
    expect(changed).toEqual([home]);
    expect(added.json[home]).toContain('"bedrock-gw-dev-newcomer"');
    // Its key, its plan link and its shard's table, which now holds it.
    const table = (json: string) => JSON.parse(String(Object.values((JSON.parse(json) as Json).resource!.aws_s3_object)[0].content)) as { rows: Record<string, number> };
    expect(Object.keys(table(added.json[home]).rows).filter((id) => !(id in table(base.json[home]).rows))).toEqual(['newcomer']);
    expect(added.authorizerCode).toBe(base.authorizerCode);
  });

  it('passes terraform init + validate, every stack', async () => {
    const env = terraformEnv();
    const outcomes = await Promise.all(
      ['gateway-dev', 'gateway-dev-tenants-0', 'gateway-dev-tenants-1', 'gateway-dev-tenants-2'].map(async (name) => {
        const dir = base.dirs[name];
        const init = await runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
        if (init.code !== 0) return [name, `init failed: ${init.stdout}${init.stderr}`];
        const run = await runTerraform(dir, ['validate', '-json', '-no-color'], { env });
        const report = JSON.parse(run.stdout) as { valid: boolean; error_count: number; warning_count: number; diagnostics: Array<{ summary: string }> };
        return [name, report.valid, report.error_count, report.diagnostics.filter((d) => !d.summary.includes('Deprecated')).map((d) => d.summary)];
      }),
    );
    expect(outcomes).toEqual(['gateway-dev', 'gateway-dev-tenants-0', 'gateway-dev-tenants-1', 'gateway-dev-tenants-2'].map((name) => [name, true, 0, []]));
  }, 480_000);
});

describe('PR tenant report', () => {
  it('names the shard each tenant change lands in', () => {
    const plain = (input: GatewayConfigInput) => (delete input.environments[0].tenantShards, input);
    const base = validateConfig(shardedInput(20));
    const head = validateConfig(
      shardedInput(20, (input) => {
        input.tenants[2] = { ...input.tenants[2], tier: 'gold' };
        input.tenants.push({ id: 'newcomer', tier: 'bronze', identityProviders: ['okta'] });
      }),
    );
    const changes = [...new Set(diffConfigs(base, head).map((c) => JSON.stringify([c.id, c.change, c.shard])))].map((c) => JSON.parse(c));
    expect(changes).toEqual([
      ['t00003', 'changed', `tenants-${tenantShard('t00003', SHARDS)}`],
      ['newcomer', 'added', `tenants-${tenantShard('newcomer', SHARDS)}`],
    ]);
    const { markdown } = reviewChanges({ ref: 'main', base: { valid: true, config: base }, head: { valid: true, config: head } }, () => '');
    expect(markdown).toContain(`| \`t00003\` (shard \`tenants-${tenantShard('t00003', SHARDS)}\`) | tier |`);
    expect(markdown).toContain(`| dev | tenant \`newcomer\` (shard \`tenants-${tenantShard('newcomer', SHARDS)}\`) | tenant added with 2 models |`);
    // Unsharded: no shard stacks, no shard named.
    expect(tenantsByShard(validateConfig(plain(shardedInput(5))), validateConfig(plain(shardedInput(5))).environments[0])).toEqual([]);
    expect(diffConfigs(validateConfig(plain(shardedInput(20))), validateConfig(plain(shardedInput(21)))).map((c) => c.shard)).toEqual([undefined]);
  });
});

describe('tenantShards validation', () => {
  const withShards = (shards: number, state?: GatewayConfigInput['environments'][number]['state']) =>
    problems(
      shardedInput(5, (input) => {
        input.environments[0].tenantShards = shards;
        if (state) input.environments[0].state = state;
      }),
    );

  it('needs a backend whose outputs the shards can read', () => {
    expect(withShards(2, { backend: 'local' })).toEqual([
      'config/environments.ts: environments[0].tenantShards: tenantShards needs a state backend whose outputs other stacks can read (state.backend s3 or cloud), not local (got 2)',
    ]);
    expect(withShards(2, { backend: 'cloud', organization: 'example', workspaceTags: ['gateway'] })).toEqual([
      'config/environments.ts: environments[0].tenantShards: tenantShards with a cloud backend needs a named workspace (state.workspace): shard i uses workspace <workspace>-tenants-<i> and reads the core workspace by name (got 2)',
    ]);
  });

  it('cannot be combined with token budgets yet', () => {
    const found = problems(
      shardedInput(5, (input) => {
        input.environments[0].tenantShards = 2;
        input.environments[0].tokenBudgets = { invocationLogging: { source: 'existing', logGroupName: '/aws/bedrock/model-invocations' } };
      }),
    );
    expect(found).toContain(
      'config/environments.ts: environments[0].tenantShards: tenantShards above 1 cannot be combined with tokenBudgets yet (the budget functions need the API keys the shard stacks create); use one or the other (got 2)',
    );
  });

  it('is a whole number from 1 to 64', () => {
    expect(withShards(0)).toEqual(['config/environments.ts: environments[0].tenantShards: tenantShards must be at least 1 (got 0)']);
    expect(withShards(65)).toEqual(['config/environments.ts: environments[0].tenantShards: tenantShards must not be greater than 64 (got 65)']);
    expect(withShards(2.5)).toEqual(['config/environments.ts: environments[0].tenantShards: tenantShards must be a whole number (got 2.5)']);
  });
});
