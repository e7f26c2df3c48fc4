/**
 * The documented `npm run cdktf -- deploy <stack>` path, end to end on its own emulator:
 * cdktf-cli synthesizes, initialises Terraform from the provider mirror (no registry), plans and
 * applies a gateway stack, and prints its outputs. Fails, never skips, without the tools.
 *
 * The environment it deploys is defined here and serves the gateway on a custom domain
 * (`ai.example.com` in a hosted zone `example.com` the test creates first, as a company's zone
 * exists before the gateway): the one emulator deployment of the domain. Checked through the AWS
 * SDK (certificate issued, records, base path mapping, execute-api endpoint disabled), then plan
 * after apply is empty and destroy leaves nothing. The deployment this file makes anyway carries
 * the domain, so the domain adds only its own resources and Route 53 waits (about 15 s per
 * change on the emulator) rather than a second gateway stack.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import type { EnvironmentInput } from '../../gateway-config/schema';
import { destroyClients, domainLeftovers, emulatorClients, inspectDeployment, leftovers, type DeploymentInfo, type EmulatorClients } from '../../scripts/lib/inspect-deployment';
import { TF_FLAGS, outputs, stackDir, synthesizedLogGroupNames, terraform } from '../../scripts/lib/local-deploy';
import { MOTO_HINT, startMoto, type MotoServer } from '../../scripts/lib/moto';
import { requireTool, runTerraform, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import { EXAMPLE_CONFIG_DIR, REPO_ROOT, exampleSuppressions } from '../helpers/config';

jest.setTimeout(10 * 60 * 1000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ENVIRONMENT = 'cli';
const CUSTOM_DOMAIN = 'ai.example.com';
const HOSTED_ZONE = 'example.com';

let moto: MotoServer | undefined;
let workDir: string;
let clients: EmulatorClients;
let stackDirectory: string;
let deployed: Record<string, unknown>;
let info: DeploymentInfo;
const timings: Record<string, number> = {};

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await work();
  } finally {
    timings[label] = Date.now() - t0;
  }
}

beforeAll(async () => {
  requireTool('terraform', TERRAFORM_HINT);
  requireTool('moto_server', MOTO_HINT);
  workDir = mkdtempSync(path.join(tmpdir(), 'bag-cdktf-deploy-'));
  moto = await startMoto({ logFile: path.join(workDir, 'moto.log') });
  clients = emulatorClients({ endpoint: moto.endpoint, region: 'us-east-1' });
});

afterAll(async () => {
  if (clients) destroyClients(clients);
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`cdktf deploy timings (s): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v / 1000])))}\n`);
});

/** Runs `npm run cdktf -- <args>` in the repository with extra environment; resolves with exit code and output. */
function npmCdktf(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'cdktf', '--', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env, CI: 'true' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

test('npm run cdktf -- deploy applies a gateway stack with the provider from the mirror', async () => {
  // The example config, with one environment on this emulator, a local state file and a custom domain.
  const configDir = path.join(workDir, 'config');
  cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true, filter: (src) => !src.endsWith('environments.ts') });
  const environment: EnvironmentInput = {
    name: ENVIRONMENT,
    region: 'us-east-1',
    state: { backend: 'local', path: path.join(workDir, `${ENVIRONMENT}.tfstate`) },
    emulator: { endpoint: moto!.endpoint },
    logRetentionDays: 1,
    edge: { domain: { name: CUSTOM_DOMAIN, hostedZone: { name: HOSTED_ZONE } } },
    policy: { suppressions: exampleSuppressions() },
  };
  writeFileSync(path.join(configDir, 'environments.ts'), `export default [${JSON.stringify(environment)}];\n`);
  // The hosted zone exists before the stack, as a company's zone does; the stack only adds records.
  await clients.route53.send(new CreateHostedZoneCommand({ Name: HOSTED_ZONE, CallerReference: `bag-cdktf-deploy-${Date.now()}` }));

  const outdir = path.join(workDir, 'cdktf.out');
  // Known before any assertion, so the destroy test tears down whatever this deploy made even
  // when an assertion here fails.
  stackDirectory = path.join(outdir, 'stacks', `gateway-${ENVIRONMENT}`);
  const run = await timed('cdktf deploy', () => npmCdktf(['deploy', `gateway-${ENVIRONMENT}`, '--auto-approve', '--output', outdir], { GATEWAY_CONFIG_DIR: configDir }));
  expect([run.code, run.code === 0 ? '' : run.output]).toEqual([0, '']);
  expect(run.output).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
  expect(run.output).not.toContain('registry.terraform.io');
  expect(run.output).toMatch(/stage_name = cli/);
  expect(run.output).toMatch(/custom_domain_url = https:\/\/ai\.example\.com/);

  const apis = (await clients.apigateway.send(new GetRestApisCommand({}))).items ?? [];
  expect(apis.map((a) => a.name)).toEqual(['bedrock-ai-gateway-cli']);

  expect(stackDir(outdir, `gateway-${ENVIRONMENT}`)).toBe(stackDirectory);
  deployed = await outputs(stackDirectory);
  info = await inspectDeployment(clients, {
    restApiId: String(deployed.rest_api_id),
    stageName: ENVIRONMENT,
    region: 'us-east-1',
    namePrefix: `bedrock-gw-${ENVIRONMENT}`,
    logGroupNames: synthesizedLogGroupNames(stackDirectory),
    customDomainName: CUSTOM_DOMAIN,
  });
});

