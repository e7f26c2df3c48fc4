/**
 * Validates raw config sections into one typed `GatewayConfig`, or fails with
 * every problem at once, each naming file, field path, bad value and what is allowed.
 */
import { AWS_LIMITS, gatewayConfigSchema, type GatewayConfig, type GatewayConfigInput } from './schema';
import { effectiveLimits, tenantNeedsOwnPlan } from './derive';
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

  checkObservability(config, report);
  checkPolicies(config, report);
  checkSharedStateBuckets(config, report);
  checkRegionalLimits(config, report);
  checkEdge(config, report);
  return issues;
}

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

export type { GatewayConfig };
