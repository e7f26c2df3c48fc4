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
    // Token budget per tenant: 2M tokens (input + output) a day (UTC).
    budget: { period: 'DAY', tokens: { limit: 2_000_000, count: 'total' } },
  },
  {
    name: 'silver',
    description: 'Production workloads on mid-size models',
    rateLimit: 10,
    burstLimit: 20,
    quota: { limit: 100_000, period: 'WEEK' },
    models: [
      'anthropic.claude-3-haiku-20240307-v1:0',
      'amazon.titan-text-express-v1',
      'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'global.anthropic.claude-haiku-5-5',
      'amazon.nova-pro-v1:0',
    ],
    // Cost budget per tenant: USD 250 a week (Monday 00:00 UTC), alerts at 50% and 80%.
    budget: { period: 'WEEK', usd: 250, alertThresholds: [0.5, 0.8] },
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
      'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'amazon.nova-pro-v1:0',
      'global.anthropic.claude-sonnet-5-5',
      'global.anthropic.claude-opus-5-5',
      'global.anthropic.claude-haiku-5-5',
    ],
    // Both limits: USD 5,000 or 500M output tokens a month, whichever comes first.
    budget: { period: 'MONTH', usd: 5_000, tokens: { limit: 500_000_000, count: 'output' }, alertThresholds: [0.5, 0.8, 0.95] },
  },
];

export default tiers;