describe('the custom domain, read back through the AWS SDK', () => {
  test('the ACM certificate for the domain is issued, and the domain name uses it: REGIONAL, dualstack, TLS 1.2', () => {
    const domain = info.customDomain!;
    expect(domain.certificate).toEqual({ arn: expect.stringMatching(/^arn:aws:acm:us-east-1:\d{12}:certificate\//), domainName: CUSTOM_DOMAIN, status: 'ISSUED' });
    expect(domain).toMatchObject({ domainName: CUSTOM_DOMAIN, endpointTypes: ['REGIONAL'], ipAddressType: 'dualstack', securityPolicy: 'TLS_1_2' });
  });

  test('the zone holds the ACM validation CNAME and A + AAAA aliases to the regional domain name', () => {
    const domain = info.customDomain!;
    expect(domain.regionalDomainName).toMatch(/^d-[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com$/);
    expect(domain.records).toEqual([
      { name: expect.stringMatching(/^_[0-9a-f]+\.ai\.example\.com$/), type: 'CNAME', values: [expect.stringMatching(/\.acm-validations\.aws\.?$/)] },
      { name: CUSTOM_DOMAIN, type: 'A', aliasTarget: domain.regionalDomainName, values: [] },
      { name: CUSTOM_DOMAIN, type: 'AAAA', aliasTarget: domain.regionalDomainName, values: [] },
    ]);
  });

  test('the domain root maps to the stage; the execute-api endpoint is disabled', () => {
    expect(info.customDomain!.basePathMappings).toEqual([{ basePath: '(none)', restApiId: deployed.rest_api_id, stage: ENVIRONMENT }]);
    expect(info.restApi.disableExecuteApiEndpoint).toBe(true);
    expect(deployed.custom_domain_url).toBe(`https://${CUSTOM_DOMAIN}`);
  });
});

test('a second plan finds nothing to change (-detailed-exitcode 0)', async () => {
  const plan = await timed('plan after apply', () => runTerraform(stackDirectory, ['plan', '-detailed-exitcode', ...TF_FLAGS]));
  expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
});

test('destroy leaves no domain name, certificate or record (the zone keeps only its NS and SOA), and nothing else of the stack', async () => {
  await timed('destroy', () => terraform(stackDirectory, ['destroy', '-auto-approve', ...TF_FLAGS]));
  expect({ ...(await leftovers(clients, `bedrock-gw-${ENVIRONMENT}`, 'bedrock-ai-gateway-cli')), ...(await domainLeftovers(clients, CUSTOM_DOMAIN)) }).toEqual({
    restApis: [],
    usagePlans: [],
    apiKeys: [],
    functions: [],
    webAcls: [],
    ipSets: [],
    wafLogging: [],
    alarms: [],
    dashboards: [],
    domainNames: [],
    certificates: [],
    records: [],
  });
});
