import type { TierInput } from '../gateway-config';

/** Each tier becomes one API Gateway usage plan per environment. */
const tiers: TierInput[] = [
  {
    name: 'bronze',
    description: 'Evaluation: small models, low volume',
    rateLimit: 2,
    burstLimit: 5,
    quota: { limit: 1_000, period: 'DAY' },
    models: ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.titan-text-express-v1'],
  },
  {
    name: 'silver',
    description: 'Production workloads on mid-size models',
    rateLimit: 10,
    burstLimit: 20,
    quota: { limit: 100_000, period: 'WEEK' },
    models: ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.titan-text-express-v1', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'],
  },
  {
    name: 'gold',
    description: 'All catalogue models, high volume',
    rateLimit: 50,
    burstLimit: 100,
    quota: { limit: 2_000_000, period: 'MONTH' },
    models: [
      'anthropic.claude-3-haiku-20240307-v1:0',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'amazon.titan-text-express-v1',
      'meta.llama3-8b-instruct-v1:0',
      'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    ],
  },
];

export default tiers;
