/**
 * `npm start`: the whole gateway on a local AWS API emulator, without an AWS account.
 *
 * Starts moto_server on a free 127.0.0.1 port, synthesizes for it, deploys the state
 * bootstrap stack (creates the state bucket) and then the `local` gateway stack (state in
 * that bucket, S3 native locking) with the real Terraform and AWS provider, and prints what
 * was deployed. Then it serves the deployed stack on loopback (local-gateway/: the real
 * authorizer bundle, mapping templates, usage plans and responses, in front of a Bedrock
 * stand-in, with a development IdP) until Ctrl-C. The emulator is stopped on exit, on failure
 * and on Ctrl-C, unless `--keep`.
 *
 *   npm start                    deploy, serve until Ctrl-C, stop the emulator
 *   npm start -- --no-serve      deploy, print the summary, stop the emulator
 *   npm start -- --keep          leave the emulator running; `npm run local:stop` stops it
 *   npm start -- --environment local-forwarder
 *                                the same for another emulator environment (integration mode
 *                                forwarder: the forwarder's bundle runs behind the local gateway)
 *
 * The config is GATEWAY_CONFIG_DIR's when set (as for synth), else the example's. A `local`
 * environment with `tenantShards` is refused before anything starts: its API keys live in shard
 * stacks this script does not deploy or serve (`npm run bench:shards-emulator` deploys one).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { destroyClients, emulatorClients, inspectDeployment } from './lib/inspect-deployment';
import {
  REPO_ROOT,
  apply,
  init,
  isProgressLine,
  localDeployRefusal,
  localTarget,
  outputs,
  resourcesAdded,
  stackDir,
  synthesize,
  synthesizedCustomDomainName,
  synthesizedLogGroupNames,
} from './lib/local-deploy';
import { MOTO_HINT, startMoto, type MotoServer } from './lib/moto';
import { servingInstructions } from './lib/serving-instructions';
import { resourceNamePrefix } from '../gateway-config/derive';
import { emulatorS3Client, waitForVersionedBucket } from './lib/state-bucket-ready';
import { formatSummary } from './lib/summary';
import { savedQueriesOf } from './lib/local-deploy';
import { TERRAFORM_HINT, requireTool, terraformEnv } from './lib/terraform';
import { KEPT_EMULATOR_FILE, readKeptEmulator } from './lib/kept-emulator';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../gateway-config/load';
import { effectiveModels } from '../gateway-config/derive';
import type { Tenant } from '../gateway-config/schema';
import { mintDevToken } from '../local-gateway/dev-idp';
import { serveLocalGateway, type ServedGateway } from '../local-gateway/serve';
import { parseStartArgs, startUsage } from './lib/start-args';

const WORK_DIR = path.join(REPO_ROOT, '.local', 'local-deploy');
/** The config `main.ts` synthesizes (GATEWAY_CONFIG_DIR, as for synth): deploy and serve read the same one. */
const CONFIG_DIR = process.env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;

