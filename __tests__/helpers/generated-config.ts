/**
 * Generated configs of many tenants, for scale tests and `npm run bench:scale`: the example's
 * identity providers, models and three tiers, one environment, and N tenants shaped as a platform
 * team's would be: every 10th tenant overrides its tier's models, every 50th has a usage plan of
 * its own (limits), every 37th is disabled, identity providers rotate. With `seed`, the overrides,
 * identity providers and disabled tenants are drawn at random instead (property tests).
 */
import type { GatewayConfigInput, TenantInput } from '../../gateway-config/schema';
import { exampleInput } from './config';

export interface GeneratedConfigOptions {
  readonly tenants: number;
  /** Environment kept from the example config. @default 'dev' */
  readonly environment?: string;
  /** Random (seeded) overrides, identity providers and disabled tenants instead of the fixed pattern. */
  readonly seed?: number;
}

/** Tenant ids sort in generation order: `t00001`, `t00002`, ... */
export function generatedTenantId(i: number): string {
  return `t${String(i).padStart(5, '0')}`;
}

/** mulberry32: a small, fast, seeded PRNG (deterministic across runs and machines). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedConfigInput(options: GeneratedConfigOptions): GatewayConfigInput {
  const input = exampleInput();
  const environmentName = options.environment ?? 'dev';
  input.environments = input.environments.filter((e) => e.name === environmentName);
  if (input.environments.length !== 1) throw new Error(`no environment ${environmentName} in the example config`);
  // Token budgets name every tenant's API key in their functions' inline IAM policy, which does not
  // scale to thousands of tenants yet (docs/scaling.md), and cannot be combined with tenant shards.
  delete input.environments[0].tokenBudgets;
  const tiers = input.tiers.map((t) => t.name);
  const catalogue = input.models.map((m) => m.id);
  const idps = input.identityProviders.map((p) => p.id);
  const random = options.seed === undefined ? undefined : seededRandom(options.seed);
  const pick = <T>(items: readonly T[], n: number): T[] => items.filter((_, k) => ((n >> k) & 1) === 1);

  input.tenants = Array.from({ length: options.tenants }, (_, k): TenantInput => {
    const i = k + 1;
    if (random) {
      const idpSet = pick(idps, 1 + Math.floor(random() * (2 ** idps.length - 1)));
      const overrideModels = random() < 0.3 ? pick(catalogue, 1 + Math.floor(random() * (2 ** catalogue.length - 1))) : undefined;
      const ownPlan = random() < 0.02;
      return {
        id: generatedTenantId(i),
        tier: tiers[Math.floor(random() * tiers.length)],
        identityProviders: idpSet,
        ...(random() < 0.1 ? { enabled: false } : {}),
        ...(overrideModels !== undefined || ownPlan
          ? { overrides: { ...(overrideModels ? { models: overrideModels } : {}), ...(ownPlan ? { quota: { limit: 1_000 + i, period: 'DAY' as const } } : {}) } }
          : {}),
      };
    }
    return {
      id: generatedTenantId(i),
      tier: tiers[i % tiers.length],
      identityProviders: i % 4 === 0 ? [idps[0], idps[2]] : [idps[i % idps.length]],
      ...(i % 37 === 0 ? { enabled: false } : {}),
      ...(i % 10 === 0 || i % 50 === 0
        ? {
            overrides: {
              ...(i % 10 === 0 ? { models: [catalogue[(i / 10) % catalogue.length], catalogue[(i / 10 + 1) % catalogue.length]] } : {}),
              ...(i % 50 === 0 ? { rateLimit: 5, burstLimit: 10, quota: { limit: 10_000 + i, period: 'MONTH' as const } } : {}),
            },
          }
        : {}),
    };
  });
  return input;
}
