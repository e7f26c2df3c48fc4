import type { EnvironmentInput } from '../gateway-config';

/** One Terraform stack is synthesized per environment. */
const environments: EnvironmentInput[] = [
  {
    name: 'dev',
    region: 'us-east-1',
    state: { backend: 's3', bucket: 'example-corp-bedrock-gateway-tfstate', keyPrefix: 'bedrock-ai-gateway' },
    authorizer: { cacheTtlSeconds: 60 },
    logRetentionDays: 14,
    observability: { production: false, executionLogLevel: 'INFO', accessLogs: { retentionDays: 30 }, apiGatewayAccount: true },
    // Token budgets: this stack owns us-east-1's Bedrock invocation logging (one per account and
    // region) and meters it; prompts and outputs are not stored (data delivery off).
    tokenBudgets: { invocationLogging: { source: 'managed', retentionDays: 14 } },
  },
  {
    name: 'prod',
    region: 'us-west-2',
    stageName: 'v1',
    state: { backend: 's3', bucket: 'example-corp-bedrock-gateway-tfstate', keyPrefix: 'bedrock-ai-gateway', region: 'us-east-1' },
    authorizer: { cacheTtlSeconds: 300 },
    logRetentionDays: 365,
    tags: { 'cost-center': 'ai-platform' },
    edge: {
      // AWS WAF in front of the stage: rate limits per IP and per token, AWS managed rules,
      // a 1 MiB body limit, logs of blocked and counted requests (see the README for every field).
      waf: {
        ipRateLimit: { limit: 30_000, windowSeconds: 300 },
        tokenRateLimit: { limit: 20_000, windowSeconds: 300 },
        denyList: ['192.0.2.0/24', '2001:db8:bad::/48'],
        blockedCountries: ['KP'],
      },
      // Clients use https://ai.example.com; the execute-api endpoint is turned off.
      domain: { name: 'ai.example.com', hostedZone: { name: 'example.com' } },
    },
    // Access logs kept a year (the default); alarms notify an encrypted SNS topic.
    observability: { throttle: { rateLimit: 1000, burstLimit: 2000 }, alarms: { topic: {} } },
    // Synth fails if prod loses its web ACL or keeps logs less than a year (`npm run lint:infra`).
    policy: { minimumLogRetentionDays: 365, requireWaf: true },
    // Token budgets from invocation logging that the platform team configures for the account;
    // threshold alerts to an encrypted SNS topic.
    tokenBudgets: { invocationLogging: { source: 'existing', logGroupName: '/aws/bedrock/model-invocations' }, alerts: {} },
  },
  {
    // A local AWS API emulator (moto_server): `npm start` deploys here without an AWS account.
    // The start script picks a free loopback port and passes it in GATEWAY_EMULATOR_ENDPOINT.
    name: 'local',
    region: 'us-east-1',
    state: { backend: 's3', bucket: 'bedrock-gateway-local-tfstate', keyPrefix: 'bedrock-ai-gateway' },
    authorizer: { cacheTtlSeconds: 60 },
    logRetentionDays: 1,
    // The emulator runs the web ACL's API too: the default rules, with logging.
    edge: { waf: {} },
    observability: { production: false, accessLogs: { retentionDays: 1 }, apiGatewayAccount: true },
    // Token budgets on the emulator: ledger, metering and reset functions, subscription filter,
    // schedule and queue are deployed.
    tokenBudgets: { invocationLogging: { source: 'managed', retentionDays: 1, manageConfiguration: true }, alerts: {} },
    // Tokens come from a development IdP on loopback (`npm run token`), one issuer per provider
    // below with the same claim rules; `npm start` picks its port and passes GATEWAY_DEV_IDP_URL.
    emulator: {
      endpoint: process.env.GATEWAY_EMULATOR_ENDPOINT ?? 'http://127.0.0.1:4566',
      developmentIdp: { url: process.env.GATEWAY_DEV_IDP_URL ?? 'http://127.0.0.1:4599' },
    },
  },
  {
    // The same emulator, integration mode `forwarder`: the routes go through a Lambda function
    // that calls Bedrock with the AWS SDK (docs/integration-modes.md). No WAF, to deploy quickly;
    // no token budgets (synth warns so): `local` meters them on the same emulator. The same
    // development IdP as `local`, so one token works on both (`npm start -- --environment local-forwarder`).
    name: 'local-forwarder',
    region: 'us-east-1',
    state: { backend: 's3', bucket: 'bedrock-gateway-local-tfstate', keyPrefix: 'bedrock-ai-gateway' },
    integration: 'forwarder',
    forwarder: { memoryMb: 512, reservedConcurrency: 10 },
    authorizer: { cacheTtlSeconds: 60 },
    logRetentionDays: 1,
    observability: { production: false, accessLogs: { retentionDays: 1 } },
    emulator: {
      endpoint: process.env.GATEWAY_EMULATOR_ENDPOINT ?? 'http://127.0.0.1:4566',
      developmentIdp: { url: process.env.GATEWAY_DEV_IDP_URL ?? 'http://127.0.0.1:4599' },
    },
  },
];

export default environments;
