/**
 * Validates raw config sections into one typed `GatewayConfig`, or fails with
 * every problem at once, each naming file, field path, bad value and what is allowed.
 */
import { AWS_LIMITS, gatewayConfigSchema, type GatewayConfig, type GatewayConfigInput } from './schema';
import { effectiveLimits, effectiveModels, GLOBAL_PROFILE_PREFIX, tenantNeedsOwnPlan } from './derive';
import { parseCidr } from './cidr';
import { MANAGED_RULE_GROUP_NAMES, MANAGED_RULE_GROUPS, isManagedRuleGroupName } from './waf-managed-rule-groups';
import { GATEWAY_RULE_IDS } from '../stacks/policy/rules';

export type SectionName = keyof GatewayConfigInput;
export const SECTION_NAMES: readonly SectionName[] = ['environments', 'identityProviders', 'models', 'tiers', 'tenants'];

/** Where each section came from, for messages. */
export type SectionFiles = Partial<Record<SectionName, string>>;

export interface ConfigIssue {
  readonly file: string;
  /** e.g. `tenants[3].tier` */
  readonly path: string;
  readonly message: string;
  /** The offending value; absent when the field is missing. */
  readonly value?: unknown;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid gateway config (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const got = 'value' in issue && issue.value !== undefined ? ` (got ${JSON.stringify(issue.value)})` : '';
  return `${issue.file}: ${issue.path}: ${issue.message}${got}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/**
 * Validates `input` (sections as users wrote them) and returns the config with defaults applied.
 * @throws ConfigError listing every problem found.
 */
export function validateConfig(input: unknown, files: SectionFiles = {}): GatewayConfig {
  const fileOf = (path: readonly PropertyKey[]) => files[path[0] as SectionName] ?? `config/${String(path[0] ?? '')}`;
  const parsed = gatewayConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) =>
        issue.code === 'unrecognized_keys'
          ? {
              file: fileOf(issue.path),
              path: formatPath(issue.path) || '(root)',
              message: `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: not part of the schema (check the spelling)`,
            }
          : {
              file: fileOf(issue.path),
              path: formatPath(issue.path) || '(root)',
              message: issue.message,
              ...(issue.input !== undefined ? { value: issue.input } : {}),
            },
      ),
    );
  }
  const issues = crossCheck(parsed.data, fileOf);
  if (issues.length > 0) throw new ConfigError(issues);
  return parsed.data;
}

type FileOf = (path: readonly PropertyKey[]) => string;

function crossCheck(config: GatewayConfig, fileOf: FileOf): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = (path: PropertyKey[], message: string, value?: unknown) =>
    issues.push({ file: fileOf(path), path: formatPath(path), message, ...(value !== undefined ? { value } : {}) });

  const unique = <T>(section: SectionName, items: readonly T[], key: keyof T & string, what: string) => {
    const seen = new Map<unknown, number>();
    items.forEach((item, index) => {
      const value = item[key];
      const first = seen.get(value);
      if (first !== undefined) report([section, index, key], `duplicate ${what}: already used by ${section}[${first}]`, value);
      else seen.set(value, index);
    });
  };
  unique('environments', config.environments, 'name', 'environment name');
  unique('identityProviders', config.identityProviders, 'id', 'identity provider id');
  unique('identityProviders', config.identityProviders, 'issuer', 'issuer (the authorizer picks the verifier by issuer)');
  unique('models', config.models, 'id', 'model id');
  unique('tiers', config.tiers, 'name', 'tier name');
  unique('tenants', config.tenants, 'id', 'tenant id');

  const modelIds = config.models.map((m) => m.id);
  const tierNames = config.tiers.map((t) => t.name);
  const idpIds = config.identityProviders.map((i) => i.id);
  const knownModel = (path: PropertyKey[], id: string) => {
    if (!modelIds.includes(id)) report(path, `unknown model: not in the model catalogue; allowed: ${modelIds.join(', ')}`, id);
  };
  const burstAtLeastRate = (path: PropertyKey[], rate: number, burst: number) => {
    if (burst < rate) report([...path, 'burstLimit'], `burstLimit must be at least rateLimit (${rate})`, burst);
  };

  config.tiers.forEach((tier, t) => {
    tier.models.forEach((model, m) => knownModel(['tiers', t, 'models', m], model));
    burstAtLeastRate(['tiers', t], tier.rateLimit, tier.burstLimit);
  });
  config.tenants.forEach((tenant, t) => {
    const tier = config.tiers.find((x) => x.name === tenant.tier);
    if (!tier) report(['tenants', t, 'tier'], `unknown tier; allowed: ${tierNames.join(', ')}`, tenant.tier);
    tenant.identityProviders.forEach((idp, i) => {
      if (!idpIds.includes(idp)) report(['tenants', t, 'identityProviders', i], `unknown identity provider; allowed: ${idpIds.join(', ')}`, idp);
    });
    tenant.overrides?.models?.forEach((model, m) => knownModel(['tenants', t, 'overrides', 'models', m], model));
    tenant.overrides?.addModels?.forEach((model, m) => {
      knownModel(['tenants', t, 'overrides', 'addModels', m], model);
      const base = tenant.overrides?.models ?? tier?.models ?? [];
      if (base.includes(model)) report(['tenants', t, 'overrides', 'addModels', m], `model already allowed by ${tenant.overrides?.models ? 'overrides.models' : `tier ${tier!.name}`}: addModels lists only models to add`, model);
    });
    if (tier && tenant.overrides) {
      const rate = tenant.overrides.rateLimit ?? tier.rateLimit;
      const burst = tenant.overrides.burstLimit ?? tier.burstLimit;
      burstAtLeastRate(['tenants', t, 'overrides'], rate, burst);
    }
  });

  checkModels(config, report);
  checkBudgets(config, report);
  checkObservability(config, report);
  checkPolicies(config, report);
  checkTenantShards(config, report);
  checkSharedStateBuckets(config, report);
  checkRegionalLimits(config, report);
  checkEdge(config, report);
  checkIntegration(config, report);
  return issues;
}

// ---- token budgets (issue 9) ----
/** A global profile lists no regions (it may use every commercial region); a geographic one must list them. */
function checkModels(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  config.models.forEach((model, m) => {
    if (model.kind !== 'inference-profile') return;
    const global = model.id.startsWith(GLOBAL_PROFILE_PREFIX);
    if (global && model.regions !== undefined) {
      report(['models', m, 'regions'], 'a global inference profile routes to every commercial region: remove regions (IAM allows the region-less foundation model ARN)', model.regions);
    }
    if (!global && model.regions === undefined) {
      report(['models', m, 'regions'], 'a geographic inference profile must list the regions it routes to (IAM allows the foundation model in each)');
    }
  });
}

/** Every budget has a limit, and a USD budget has a price for every model its tenants may call. */
function checkBudgets(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  const unpriced = new Set(config.models.filter((m) => !m.price).map((m) => m.id));
  const check = (path: PropertyKey[], budget: NonNullable<GatewayConfig['tiers'][number]['budget']>, models: readonly string[]) => {
    if (budget.tokens === undefined && budget.usd === undefined) {
      report(path, 'a budget needs a limit: set tokens, usd or both');
    }
    if (budget.usd !== undefined) {
      const missing = [...new Set(models)].filter((id) => unpriced.has(id)).sort();
      if (missing.length > 0) {
        report([...path, 'usd'], `a USD budget needs a price for every model it covers; no price in the model catalogue for ${missing.join(', ')}`, budget.usd);
      }
    }
  };
  config.tiers.forEach((tier, t) => {
    if (tier.budget) check(['tiers', t, 'budget'], tier.budget, tier.models);
  });
  config.tenants.forEach((tenant, t) => {
    const tier = config.tiers.find((x) => x.name === tenant.tier);
    const own = tenant.overrides?.budget;
    if (own) check(['tenants', t, 'overrides', 'budget'], own, tier ? effectiveModels(config, tenant) : (tenant.overrides?.models ?? []));
    // A tier's USD budget with a tenant's own model list (models) or models added to the tier's
    // (addModels): the tenant's models must be priced too, each reported on the field that lists it.
    else if (own === undefined && tier?.budget?.usd !== undefined) {
      for (const field of ['models', 'addModels'] as const) {
        const missing = [...new Set(tenant.overrides?.[field] ?? [])].filter((id) => unpriced.has(id)).sort();
        if (missing.length > 0) {
          report(['tenants', t, 'overrides', field], `tier ${tier.name} has a USD budget, which needs a price for every model; no price in the model catalogue for ${missing.join(', ')}`);
        }
      }
    }
  });
}
// ---- end token budgets ----

/**
 * Stage settings that must agree with the rest of the config: the stage-wide throttle is a
 * ceiling above every tenant's own limits (else it, not the usage plans, would throttle them),
 * and INFO execution logs stay out of production.
 */
function checkObservability(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  const largest = (limit: 'rateLimit' | 'burstLimit') => {
    let top: { value: number; tenant: string } | undefined;
    for (const tenant of config.tenants) {
      if (!config.tiers.some((t) => t.name === tenant.tier)) continue;
      const value = effectiveLimits(config, tenant)[limit];
      if (!top || value > top.value) top = { value, tenant: tenant.id };
    }
    return top;
  };
  const rate = largest('rateLimit');
  const burst = largest('burstLimit');
  config.environments.forEach((env, index) => {
    const o = env.observability;
    const path = ['environments', index, 'observability'];
    if (o.executionLogLevel === 'INFO' && o.production) {
      report([...path, 'executionLogLevel'], 'INFO execution logs are allowed only where observability.production is false; use ERROR', o.executionLogLevel);
    }
    if (rate && o.throttle.rateLimit < rate.value) {
      report([...path, 'throttle', 'rateLimit'], `the stage-wide throttle must be at least the largest tenant rate limit (${rate.value}, tenant ${rate.tenant})`, o.throttle.rateLimit);
    }
    if (burst && o.throttle.burstLimit < burst.value) {
      report([...path, 'throttle', 'burstLimit'], `the stage-wide throttle must be at least the largest tenant burst limit (${burst.value}, tenant ${burst.tenant})`, o.throttle.burstLimit);
    }
  });
}

/** Cloud backends name their workspaces one way; suppressions name rules that exist, once each; retention meets the environment's own minimum. */
function checkPolicies(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  config.environments.forEach((env, e) => {
    if (env.state.backend === 'cloud' && (env.state.workspace === undefined) === (env.state.workspaceTags === undefined)) {
      report(['environments', e, 'state'], 'a cloud backend names either workspace (one workspace) or workspaceTags (the workspaces carrying those tags), not both and not neither');
    }
    const { minimumLogRetentionDays, suppressions } = env.policy;
    if (env.logRetentionDays < minimumLogRetentionDays) {
      report(['environments', e, 'logRetentionDays'], `logRetentionDays is below policy.minimumLogRetentionDays (${minimumLogRetentionDays}); raise it or lower the minimum`, env.logRetentionDays);
    }
    const seen = new Map<string, number>();
    suppressions.forEach((suppression, s) => {
      if (!GATEWAY_RULE_IDS.includes(suppression.rule)) {
        report(['environments', e, 'policy', 'suppressions', s, 'rule'], `unknown rule; allowed: ${GATEWAY_RULE_IDS.join(', ')}`, suppression.rule);
      }
      const key = `${suppression.rule} ${suppression.resource}`;
      const first = seen.get(key);
      if (first !== undefined) report(['environments', e, 'policy', 'suppressions', s], `duplicate suppression of ${suppression.rule} for ${suppression.resource}: already in suppressions[${first}]`);
      else seen.set(key, s);
    });
  });
}

/** Shard stacks read the core stack's outputs from its state: a backend they can read it from, by name. */
function checkTenantShards(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  config.environments.forEach((env, e) => {
    if (env.tenantShards === undefined) return;
    if (env.state.backend === 'local') {
      report(['environments', e, 'tenantShards'], 'tenantShards needs a state backend whose outputs other stacks can read (state.backend s3 or cloud), not local', env.tenantShards);
    } else if (env.state.backend === 'cloud' && env.state.workspace === undefined) {
      report(
        ['environments', e, 'tenantShards'],
        'tenantShards with a cloud backend needs a named workspace (state.workspace): shard i uses workspace <workspace>-tenants-<i> and reads the core workspace by name',
        env.tenantShards,
      );
    }
    if (env.tokenBudgets !== undefined && env.tenantShards > 1) {
      // The budget functions' IAM and ledger key items name every tenant's API key, which sharded
      // environments create in the shard stacks: not wired yet.
      report(['environments', e, 'tenantShards'], 'tenantShards above 1 cannot be combined with tokenBudgets yet (the budget functions need the API keys the shard stacks create); use one or the other', env.tenantShards);
    }
  });
}

/** One state bucket is one bootstrap stack: the environments sharing it must describe it alike. */
function checkSharedStateBuckets(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  const firstUse = new Map<string, { index: number; facts: Record<string, unknown> }>();
  config.environments.forEach((env, index) => {
    if (env.state.backend !== 's3') return;
    const facts = {
      region: env.state.region ?? env.region,
      kmsKeyId: env.state.kmsKeyId,
      noncurrentVersionExpirationDays: env.state.noncurrentVersionExpirationDays,
      emulator: env.emulator?.endpoint,
    };
    const first = firstUse.get(env.state.bucket);
    if (!first) {
      firstUse.set(env.state.bucket, { index, facts });
      return;
    }
    for (const [field, value] of Object.entries(facts)) {
      if (first.facts[field] !== value) {
        report(
          ['environments', index, 'state'],
          `state bucket ${env.state.bucket} is shared with environments[${first.index}] (${config.environments[first.index].name}), which gives it ${field} ${JSON.stringify(first.facts[field]) ?? 'unset'}; environments sharing a bucket must agree on its region, kmsKeyId, noncurrentVersionExpirationDays and emulator`,
          value ?? null,
        );
        return;
      }
    }
  });
}

/**
 * Environments in one region (of one account, as far as config can tell) share API Gateway's
 * per-region quotas; an emulator environment is an account of its own.
 */
function checkRegionalLimits(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  const regions = new Map<string, string[]>();
  for (const env of config.environments) {
    const scope = env.emulator ? `${env.region} of emulator ${env.emulator.endpoint}` : env.region;
    regions.set(scope, [...(regions.get(scope) ?? []), env.name]);
  }
  const tenantPlans = config.tenants.filter(tenantNeedsOwnPlan).length;
  const plansPerEnvironment = config.tiers.length + tenantPlans;
  const keysPerEnvironment = config.tenants.length;
  for (const [region, envs] of regions) {
    const plans = plansPerEnvironment * envs.length;
    if (plans > AWS_LIMITS.usagePlansPerRegion) {
      report(
        ['tenants'],
        `${plans} usage plans in region ${region} (${config.tiers.length} tiers + ${tenantPlans} tenant overrides, for environments ${envs.join(', ')}) exceed the AWS default of ${AWS_LIMITS.usagePlansPerRegion} per region; move tenants onto tiers or split environments across regions`,
      );
    }
    const keys = keysPerEnvironment * envs.length;
    if (keys > AWS_LIMITS.apiKeysPerRegion) {
      report(
        ['tenants'],
        `${keys} API keys in region ${region} (${keysPerEnvironment} tenants, for environments ${envs.join(', ')}) exceed the AWS limit of ${AWS_LIMITS.apiKeysPerRegion} per region`,
      );
    }
  }
}

// --- edge (issue 7): WAF and custom domain rules ---
/**
 * Managed rule group and rule names against the supported table, rate limits against what the
 * tenants' usage plans allow one client, IP lists against each other, and custom domains against
 * their hosted zone and each other.
 */
function checkEdge(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  const domains = new Map<string, number>();
  config.environments.forEach((env, e) => {
    const waf = env.edge?.waf;
    if (waf) {
      const at = ['environments', e, 'edge', 'waf'];
      for (const [group, settings] of Object.entries(waf.managedRuleGroups)) {
        if (!isManagedRuleGroupName(group)) {
          report([...at, 'managedRuleGroups', group], `unknown managed rule group; supported: ${MANAGED_RULE_GROUP_NAMES.join(', ')}`, group);
          continue;
        }
        const rules: readonly string[] = MANAGED_RULE_GROUPS[group].rules;
        for (const rule of Object.keys(settings.ruleActionOverrides ?? {})) {
          if (!rules.includes(rule)) report([...at, 'managedRuleGroups', group, 'ruleActionOverrides', rule], `${group} has no rule of that name; its rules: ${rules.join(', ')}`, rule);
        }
      }
      if (waf.enabled) {
        for (const key of ['ipRateLimit', 'tokenRateLimit'] as const) {
          const rule = waf[key];
          if (!rule.enabled || rule.action !== 'block') continue;
          // One client (a tenant's server, one token) may use its tenant's whole rate: WAF must not stop it first.
          const busiest = config.tenants
            .filter((t) => t.enabled && config.tiers.some((tier) => tier.name === t.tier))
            .map((t) => ({ tenant: t.id, rate: effectiveLimits(config, t).rateLimit }))
            .sort((a, b) => b.rate - a.rate || a.tenant.localeCompare(b.tenant))[0];
          const needed = busiest ? Math.ceil(busiest.rate * rule.windowSeconds) : 0;
          if (busiest && rule.limit < needed) {
            report(
              [...at, key, 'limit'],
              `${rule.limit} requests per ${rule.windowSeconds} s would block one client of tenant ${busiest.tenant} before its usage plan does (${busiest.rate} requests/s = ${needed} per ${rule.windowSeconds} s); set at least ${needed}, or action "count"`,
              rule.limit,
            );
          }
        }
      }
      const denied = new Set((waf.denyList ?? []).map((c) => canonicalCidr(c)));
      (waf.allowList ?? []).forEach((cidr, i) => {
        if (denied.has(canonicalCidr(cidr))) report([...at, 'allowList', i], 'listed in both allowList and denyList (the deny list wins); remove it from one of them', cidr);
      });
    }
    const domain = env.edge?.domain;
    if (domain) {
      const at = ['environments', e, 'edge', 'domain'];
      const zone = domain.hostedZone.name;
      if (domain.name !== zone && !domain.name.endsWith(`.${zone}`)) {
        report([...at, 'name'], `domain name must be inside hosted zone ${zone} (equal to it or ending in .${zone})`, domain.name);
      }
      const first = domains.get(domain.name);
      if (first !== undefined) report([...at, 'name'], `duplicate custom domain name: already used by environments[${first}] (${config.environments[first].name})`, domain.name);
      else domains.set(domain.name, e);
    }
  });
}

/** One spelling per block, so `2001:DB8::/32` and `2001:db8:0::/32` compare equal. */
function canonicalCidr(text: string): string {
  const parsed = parseCidr(text);
  return parsed.ok ? `${parsed.cidr.version}:${parsed.cidr.network}/${parsed.cidr.prefix}` : text;
}
// --- end edge ---

// ---- integration mode (issue 14) ----
/**
 * Forwarder settings belong to forwarder environments, and the function may not outlive the
 * integration: past `integrationTimeoutMs` API Gateway has already answered 504 while the
 * function would keep running (and billing).
 */
function checkIntegration(config: GatewayConfig, report: (path: PropertyKey[], message: string, value?: unknown) => void) {
  config.environments.forEach((env, e) => {
    const at = ['environments', e];
    if (env.forwarder !== undefined && env.integration !== 'forwarder') {
      report([...at, 'forwarder'], `forwarder settings apply only with integration: 'forwarder' (this environment's integration is '${env.integration}'); set integration: 'forwarder' or remove them`, env.forwarder);
      return;
    }
    if (env.integration !== 'forwarder') return;
    const bound = Math.floor(env.integrationTimeoutMs / 1000);
    const timeout = env.forwarder?.timeoutSeconds;
    if (timeout === undefined && bound < 1) {
      report([...at, 'integrationTimeoutMs'], "integration 'forwarder' needs integrationTimeoutMs of at least 1000 (the forwarder's timeout is whole seconds, at most the integration timeout)", env.integrationTimeoutMs);
    } else if (timeout !== undefined && timeout > bound) {
      report(
        [...at, 'forwarder', 'timeoutSeconds'],
        `forwarder.timeoutSeconds must not exceed the integration timeout (integrationTimeoutMs ${env.integrationTimeoutMs} allows at most ${bound} s): API Gateway answers 504 at that point while the function keeps running`,
        timeout,
      );
    }
  });
}
// ---- end integration mode ----

export type { GatewayConfig };