async function main(): Promise<number> {
  const emulatorEnvironments = loadConfig(CONFIG_DIR).config.environments.filter((e) => e.emulator).map((e) => e.name);
  const parsed = parseStartArgs(process.argv.slice(2), emulatorEnvironments);
  if (!parsed.ok) {
    console.error(`${parsed.error}\n${startUsage(emulatorEnvironments)}`);
    return 2;
  }
  if (parsed.args.help) {
    console.log(startUsage(emulatorEnvironments));
    return 0;
  }
  const { keep, serve } = parsed.args;
  // Config problems first, before any tool or emulator is started.
  const target = localTarget(CONFIG_DIR, parsed.args.environment);
  const refusal = localDeployRefusal(target.environment);
  if (refusal !== undefined) {
    console.error(`Cannot deploy locally: ${refusal}`);
    return 1;
  }

  try {
    requireTool('terraform', TERRAFORM_HINT);
    requireTool('moto_server', MOTO_HINT);
  } catch (err) {
    console.error(`Cannot deploy locally: ${(err as Error).message}`);
    return 1;
  }
  const kept = readKeptEmulator();
  if (kept) {
    console.error(`An emulator kept by an earlier \`npm start -- --keep\` is still running (pid ${kept.pid}, ${kept.endpoint}).\nStop it first: npm run local:stop`);
    return 1;
  }

  const { environment } = target;
  const started = Date.now();
  const timings: Array<[string, number]> = [];
  const step = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    process.stdout.write(`\n==> ${label}\n`);
    const result = await work();
    timings.push([label, Date.now() - t0]);
    return result;
  };
  const progress = (stack: string) => (line: string) => {
    if (isProgressLine(line)) process.stdout.write(`  [${stack}] ${line.trim()}\n`);
  };

  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const outdir = path.join(WORK_DIR, 'cdktf.out');
  let moto: MotoServer | undefined;
  try {
    moto = await step('Starting moto_server on 127.0.0.1', () => startMoto({ detached: keep, logFile: path.join(WORK_DIR, 'moto.log') }));
    console.log(`  emulator: ${moto.endpoint} (pid ${moto.pid})`);
    const endpoint = moto.endpoint;
    await step('Synthesizing (cdktf)', () => synthesize({ endpoint, outdir, configDir: CONFIG_DIR }));

    const stateDir = stackDir(outdir, target.stateStackId);
    const gatewayDir = stackDir(outdir, target.gatewayStackId);
    // The bootstrap stack's local state belongs to this emulator run, not to .local/bootstrap.
    const statePath = path.join(WORK_DIR, `${target.stateStackId}.tfstate`);
    // The gateway starts as soon as its state bucket exists with versioning on, while the
    // state stack is still settling the bucket's lifecycle rule (about a minute).
    const gatewayApply = await step(`Deploying ${target.stateStackId} (state bucket ${target.stateTarget.bucket}) and ${target.gatewayStackId}`, async () => {
      await init(stateDir, { statePath });
      const stateApply = apply(stateDir, { onLine: progress(target.stateStackId) });
      stateApply.catch(() => undefined);
      const s3 = emulatorS3Client(endpoint, target.stateTarget.region);
      try {
        await waitForVersionedBucket(s3, target.stateTarget.bucket, stateApply);
      } finally {
        s3.destroy();
      }
      await init(gatewayDir);
      const [gateway] = await Promise.all([apply(gatewayDir, { onLine: progress(target.gatewayStackId) }), stateApply]);
      return gateway;
    });

    const out = await outputs(gatewayDir);
    if (serve) served = await step('Serving the gateway on 127.0.0.1 (local gateway, Bedrock stand-in, development IdP)', () => startServing(environment.name, gatewayDir, endpoint, String(out.rest_api_id), out.token_ledger_table_name === undefined ? undefined : String(out.token_ledger_table_name)));
    const clients = emulatorClients({ endpoint, region: environment.region });
    try {
      const info = await inspectDeployment(clients, {
        restApiId: String(out.rest_api_id),
        stageName: String(out.stage_name),
        region: environment.region,
        namePrefix: resourceNamePrefix(environment),
        logGroupNames: synthesizedLogGroupNames(gatewayDir, String(out.rest_api_id)),
        customDomainName: synthesizedCustomDomainName(gatewayDir),
      });
      timings.push(['Total', Date.now() - started]);
      console.log(`\n${formatSummary({
        environment: environment.name,
        endpoint,
        invokeUrl: String(out.invoke_url),
        stageName: String(out.stage_name),
        info,
        timings,
        resourcesCreated: resourcesAdded(gatewayApply.stdout),
        queries: savedQueriesOf(gatewayDir, resourceNamePrefix(environment)),
        ...(served ? { servedAt: served.endpoint } : {}),
      })}`);
    } finally {
      destroyClients(clients);
    }

    if (keep) {
      moto.keep();
      writeFileSync(KEPT_EMULATOR_FILE, JSON.stringify({ pid: moto.pid, endpoint, workDir: WORK_DIR }, null, 2));
      console.log(
        [
          '',
          `The emulator keeps running at ${endpoint} (pid ${moto.pid}).`,
          `  Explore:  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url ${endpoint} --region ${environment.region} apigateway get-rest-apis`,
          `  Terraform: cd ${path.relative(process.cwd(), gatewayDir)} && TF_CLI_CONFIG_FILE=${terraformEnv().TF_CLI_CONFIG_FILE ?? ''} terraform plan`,
          '  Stop it:  npm run local:stop',
        ].join('\n'),
      );
    } else if (!served) {
      await moto.stop();
      console.log('\nEmulator stopped (run `npm start -- --keep` to leave it running).');
    }
    if (served) {
      console.log(
        servingInstructions({
          endpoint: served.endpoint,
          ...(served.signing ? { forwarderFunctions: [...served.signing.sessions.keys()] } : {}),
          ...(exampleTenant ? { example: { tenant: exampleTenant.id, token: exampleToken, modelId: exampleModel } } : {}),
          keep,
        }),
      );
      // Until Ctrl-C: the emulator's exit hook stops it (unless kept) and ends the process.
      await new Promise<never>(() => undefined);
    }
    return 0;
  } catch (err) {
    console.error(`\nLocal deploy failed: ${(err as Error).message}`);
    if (existsSync(path.join(WORK_DIR, 'moto.log'))) console.error(`Emulator log: ${path.relative(process.cwd(), path.join(WORK_DIR, 'moto.log'))}`);
    await served?.stop();
    await moto?.stop();
    return 1;
  }
}

let served: ServedGateway | undefined;

async function startServing(environmentName: string, gatewayDir: string, emulatorEndpoint: string, restApiId: string, ledgerTable: string | undefined): Promise<ServedGateway> {
  const { config } = loadConfig(CONFIG_DIR);
  const environment = config.environments.find((e) => e.name === environmentName)!;
  const gateway = await serveLocalGateway({
    config,
    environment,
    stackDir: gatewayDir,
    emulatorEndpoint,
    restApiId,
    onAccessLog: (line) => process.stdout.write(`access ${line}\n`),
    // Token budgets: each invocation log record the stack's subscription filter pattern passes goes to the metering handler, as the filter would send it.
    ...(ledgerTable !== undefined ? { meteringLedgerTable: ledgerTable } : {}),
  });
  exampleTenant = config.tenants.find((t) => t.enabled && effectiveModels(config, t).length > 0);
  if (exampleTenant) {
    exampleModel = effectiveModels(config, exampleTenant)[0];
    exampleToken = mintDevToken(config, environment, { tenant: exampleTenant.id });
  }
  return gateway;
}

let exampleTenant: Tenant | undefined;
let exampleModel = '';
let exampleToken = '';

// The SDK warns that its 2027 releases will need Node 22: nothing for a user of this script to act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
