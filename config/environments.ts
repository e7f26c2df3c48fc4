import type { EnvironmentInput } from './schema';

/** One Terraform stack is synthesized per environment. */
const environments: EnvironmentInput[] = [
  {
    name: 'dev',
    region: 'us-east-1',
    state: { backend: 's3', bucket: 'example-corp-bedrock-gateway-tfstate', keyPrefix: 'bedrock-ai-gateway' },
    authorizer: { cacheTtlSeconds: 60 },
    logRetentionDays: 14,
  },
  {
    name: 'prod',
    region: 'us-west-2',
    stageName: 'v1',
    state: { backend: 's3', bucket: 'example-corp-bedrock-gateway-tfstate', keyPrefix: 'bedrock-ai-gateway', region: 'us-east-1' },
    authorizer: { cacheTtlSeconds: 300 },
    logRetentionDays: 365,
    tags: { 'cost-center': 'ai-platform' },
  },
];

export default environments;
