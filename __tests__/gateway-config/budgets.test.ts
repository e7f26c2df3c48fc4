import { buildMeteringSettings, effectiveBudget } from '../../gateway-config/budgets';
import { modelResourceArns } from '../../gateway-config/derive';
import type { Model } from '../../gateway-config/schema';
import { exampleConfig, exampleConfigWith } from '../helpers/config';
import { broken, problems } from '../helpers/config-problems';

describe('budget validation', () => {
  test('a budget with no limit', () => {
    expect(problems(broken((c) => void (c.tiers[0].budget = { period: 'DAY' })))).toEqual(['config/tiers.ts: tiers[0].budget: a budget needs a limit: set tokens, usd or both']);
  });

  test('alert thresholds outside (0, 1]', () => {
    expect(problems(broken((c) => void (c.tiers[0].budget = { period: 'DAY', tokens: { limit: 10 }, alertThresholds: [0, 1.5, 1] })))).toEqual([
      'config/tiers.ts: tiers[0].budget.alertThresholds[0]: an alert threshold must be greater than 0 and at most 1 (a fraction of the budget) (got 0)',
      'config/tiers.ts: tiers[0].budget.alertThresholds[1]: an alert threshold must be greater than 0 and at most 1 (a fraction of the budget) (got 1.5)',
    ]);
  });

  test('a USD budget on a model with no price', () => {
    expect(
      problems(
        broken((c) => {
          const titan = c.models.find((m) => m.id === 'amazon.titan-text-express-v1')!;
          delete titan.price;
          c.tiers[0].budget = { period: 'DAY', usd: 10 };
        }),
      ),
    ).toEqual([
      'config/tiers.ts: tiers[0].budget.usd: a USD budget needs a price for every model it covers; no price in the model catalogue for amazon.titan-text-express-v1 (got 10)',
      // silver and gold allow titan too, and have USD budgets.
      'config/tiers.ts: tiers[1].budget.usd: a USD budget needs a price for every model it covers; no price in the model catalogue for amazon.titan-text-express-v1 (got 250)',
      'config/tiers.ts: tiers[2].budget.usd: a USD budget needs a price for every model it covers; no price in the model catalogue for amazon.titan-text-express-v1 (got 5000)',
    ]);
  });

  test('a token budget needs no price; a tenant override budget is checked against its own models', () => {
    expect(
      problems(
        broken((c) => {
          delete c.models.find((m) => m.id === 'anthropic.claude-3-5-sonnet-20240620-v1:0')!.price;
          c.tiers[2].budget = { period: 'MONTH', tokens: { limit: 1000 } };
          c.tenants.find((t) => t.id === 'umbrella')!.overrides!.budget = { period: 'DAY', usd: 1 };
        }),
      ),
    ).toEqual([
      'config/tenants.ts: tenants[4].overrides.budget.usd: a USD budget needs a price for every model it covers; no price in the model catalogue for anthropic.claude-3-5-sonnet-20240620-v1:0 (got 1)',
    ]);
  });

  test('budget period, token count and prices are checked', () => {
    expect(
      problems(
        broken((c) => {
          c.tiers[0].budget = { period: 'HOUR' as never, tokens: { limit: 0, count: 'cached' as never } };
          c.models[3].price = { inputPerMillionTokens: 0.0001, outputPerMillionTokens: -1 };
        }),
      ),
    ).toEqual([
      'config/models.ts: models[3].price.inputPerMillionTokens: inputPerMillionTokens must be a multiple of 0.001 USD (per million tokens) (got 0.0001)',
      'config/models.ts: models[3].price.outputPerMillionTokens: outputPerMillionTokens must not be negative (got -1)',
      'config/tiers.ts: tiers[0].budget.period: budget period must be one of DAY, WEEK, MONTH (got "HOUR")',
      'config/tiers.ts: tiers[0].budget.tokens.limit: budget tokens limit must be greater than 0 (got 0)',
      'config/tiers.ts: tiers[0].budget.tokens.count: budget tokens count must be one of input, output, total (got "cached")',
    ]);
  });

  test('global profiles list no regions; geographic ones must', () => {
    expect(
      problems(
        broken((c) => {
          (c.models[0] as { regions?: string[] }).regions = ['us-east-1'];
          delete (c.models[1] as { regions?: string[] }).regions;
        }),
      ),
    ).toEqual([
      'config/models.ts: models[0].regions: a global inference profile routes to every commercial region: remove regions (IAM allows the region-less foundation model ARN) (got ["us-east-1"])',
      'config/models.ts: models[1].regions: a geographic inference profile must list the regions it routes to (IAM allows the foundation model in each)',
    ]);
  });

  test('invocation logging source and existing log group name', () => {
    expect(
      problems(
        broken((c) => {
          c.environments[0].tokenBudgets = { invocationLogging: { source: 'kinesis' as never } };
          c.environments[1].tokenBudgets = { invocationLogging: { source: 'existing', logGroupName: 'bad name!' }, unpricedModel: 'ignore' as never };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[0].tokenBudgets.invocationLogging.source: tokenBudgets.invocationLogging.source must be managed or existing (got {"source":"kinesis"})',
      'config/environments.ts: environments[1].tokenBudgets.invocationLogging.logGroupName: logGroupName must be a CloudWatch log group name (got "bad name!")',
      'config/environments.ts: environments[1].tokenBudgets.unpricedModel: unpricedModel must be count-tokens or disable-key (got "ignore")',
    ]);
  });
});

describe('effective budgets and metering settings', () => {
  test('tier budget, tenant override, and null for none', () => {
    const config = exampleConfigWith((c) => {
      c.tenants.find((t) => t.id === 'hooli')!.overrides = { budget: null };
      c.tenants.find((t) => t.id === 'acme')!.overrides = { budget: { period: 'DAY', tokens: { limit: 5, count: 'input' } } };
    });
    const tenant = (id: string) => config.tenants.find((t) => t.id === id)!;
    expect(effectiveBudget(config, tenant('hooli'))).toBeUndefined();
    expect(effectiveBudget(config, tenant('acme'))).toEqual({ period: 'DAY', tokens: { limit: 5, count: 'input' }, alertThresholds: [0.8] });
    expect(effectiveBudget(config, tenant('globex'))).toEqual({ period: 'WEEK', usd: 250, alertThresholds: [0.5, 0.8] });
  });

  test('settings: prices in nano-USD per token, budgets in nano-USD, config-disabled tenants marked', () => {
    const config = exampleConfig();
    const settings = buildMeteringSettings(config, config.environments[0]);
    expect(settings.environment).toBe('dev');
    // $3 / $15 / $0.30 / $3.75 per million tokens.
    expect(settings.models['global.anthropic.claude-sonnet-4-5-20250929-v1:0']).toEqual({ input: 3000, output: 15000, cacheRead: 300, cacheWrite: 3750 });
    // Cache prices default to the input price.
    expect(settings.models['anthropic.claude-3-haiku-20240307-v1:0']).toEqual({ input: 250, output: 1250, cacheRead: 250, cacheWrite: 250 });
    expect(settings.tenants.globex).toEqual({ tier: 'silver', enabled: true, budget: { period: 'WEEK', costNanoUsd: 250_000_000_000, alertThresholds: [0.5, 0.8] } });
    expect(settings.tenants.initech.enabled).toBe(false);
    expect(settings.unpricedModel).toBe('count-tokens');
    expect(settings.keepPeriods).toBe(3);
  });
});

describe('IAM resources per catalogue entry', () => {
  const model = (id: string) => exampleConfig().models.find((m) => m.id === id) as Model;
  test('a global profile: profile, source-region model and the region-less model ARN (no wildcard)', () => {
    expect(modelResourceArns(model('global.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'us-east-1', 'aws', '111122223333')).toEqual([
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
      'arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]);
  });
  test('a geographic profile: profile and the model in each destination region', () => {
    // An EU environment's profile (the example's environments are in the US and list none).
    const eu: Model = { ...model('us.anthropic.claude-haiku-4-5-20251001-v1:0'), id: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0', regions: ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'] } as Model;
    expect(modelResourceArns(eu, 'eu-west-1', 'aws', '111122223333')).toEqual([
      'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      ...['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'].map((r) => `arn:aws:bedrock:${r}::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0`),
    ]);
  });
});
