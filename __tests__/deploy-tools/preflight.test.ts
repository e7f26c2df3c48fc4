/**
 * Preflight against a real AWS API emulator (moto_server on 127.0.0.1): exact statuses for a
 * missing, unversioned and complete state bucket, web ACL name collisions, the hosted zone, and
 * what the emulator lacks (Bedrock's model catalogue, Service Quotas) reported as cannot-check.
 */
import { CreateBucketCommand, PutBucketEncryptionCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateWebACLCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { exitCodeOf, formatResults, type CheckResult } from '../../deploy-tools/preflight/check';
import { runPreflight } from '../../deploy-tools/preflight';
import { decideLogging } from '../../deploy-tools/preflight/invocation-logging';
import { clientConfig } from '../../deploy-tools/preflight/target';
import { synthesizeEnvironment, type EnvironmentStacks } from '../../deploy-tools/synthesized-stacks';
import { CreateUsagePlanCommand, APIGatewayClient, GetApiKeysCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { validateConfig } from '../../gateway-config/validate';
import { generatedConfigInput } from '../helpers/generated-config';
import { TagResourceCommand } from '@aws-sdk/client-wafv2';
import { startMoto, type MotoServer } from '../../scripts/lib/moto';
import { startBedrockStandIn, type BedrockStandIn } from '../helpers/bedrock-control-plane';
import { exampleConfig, exampleConfigWith } from '../helpers/config';

jest.setTimeout(5 * 60 * 1000);

const config = exampleConfig();
let moto: MotoServer;
let local: EnvironmentStacks;
let prod: EnvironmentStacks;

beforeAll(async () => {
  moto = await startMoto();
  local = synthesizeEnvironment(config, 'local');
  prod = synthesizeEnvironment(config, 'prod');
});
afterAll(async () => {
  await moto?.stop();
});

const statuses = (results: readonly CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));
const byId = (results: readonly CheckResult[], id: string) => {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`no check ${id} in ${results.map((r) => r.id).join(', ')}`);
  return found;
};
const target = () => ({ endpoint: moto.endpoint, description: 'test' });

