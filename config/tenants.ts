import type { TenantInput } from '../gateway-config';

/** Tenants: who may call, on which tier, through which identity providers. */
const tenants: TenantInput[] = [
  { id: 'acme', displayName: 'ACME Corp', tier: 'gold', identityProviders: ['cognito'] },
  { id: 'globex', displayName: 'Globex', tier: 'silver', identityProviders: ['okta'] },
  { id: 'hooli', displayName: 'Hooli', tier: 'bronze', identityProviders: ['cognito', 'entra'] },
  { id: 'initech', displayName: 'Initech (offboarded)', tier: 'silver', enabled: false, identityProviders: ['cognito'] },
  {
    id: 'umbrella',
    displayName: 'Umbrella research',
    tier: 'silver',
    identityProviders: ['entra'],
    // Its own usage plan (limits override silver's). `models` REPLACES silver's list: umbrella may
    // call exactly these two, not titan or the haiku 3.5 profile. To add to the tier's list
    // instead, write `addModels: ['anthropic.claude-3-5-sonnet-20240620-v1:0']`.
    overrides: {
      rateLimit: 25,
      burstLimit: 50,
      quota: { limit: 500_000, period: 'WEEK' },
      models: ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
    },
  },
];

export default tenants;
