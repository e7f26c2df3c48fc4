/**
 * Tenant model overrides: `overrides.models` replaces the tier's list; `overrides.addModels`
 * adds to it. Both reach the authorizer's tenant table through `effectiveModels`.
 */
import { effectiveModels } from '../../gateway-config/derive';
import { buildAuthorizerSettings } from '../../gateway-config/tenant-table';
import { validateConfig } from '../../gateway-config/validate';
import { broken, FILES, problems } from '../helpers/config-problems';
import { exampleConfig } from '../helpers/config';

const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

test('models replaces the tier list: umbrella (silver) may call exactly its two models', () => {
  const config = exampleConfig();
  const umbrella = config.tenants.find((t) => t.id === 'umbrella')!;
  expect(config.tiers.find((t) => t.name === 'silver')!.models).toContain('amazon.titan-text-express-v1');
  expect(effectiveModels(config, umbrella)).toEqual([SONNET, HAIKU].sort());
});

test('addModels adds to the tier list (and to a models replacement)', () => {
  const added = validateConfig(
    broken((c) => {
      c.tenants[1].overrides = { addModels: [SONNET] };
      c.tenants[4].overrides = { ...c.tenants[4].overrides, models: [HAIKU], addModels: ['meta.llama3-8b-instruct-v1:0'] };
    }),
    FILES,
  );
  expect(effectiveModels(added, added.tenants[1])).toEqual([SONNET, HAIKU, 'amazon.titan-text-express-v1', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', 'amazon.nova-pro-v1:0', 'us.anthropic.claude-haiku-4-5-20251001-v1:0', 'global.anthropic.claude-haiku-5-5'].sort());
  expect(effectiveModels(added, added.tenants[4])).toEqual([HAIKU, 'meta.llama3-8b-instruct-v1:0'].sort());
  const table = JSON.stringify(buildAuthorizerSettings(added, added.environments[0]));
  expect(table).toContain(SONNET);
});

test('addModels names catalogue models the base list does not already allow', () => {
  expect(
    problems(
      broken((c) => {
        c.tenants[1].overrides = { addModels: ['anthropic.claude-9', HAIKU] };
        c.tenants[4].overrides = { ...c.tenants[4].overrides, addModels: [SONNET] };
        c.tenants[0].overrides = { addModels: [] };
      }),
    ),
  ).toEqual([
    'config/tenants.ts: tenants[0].overrides.addModels: addModels must list at least one model (got [])',
  ]);
  expect(
    problems(
      broken((c) => {
        c.tenants[1].overrides = { addModels: ['anthropic.claude-9', HAIKU] };
        c.tenants[4].overrides = { ...c.tenants[4].overrides, addModels: [SONNET] };
      }),
    ),
  ).toEqual([
    'config/tenants.ts: tenants[1].overrides.addModels[0]: unknown model: not in the model catalogue; allowed: global.anthropic.claude-sonnet-4-5-20250929-v1:0, us.anthropic.claude-haiku-4-5-20251001-v1:0, amazon.nova-pro-v1:0, anthropic.claude-3-haiku-20240307-v1:0, anthropic.claude-3-5-sonnet-20240620-v1:0, amazon.titan-text-express-v1, meta.llama3-8b-instruct-v1:0, us.anthropic.claude-3-5-haiku-20241022-v1:0, global.anthropic.claude-sonnet-5-5, global.anthropic.claude-opus-5-5, global.anthropic.claude-haiku-5-5 (got "anthropic.claude-9")',
    'config/tenants.ts: tenants[1].overrides.addModels[1]: model already allowed by tier silver: addModels lists only models to add (got "anthropic.claude-3-haiku-20240307-v1:0")',
    'config/tenants.ts: tenants[4].overrides.addModels[0]: model already allowed by overrides.models: addModels lists only models to add (got "anthropic.claude-3-5-sonnet-20240620-v1:0")',
  ]);
});

test('a tier with a USD budget needs a price for every model a tenant adds, as for a replacement list', () => {
  const MISTRAL = 'mistral.mistral-small-2402-v1:0';
  const withUnpriced = (field: 'models' | 'addModels') =>
    problems(
      broken((c) => {
        c.models.push({ kind: 'foundation-model', id: MISTRAL });
        // globex: tier silver, whose budget is in USD, no budget of its own.
        c.tenants[1].overrides = { [field]: [MISTRAL] };
      }),
    );
  expect(withUnpriced('addModels')).toEqual([
    `config/tenants.ts: tenants[1].overrides.addModels: tier silver has a USD budget, which needs a price for every model; no price in the model catalogue for ${MISTRAL}`,
  ]);
  expect(withUnpriced('models')).toEqual([
    `config/tenants.ts: tenants[1].overrides.models: tier silver has a USD budget, which needs a price for every model; no price in the model catalogue for ${MISTRAL}`,
  ]);
});