describe('preflight on the emulator', () => {
  test('a missing state bucket fails with the bootstrap as the fix, and the run exits 1', async () => {
    const { results } = await runPreflight(config, 'local', { endpoint: moto.endpoint, stacks: local });
    expect(statuses(results)).toEqual({
      'terraform.cli': 'pass',
      'terraform.provider': 'pass',
      credentials: 'pass',
      'state-bucket.exists': 'fail',
      'bedrock.models': 'cannot-check',
      'quota.usage-plans': 'cannot-check',
      'quota.api-keys': 'cannot-check',
      'quota.integration-timeout': 'pass',
      'waf.web-acl-name': 'pass',
      'bedrock.invocation-logging': 'pass',
    });
    const bucket = byId(results, 'state-bucket.exists');
    expect(bucket.detail).toBe('bucket bedrock-gateway-local-tfstate does not exist (region us-east-1)');
    expect(bucket.fix).toBe('run the bootstrap once for this bucket: npm run cdktf -- deploy state-bedrock-gateway-local-tfstate (docs/deploying-to-aws.md#bootstrap-the-state-bucket-once)');
    expect(byId(results, 'credentials').detail).toBe('account 123456789012 as arn:aws:sts::123456789012:user/moto');
    expect(byId(results, 'quota.usage-plans').detail).toMatch(/^this stack needs 4, 0 others exist in the account; the quota could not be read \(Service Quotas: not implemented by the target \(HTTP \d+, not an AWS API answer\)\); the default is 300$/);
    expect(byId(results, 'quota.usage-plans').fix).toBe('run preflight against the AWS account to compare with the applied quota');
    expect(byId(results, 'quota.api-keys').detail).toMatch(/^this stack needs 5, 0 others exist in the account; /);
    expect(byId(results, 'bedrock.models').detail).toMatch(/^the target does not implement Bedrock's model catalogue \(GetFoundationModelAvailability, GetInferenceProfile\): not implemented by the target \(HTTP \d+, not an AWS API answer\)$/);
    expect(byId(results, 'bedrock.invocation-logging').detail).toBe('the account has no invocation logging in us-east-1; this stack will configure it');
    expect(exitCodeOf(results)).toBe(1);
    expect(formatResults('local', 'test', results)).toContain('FAIL         state-bucket.exists: state bucket exists\n');
  });

  test('an unversioned, unencrypted bucket fails both checks; the bootstrapped bucket passes', async () => {
    const s3 = new S3Client(clientConfig(target(), 'us-east-1'));
    await s3.send(new CreateBucketCommand({ Bucket: 'bedrock-gateway-local-tfstate' }));
    let { results } = await runPreflight(config, 'local', { endpoint: moto.endpoint, stacks: local });
    expect(byId(results, 'state-bucket.exists').status).toBe('pass');
    expect(byId(results, 'state-bucket.versioning')).toEqual({
      id: 'state-bucket.versioning',
      title: 'state bucket is versioned',
      status: 'fail',
      detail: 'versioning is off (never enabled): an overwritten state cannot be restored',
      fix: 'deploy the bootstrap stack (it enables versioning): npm run cdktf -- deploy state-bedrock-gateway-local-tfstate',
    });
    expect(byId(results, 'state-bucket.encryption').status).toBe('fail');
    expect(exitCodeOf(results)).toBe(1);

    await s3.send(new PutBucketVersioningCommand({ Bucket: 'bedrock-gateway-local-tfstate', VersioningConfiguration: { Status: 'Suspended' } }));
    ({ results } = await runPreflight(config, 'local', { endpoint: moto.endpoint, stacks: local }));
    expect(byId(results, 'state-bucket.versioning').detail).toBe('versioning is Suspended: an overwritten state cannot be restored');

    await s3.send(new PutBucketVersioningCommand({ Bucket: 'bedrock-gateway-local-tfstate', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'bedrock-gateway-local-tfstate', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    ({ results } = await runPreflight(config, 'local', { endpoint: moto.endpoint, stacks: local }));
    expect(statuses(results)).toMatchObject({ 'state-bucket.exists': 'pass', 'state-bucket.versioning': 'pass', 'state-bucket.encryption': 'pass' });
    expect(byId(results, 'state-bucket.encryption').detail).toBe('default encryption AES256');
    // Nothing failed; what the emulator lacks is never a pass, and never fails the run.
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(exitCodeOf(results)).toBe(0);
  });

  test('a web ACL of the same name owned by something else fails; the domain needs its hosted zone', async () => {
    const waf = new WAFV2Client(clientConfig(target(), 'us-west-2'));
    await waf.send(
      new CreateWebACLCommand({
        Name: 'bedrock-gw-prod-waf',
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'x' },
        Tags: [{ Key: 'owner', Value: 'security-team' }],
      }),
    );
    let { results } = await runPreflight(config, 'prod', { endpoint: moto.endpoint, stacks: prod });
    const acl = byId(results, 'waf.web-acl-name');
    expect(acl.status).toBe('fail');
    expect(acl.detail).toMatch(/^a web ACL named bedrock-gw-prod-waf already exists in us-west-2 \(arn:aws:wafv2:us-west-2:123456789012:regional\/webacl\/bedrock-gw-prod-waf\/.+\) and is not tagged project=bedrock-ai-gateway, environment=prod$/);
    expect(byId(results, 'route53.hosted-zone')).toMatchObject({ status: 'fail', detail: 'no public hosted zone named example.com. in the account' });

    await new Route53Client(clientConfig(target(), 'us-east-1')).send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'preflight-test' }));
    ({ results } = await runPreflight(config, 'prod', { endpoint: moto.endpoint, stacks: prod }));
    expect(byId(results, 'route53.hosted-zone').status).toBe('pass');
    // prod's state bucket lives in us-east-1 and was never bootstrapped here.
    expect(byId(results, 'state-bucket.exists').detail).toBe('bucket example-corp-bedrock-gateway-tfstate does not exist (region us-east-1)');
  });
});

