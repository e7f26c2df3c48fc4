import { COMPLIANT, NOT_APPLICABLE, block, blocks, nonCompliant, type PolicyRule } from '../rule';

export const KNOWN_BAD_INPUTS_GROUP = 'AWSManagedRulesKnownBadInputsRuleSet';

/** How a web ACL uses the group: absent, present but only counting, or blocking. */
type GroupUse = 'absent' | 'count' | 'block';

/** From `rule` blocks (snake_case, as synthesized). */
function useInRules(rules: unknown): GroupUse {
  for (const rule of blocks(rules)) {
    const group = block(block(rule.statement).managed_rule_group_statement);
    if (group.name !== KNOWN_BAD_INPUTS_GROUP || group.vendor_name !== 'AWS') continue;
    return 'count' in block(rule.override_action) ? 'count' : 'block';
  }
  return 'absent';
}

/** From `rule_json` (the WAF API's shape, PascalCase). */
function useInRuleJson(text: unknown): GroupUse {
  if (typeof text !== 'string') return 'absent';
  let rules: unknown;
  try {
    rules = JSON.parse(text);
  } catch {
    return 'absent';
  }
  for (const rule of blocks(rules)) {
    const group = block(block(rule.Statement).ManagedRuleGroupStatement);
    if (group.Name !== KNOWN_BAD_INPUTS_GROUP || group.VendorName !== 'AWS') continue;
    return 'Count' in block(rule.OverrideAction) ? 'count' : 'block';
  }
  return 'absent';
}

export const wafKnownBadInputs: PolicyRule = {
  id: 'BAG-WAF3',
  info: `Every WAF web ACL blocks with the AWS managed ${KNOWN_BAD_INPUTS_GROUP} group.`,
  explanation: 'The group blocks request patterns known to exploit servers (Log4j JNDI lookups, localhost Host headers, exploitable paths) at no cost to the gateway. Add a rule with managed_rule_group_statement { vendor_name = "AWS", name = "AWSManagedRulesKnownBadInputsRuleSet" } and override_action { none {} }.',
  severity: 'warning',
  sources: ['CKV_AWS_192'],
  evaluate({ type, config }) {
    if (type !== 'aws_wafv2_web_acl') return NOT_APPLICABLE;
    const uses = [useInRules(config.rule), useInRuleJson(config.rule_json)];
    if (uses.includes('block')) return COMPLIANT;
    if (uses.includes('count')) return nonCompliant(`${KNOWN_BAD_INPUTS_GROUP} only counts (override_action count)`);
    return nonCompliant(`no rule uses the managed group ${KNOWN_BAD_INPUTS_GROUP}`);
  },
};
