import type { ModelInput } from '../gateway-config';

/** The Bedrock models the gateway may expose. Nothing outside this list is reachable. */
const models: ModelInput[] = [
  { kind: 'foundation-model', id: 'anthropic.claude-3-haiku-20240307-v1:0' },
  { kind: 'foundation-model', id: 'anthropic.claude-3-5-sonnet-20240620-v1:0' },
  { kind: 'foundation-model', id: 'amazon.titan-text-express-v1' },
  { kind: 'foundation-model', id: 'meta.llama3-8b-instruct-v1:0' },
  {
    kind: 'inference-profile',
    id: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    foundationModel: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    regions: ['us-east-1', 'us-east-2', 'us-west-2'],
  },
];

export default models;
