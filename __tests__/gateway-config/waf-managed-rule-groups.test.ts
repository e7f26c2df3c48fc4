import { CountryCode } from '@aws-sdk/client-wafv2';
import { MANAGED_RULE_GROUPS, MANAGED_RULE_GROUP_NAMES, effectiveManagedRuleGroups } from '../../gateway-config/waf-managed-rule-groups';
import { WAF_COUNTRY_CODES } from '../../gateway-config/waf-country-codes';

describe('managed rule groups', () => {
  test('defaults: IP reputation, known bad inputs and the core rule set block, with SizeRestrictions_BODY counted; the anonymous IP list is off', () => {
    expect(effectiveManagedRuleGroups({})).toEqual([
      { name: 'AWSManagedRulesAmazonIpReputationList', priority: 10, action: 'block', ruleActionOverrides: [] },
      { name: 'AWSManagedRulesKnownBadInputsRuleSet', priority: 30, action: 'block', ruleActionOverrides: [] },
      { name: 'AWSManagedRulesCommonRuleSet', priority: 31, action: 'block', ruleActionOverrides: [{ rule: 'SizeRestrictions_BODY', action: 'count' }] },
    ]);
  });

  test('config switches groups on and off, to count mode, and merges rule overrides over the defaults', () => {
    expect(
      effectiveManagedRuleGroups({
        AWSManagedRulesAnonymousIpList: { enabled: true, action: 'count' },
        AWSManagedRulesAmazonIpReputationList: { enabled: false },
        AWSManagedRulesCommonRuleSet: { ruleActionOverrides: { NoUserAgent_HEADER: 'count', CrossSiteScripting_BODY: 'count' } },
      }),
    ).toEqual([
      { name: 'AWSManagedRulesAnonymousIpList', priority: 11, action: 'count', ruleActionOverrides: [] },
      { name: 'AWSManagedRulesKnownBadInputsRuleSet', priority: 30, action: 'block', ruleActionOverrides: [] },
      {
        name: 'AWSManagedRulesCommonRuleSet',
        priority: 31,
        action: 'block',
        ruleActionOverrides: [
          { rule: 'CrossSiteScripting_BODY', action: 'count' },
          { rule: 'NoUserAgent_HEADER', action: 'count' },
          { rule: 'SizeRestrictions_BODY', action: 'count' },
        ],
      },
    ]);
  });

  test('SizeRestrictions_BODY can be put back to block explicitly', () => {
    const crs = effectiveManagedRuleGroups({ AWSManagedRulesCommonRuleSet: { ruleActionOverrides: { SizeRestrictions_BODY: 'block' } } }).find((g) => g.name === 'AWSManagedRulesCommonRuleSet');
    expect(crs?.ruleActionOverrides).toEqual([{ rule: 'SizeRestrictions_BODY', action: 'block' }]);
  });

  test('every default override names a rule of its group; priorities and rule names are unique', () => {
    for (const name of MANAGED_RULE_GROUP_NAMES) {
      const spec = MANAGED_RULE_GROUPS[name];
      for (const rule of Object.keys(spec.defaults.ruleActionOverrides)) expect([name, (spec.rules as readonly string[]).includes(rule)]).toEqual([name, true]);
      expect(new Set(spec.rules).size).toBe(spec.rules.length);
    }
    const priorities = MANAGED_RULE_GROUP_NAMES.map((n) => MANAGED_RULE_GROUPS[n].priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });
});

test('the WAF country codes are exactly the WAFV2 API model CountryCode enum (as the AWS SDK carries it)', () => {
  expect([...WAF_COUNTRY_CODES].sort()).toEqual(Object.values(CountryCode).sort());
});
