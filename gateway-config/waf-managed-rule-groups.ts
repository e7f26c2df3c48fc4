/**
 * The AWS managed rule groups the gateway's web ACL supports, with the names of their rules,
 * so config can be checked before AWS sees it: an unknown group or a rule override naming a
 * rule the group does not have is a config error, not a failed apply.
 *
 * Rule names are those AWS documents for the current static versions (AWS WAF Developer Guide,
 * "AWS Managed Rules rule groups list": "Baseline rule groups" for the core rule set and known bad
 * inputs, "IP reputation rule groups" for the IP lists). When AWS adds a rule to a group, add its
 * name here; the group itself still works without it.
 *
 * Deliberately not offered: the SQL database, Linux, POSIX, Windows and PHP groups. They inspect
 * the body for SQL and shell syntax, which prompts asking about code contain as a matter of course.
 */

export type WafAction = 'block' | 'count';

export interface ManagedRuleGroupSpec {
  /** Rule name in the web ACL, its metric name, and the priority it gets (fixed, so toggling one group renumbers nothing). */
  readonly priority: number;
  /** Web ACL capacity units the group consumes (AWS documents it per group). */
  readonly wcu: number;
  readonly rules: readonly string[];
  /** Used when config does not mention the group. */
  readonly defaults: {
    readonly enabled: boolean;
    readonly action: WafAction;
    readonly ruleActionOverrides: Readonly<Record<string, WafAction>>;
  };
  /** One line for the README and the summary. */
  readonly purpose: string;
}

export const MANAGED_RULE_GROUPS = {
  AWSManagedRulesAmazonIpReputationList: {
    priority: 10,
    wcu: 25,
    rules: ['AWSManagedIPReputationList', 'AWSManagedReconnaissanceList', 'AWSManagedIPDDoSList'],
    defaults: { enabled: true, action: 'block', ruleActionOverrides: {} },
    purpose: 'source IPs Amazon threat intelligence lists as bots, scanners or DDoS participants',
  },
  AWSManagedRulesAnonymousIpList: {
    priority: 11,
    wcu: 50,
    rules: ['AnonymousIPList', 'HostingProviderIPList'],
    // Off by default: corporate clients often leave through cloud egress or VPNs.
    defaults: { enabled: false, action: 'block', ruleActionOverrides: {} },
    purpose: 'VPNs, proxies, Tor nodes and hosting providers',
  },
  AWSManagedRulesKnownBadInputsRuleSet: {
    priority: 30,
    wcu: 200,
    rules: [
      'JavaDeserializationRCE_HEADER',
      'JavaDeserializationRCE_BODY',
      'JavaDeserializationRCE_URIPATH',
      'JavaDeserializationRCE_QUERYSTRING',
      'Host_localhost_HEADER',
      'PROPFIND_METHOD',
      'ExploitablePaths_URIPATH',
      'Log4JRCE_HEADER',
      'Log4JRCE_QUERYSTRING',
      'Log4JRCE_BODY',
      'Log4JRCE_URIPATH',
    ],
    defaults: { enabled: true, action: 'block', ruleActionOverrides: {} },
    purpose: 'request patterns known to exploit vulnerabilities (Log4j, Java deserialization, exploitable paths)',
  },
  AWSManagedRulesCommonRuleSet: {
    priority: 31,
    wcu: 700,
    rules: [
      'NoUserAgent_HEADER',
      'UserAgent_BadBots_HEADER',
      'SizeRestrictions_QUERYSTRING',
      'SizeRestrictions_Cookie_HEADER',
      'SizeRestrictions_BODY',
      'SizeRestrictions_URIPATH',
      'EC2MetaDataSSRF_BODY',
      'EC2MetaDataSSRF_COOKIE',
      'EC2MetaDataSSRF_URIPATH',
      'EC2MetaDataSSRF_QUERYARGUMENTS',
      'GenericLFI_QUERYARGUMENTS',
      'GenericLFI_URIPATH',
      'GenericLFI_BODY',
      'RestrictedExtensions_URIPATH',
      'RestrictedExtensions_QUERYARGUMENTS',
      'GenericRFI_QUERYARGUMENTS',
      'GenericRFI_BODY',
      'GenericRFI_URIPATH',
      'CrossSiteScripting_COOKIE',
      'CrossSiteScripting_QUERYARGUMENTS',
      'CrossSiteScripting_BODY',
      'CrossSiteScripting_URIPATH',
    ],
    // SizeRestrictions_BODY blocks bodies over 8 KB (AWS documents the threshold); an LLM prompt
    // with a document or a conversation history is routinely larger. Counted, so it stays visible
    // in metrics and logs; the gateway's own body-size rule enforces the configured limit instead.
    defaults: { enabled: true, action: 'block', ruleActionOverrides: { SizeRestrictions_BODY: 'count' } },
    purpose: 'OWASP-style generic attacks: bad bots, SSRF to instance metadata, file inclusion, XSS, oversized URI parts',
  },
} as const satisfies Record<string, ManagedRuleGroupSpec>;

export type ManagedRuleGroupName = keyof typeof MANAGED_RULE_GROUPS;
export const MANAGED_RULE_GROUP_NAMES = Object.keys(MANAGED_RULE_GROUPS) as ManagedRuleGroupName[];

export function isManagedRuleGroupName(name: string): name is ManagedRuleGroupName {
  return Object.prototype.hasOwnProperty.call(MANAGED_RULE_GROUPS, name);
}

export interface EffectiveManagedRuleGroup {
  readonly name: ManagedRuleGroupName;
  readonly priority: number;
  readonly action: WafAction;
  /** Sorted by rule name. */
  readonly ruleActionOverrides: ReadonlyArray<{ readonly rule: string; readonly action: WafAction }>;
}

/** Config entry of one group (validated names), as the schema gives it. */
export interface ManagedRuleGroupConfig {
  readonly enabled?: boolean;
  readonly action?: WafAction;
  readonly ruleActionOverrides?: Readonly<Record<string, WafAction>>;
}

/**
 * The groups the web ACL runs, in priority order: config merged over each group's defaults
 * (a group's overrides merge per rule, so overriding one rule keeps SizeRestrictions_BODY counted).
 */
export function effectiveManagedRuleGroups(configured: Readonly<Record<string, ManagedRuleGroupConfig>>): EffectiveManagedRuleGroup[] {
  return MANAGED_RULE_GROUP_NAMES.flatMap((name) => {
    const spec: ManagedRuleGroupSpec = MANAGED_RULE_GROUPS[name];
    const own = configured[name] ?? {};
    if (!(own.enabled ?? spec.defaults.enabled)) return [];
    const overrides = { ...spec.defaults.ruleActionOverrides, ...own.ruleActionOverrides };
    return [
      {
        name,
        priority: spec.priority,
        action: own.action ?? spec.defaults.action,
        ruleActionOverrides: Object.keys(overrides)
          .sort()
          .map((rule) => ({ rule, action: overrides[rule] })),
      },
    ];
  }).sort((a, b) => a.priority - b.priority);
}
