import type { EnvironmentInput, PolicySuppressionInput } from '../gateway-config';

/**
 * Findings accepted for now, each with its reason (`npm run lint:infra` lists every rule).
 * Synth warns about a suppression that no longer matches a finding: delete it then.
 */
const acceptedFindings: PolicySuppressionInput[] = [
  { rule: 'BAG-API4', resource: 'aws_api_gateway_stage.stage', reason: 'stage access logs arrive with the observability work; until then the authorizer audit log records every decision' },
  { rule: 'BAG-API5', resource: 'aws_api_gateway_stage.stage', reason: 'execution logging needs the account-level API Gateway CloudWatch role, which arrives with the observability work' },
  {
    rule: 'BAG-FN2',
    resource: 'aws_lambda_function.authorizer_function_0D88CC7F',
    reason: 'X-Ray on the authorizer needs xray:PutTraceSegments on "*" (no resource-level scope), which BAG-IAM2 refuses; its latency shows in API Gateway metrics',
  },
];

/** One Terraform stack is synthesized per environment. */
const environments: EnvironmentInput[] = [
  {
    name: 'dev',
    region: 'us-east-1',
    state: { backend: 's3', bucket: 'example-corp-bedrock-gateway-tfstate', keyPrefix: 'bedrock-ai-gateway' },
    authorizer: { cacheTtlSeconds: 60 },
    logRetentionDays: 14,
    policy: { suppressions: acceptedFindings },
  },
  {
    name: 'prod',
    region: 'us-west-2',
    stageName: 'v1',
    state: { backend: 's3', bucket: 'example-corp-bedrock-gateway-tfstate', keyPrefix: 'bedrock-ai-gateway', region: 'us-east-1' },
    authorizer: { cacheTtlSeconds: 300 },
    logRetentionDays: 365,
    tags: { 'cost-center': 'ai-platform' },
    policy: { minimumLogRetentionDays: 365, suppressions: acceptedFindings },
  },
  {
    // A local AWS API emulator (moto_server): `npm start` deploys here without an AWS account.
    // The start script picks a free loopback port and passes it in GATEWAY_EMULATOR_ENDPOINT.
    name: 'local',
    region: 'us-east-1',
    state: { backend: 's3', bucket: 'bedrock-gateway-local-tfstate', keyPrefix: 'bedrock-ai-gateway' },
    authorizer: { cacheTtlSeconds: 60 },
    logRetentionDays: 1,
    policy: { suppressions: acceptedFindings },
    emulator: { endpoint: process.env.GATEWAY_EMULATOR_ENDPOINT ?? 'http://127.0.0.1:4566' },
  },
];

export default environments;