describe('model catalogue and quotas, answered in the AWS wire format by a stand-in in front of the emulator', () => {
  let standIn: BedrockStandIn;
  const PROFILE = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
  const PROFILE_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
  /** The catalogue's Claude 4.5 and 5.5 profiles: global ones (route anywhere) and a US one. */
  const CLAUDE_45_PROFILES: Record<string, string[]> = {
    'global.anthropic.claude-sonnet-4-5-20250929-v1:0': ['eu-west-1', 'us-east-1', 'us-west-2'],
    'us.anthropic.claude-haiku-4-5-20251001-v1:0': ['us-east-1', 'us-east-2', 'us-west-2'],
    'global.anthropic.claude-sonnet-5-5': ['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-west-2'],
    'global.anthropic.claude-opus-5-5': ['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-west-2'],
    'global.anthropic.claude-haiku-5-5': ['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-west-2'],
  };
  /** Source regions (the stand-in's sample of them): a geographic profile is called from its own geography only. */
  const US_SOURCES = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
  const EU_SOURCES = ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'];
  const EU_PROFILE = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
  beforeAll(async () => {
    standIn = await startBedrockStandIn(moto.endpoint);
    standIn.state.profiles[PROFILE] = { foundationModel: PROFILE_MODEL, regions: ['us-east-1', 'us-east-2', 'us-west-2'], sourceRegions: US_SOURCES };
    for (const [id, regions] of Object.entries(CLAUDE_45_PROFILES)) {
      standIn.state.profiles[id] = { foundationModel: id.replace(/^(global|us)\./, ''), regions, ...(id.startsWith('us.') ? { sourceRegions: US_SOURCES } : {}) };
    }
    standIn.state.profiles[EU_PROFILE] = { foundationModel: 'anthropic.claude-haiku-4-5-20251001-v1:0', regions: EU_SOURCES, sourceRegions: EU_SOURCES };
    standIn.state.quotas = { 'Usage plans per account': 300, 'API keys': 10_000, 'Maximum integration timeout in milliseconds': 29_000 };
  });
  afterAll(async () => {
    await standIn?.close();
  });

  test('every model available and accessible, the profile routing where the config says: every check passes', async () => {
    const { results } = await runPreflight(config, 'local', { endpoint: standIn.endpoint, stacks: local });
    expect(statuses(results)).toEqual({
      'terraform.cli': 'pass',
      'terraform.provider': 'pass',
      credentials: 'pass',
      'state-bucket.exists': 'pass',
      'state-bucket.versioning': 'pass',
      'state-bucket.encryption': 'pass',
      'bedrock.model.anthropic.claude-3-haiku-20240307-v1:0': 'pass',
      'bedrock.model.anthropic.claude-3-5-sonnet-20240620-v1:0': 'pass',
      'bedrock.model.amazon.titan-text-express-v1': 'pass',
      'bedrock.model.meta.llama3-8b-instruct-v1:0': 'pass',
      'bedrock.model.amazon.nova-pro-v1:0': 'pass',
      ...Object.fromEntries(Object.entries(CLAUDE_45_PROFILES).flatMap(([id, regions]) => [[`bedrock.profile.${id}`, 'pass'], ...regions.map((r) => [`bedrock.profile.${id}@${r}`, 'pass'])])),
      [`bedrock.profile.${PROFILE}`]: 'pass',
      [`bedrock.profile.${PROFILE}@us-east-1`]: 'pass',
      [`bedrock.profile.${PROFILE}@us-east-2`]: 'pass',
      [`bedrock.profile.${PROFILE}@us-west-2`]: 'pass',
      'quota.usage-plans': 'pass',
      'quota.api-keys': 'pass',
      'quota.integration-timeout': 'pass',
      'waf.web-acl-name': 'pass',
      'bedrock.invocation-logging': 'pass',
    });
    expect(byId(results, 'quota.usage-plans').detail).toBe('this stack needs 4, 0 others exist in the account: 4 of 300');
    expect(exitCodeOf(results)).toBe(0);
  });

  test.each(['dev', 'prod'])("every catalogue model passes in %s's own region (geographic profiles answered only in their geography)", async (name) => {
    const environment = config.environments.find((e) => e.name === name)!;
    // Only the model checks matter here: the stack JSON is the one synthesized for prod.
    const { results } = await runPreflight(config, name, { endpoint: standIn.endpoint, stacks: { ...prod, environment } });
    const models = results.filter((r) => r.id.startsWith('bedrock.model.') || r.id.startsWith('bedrock.profile.'));
    expect(models.length).toBeGreaterThan(config.models.length);
    expect(models.filter((r) => r.status !== 'pass')).toEqual([]);
  });

  test('an eu. profile in the catalogue of an environment in a US region fails: it is not offered there', async () => {
    const withEu = exampleConfigWith((c) => {
      c.models.push({ kind: 'inference-profile', id: EU_PROFILE, foundationModel: 'anthropic.claude-haiku-4-5-20251001-v1:0', regions: EU_SOURCES });
    });
    const { results } = await runPreflight(withEu, 'local', { endpoint: standIn.endpoint, stacks: local });
    expect(byId(results, `bedrock.profile.${EU_PROFILE}`)).toEqual({
      id: `bedrock.profile.${EU_PROFILE}`,
      title: `inference profile ${EU_PROFILE} routes only to configured regions`,
      status: 'fail',
      detail: `not offered in us-east-1: ResourceNotFoundException: inference profile ${EU_PROFILE} not found`,
      fix: `choose a profile offered in us-east-1 (aws bedrock list-inference-profiles --region us-east-1)`,
    });
    expect(exitCodeOf(results)).toBe(1);
  });

  test('a profile routing beyond the configured regions, a model without access, one not offered, quotas too small', async () => {
    standIn.state.profiles[PROFILE] = { foundationModel: PROFILE_MODEL, regions: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'], sourceRegions: US_SOURCES };
    standIn.state.availability[`us-west-1/${PROFILE_MODEL}`] = { agreementStatus: 'PENDING' };
    standIn.state.availability['us-east-1/meta.llama3-8b-instruct-v1:0'] = { authorizationStatus: 'NOT_AUTHORIZED', entitlementAvailability: 'NOT_AVAILABLE' };
    standIn.state.availability['us-east-1/amazon.titan-text-express-v1'] = { regionAvailability: 'NOT_AVAILABLE' };
    standIn.state.quotas['Usage plans per account'] = 5;
    standIn.state.quotas['Maximum integration timeout in milliseconds'] = 50_000;
    const apigw = new APIGatewayClient(clientConfig(target(), 'us-east-1'));
    for (const name of ['another-team-gold', 'another-team-silver']) await apigw.send(new CreateUsagePlanCommand({ name }));
    const longer = exampleConfigWith((c) => {
      c.environments[2].integrationTimeoutMs = 60_000;
    });

    // The environment as configured (the stack JSON is the example's; only the setting matters here).
    const { results } = await runPreflight(longer, 'local', { endpoint: standIn.endpoint, stacks: { ...local, environment: longer.environments[2] } });
    expect(byId(results, `bedrock.profile.${PROFILE}`)).toEqual({
      id: `bedrock.profile.${PROFILE}`,
      title: `inference profile ${PROFILE} routes only to configured regions`,
      status: 'fail',
      detail: 'routes to us-east-1, us-east-2, us-west-1, us-west-2, but the config lists us-east-1, us-east-2, us-west-2: requests routed to us-west-1 would be denied (the gateway role may invoke the model only in listed regions)',
      fix: `set regions: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'] for ${PROFILE} in config/models.ts`,
    });
    expect(byId(results, `bedrock.profile.${PROFILE}@us-west-1`)).toMatchObject({ status: 'fail', detail: 'no access for this account: agreement PENDING' });
    expect(byId(results, 'bedrock.model.meta.llama3-8b-instruct-v1:0')).toMatchObject({
      status: 'fail',
      detail: 'no access for this account: authorization NOT_AUTHORIZED, entitlement NOT_AVAILABLE',
      fix: 'request access in the Bedrock console (region us-east-1) under Model access; some providers need a use-case form or an AWS Marketplace subscription (docs/deploying-to-aws.md#bedrock-model-access)',
    });
    expect(byId(results, 'bedrock.model.amazon.titan-text-express-v1')).toMatchObject({ status: 'fail', detail: 'not offered in us-east-1' });
    expect(byId(results, 'quota.usage-plans')).toMatchObject({ status: 'fail', detail: 'this stack needs 4, 2 others exist in the account: 6 > quota 5' });
    expect(byId(results, 'quota.api-keys').status).toBe('pass');
    expect(byId(results, 'quota.integration-timeout')).toMatchObject({ status: 'fail', detail: 'integrationTimeoutMs 60000 > quota 50000 ms: the integration update would be refused' });
    expect(byId(results, 'bedrock.model.anthropic.claude-3-haiku-20240307-v1:0').status).toBe('pass');
    expect(exitCodeOf(results)).toBe(1);
  });

  test('tenant shards: the API keys and own usage plans of the shard stacks are counted with the core stack', async () => {
    // 50 generated tenants in 2 shards (the emulator environment): 50 keys and t00050's own plan in the shards, 3 tier plans in the core.
    const input = generatedConfigInput({ tenants: 50, environment: 'local' });
    input.environments[0].tenantShards = 2;
    const sharded = validateConfig(input);
    const stacks = synthesizeEnvironment(sharded, 'local');
    standIn.state.quotas['API keys'] = 49;
    standIn.state.quotas['Usage plans per account'] = 300;
    const apigw = new APIGatewayClient(clientConfig(target(), 'us-east-1'));
    const otherPlans = (await apigw.send(new GetUsagePlansCommand({ limit: 500 }))).items!.length;
    const otherKeys = (await apigw.send(new GetApiKeysCommand({ limit: 500 }))).items!.length;
    const { results } = await runPreflight(sharded, 'local', { endpoint: standIn.endpoint, stacks });
    expect(byId(results, 'quota.api-keys')).toMatchObject({
      status: 'fail',
      detail: `the core stack and its 2 tenant shard stacks need 50, ${otherKeys} other${otherKeys === 1 ? '' : 's'} exist in the account: ${50 + otherKeys} > quota 49`,
    });
    expect(byId(results, 'quota.usage-plans')).toMatchObject({
      status: 'pass',
      detail: `the core stack and its 2 tenant shard stacks need 4, ${otherPlans} other${otherPlans === 1 ? '' : 's'} exist in the account: ${4 + otherPlans} of 300`,
    });
  });

  test('an unknown inference profile fails as not offered in the region', async () => {
    delete standIn.state.profiles[PROFILE];
    const { results } = await runPreflight(config, 'local', { endpoint: standIn.endpoint, stacks: local });
    expect(byId(results, `bedrock.profile.${PROFILE}`)).toMatchObject({ status: 'fail', detail: `not offered in us-east-1: ResourceNotFoundException: inference profile ${PROFILE} not found` });
  });
});

describe("a web ACL of the stack's name carrying this environment's tags is its own", () => {
  test('passes', async () => {
    const waf = new WAFV2Client(clientConfig(target(), 'us-west-2'));
    const { results: before } = await runPreflight(config, 'prod', { endpoint: moto.endpoint, stacks: prod });
    const arn = /\((arn:[^)]+)\)/.exec(byId(before, 'waf.web-acl-name').detail)![1];
    await waf.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'project', Value: 'bedrock-ai-gateway' }, { Key: 'environment', Value: 'prod' }] }));
    const { results } = await runPreflight(config, 'prod', { endpoint: moto.endpoint, stacks: prod });
    expect(byId(results, 'waf.web-acl-name')).toMatchObject({ status: 'pass', detail: "bedrock-gw-prod-waf exists with this environment's tags (an earlier deploy)" });
  });
});

describe('invocation logging ownership', () => {
  test.each([
    [false, [], ['other-logs'], 'pass'],
    [true, ['bedrock-gw-dev-invocations'], [], 'pass'],
    [true, ['bedrock-gw-dev-invocations'], ['bedrock-gw-dev-invocations'], 'pass'],
    [true, ['bedrock-gw-dev-invocations'], ['central-audit-logs'], 'fail'],
  ] as const)('managed=%s stack=%j account=%j -> %s', (managed, stack, account, status) => {
    expect(decideLogging('dev', 'us-east-1', managed, stack, account).status).toBe(status);
  });
});

test('an emulator environment with nothing listening fails on credentials with how to start the emulator', async () => {
  const { results } = await runPreflight(config, 'local', { endpoint: 'http://127.0.0.1:9', stacks: local });
  expect(results.map((r) => r.id)).toEqual(['terraform.cli', 'terraform.provider', 'credentials']);
  expect(byId(results, 'credentials')).toMatchObject({
    status: 'fail',
    detail: 'nothing answers at http://127.0.0.1:9',
    fix: 'start the emulator first (npm start -- --keep prints its endpoint; set GATEWAY_EMULATOR_ENDPOINT to it)',
  });
});
