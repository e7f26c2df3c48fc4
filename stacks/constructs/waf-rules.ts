/**
 * The rules of the gateway's web ACL, built from validated config as Terraform JSON. Rule
 * statements are loosely typed in @cdktf/provider-aws and must use Terraform's snake_case keys
 * (camelCase synthesizes but `terraform validate` rejects it), so they are built here as plain
 * objects; `terraform validate` in the test suite checks every variant.
 *
 * Priorities are fixed per rule, so switching one rule on or off renumbers nothing else and the
 * plan shows only that rule. Cheap, decisive rules (IP lists, countries, IP reputation) run first;
 * rate-based rules count before the managed groups spend capacity on a request.
 */
import { effectiveManagedRuleGroups, type WafAction } from '../../gateway-config/waf-managed-rule-groups';
import type { WafRateLimit, WafSettings } from '../../gateway-config/edge-schema';

export const WAF_RULE_PRIORITIES = {
  DenyListedAddresses: 0,
  BlockOutsideAllowList: 1,
  BlockedCountries: 2,
  IpRateLimit: 20,
  TokenRateLimit: 21,
  BodySizeLimit: 40,
} as const;

/** Response bodies the web ACL's own block actions send, keyed as `custom_response_body` keys. */
export const WAF_RESPONSE_BODIES = {
  'too-many-requests': { status: 429, errorType: 'ThrottlingException', message: 'Too many requests: slow down and retry' },
  'body-too-large': { status: 413, errorType: 'ValidationException', message: 'Request body too large' },
  forbidden: { status: 403, errorType: 'AccessDeniedException', message: 'Forbidden' },
} as const;
export type WafResponseBody = keyof typeof WAF_RESPONSE_BODIES;

/** The `authorization` header, as WAF names headers (lowercase). */
export const AUTHORIZATION_HEADER = 'authorization';

/** Terraform JSON of one `rule` block. */
export type WafRule = Record<string, unknown> & { readonly name: string; readonly priority: number };

/** ARNs of the IP sets the lists became (only those with addresses exist). */
export interface WafIpSetArns {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

const NO_TRANSFORMATION = [{ priority: 0, type: 'NONE' }];

export interface WafRules {
  /** Sorted by priority. */
  readonly rules: WafRule[];
  /** Custom responses the rules' block actions send (the web ACL must define their bodies). */
  readonly responses: ReadonlySet<WafResponseBody>;
}

/** Every rule of the web ACL for `waf`. */
export function buildWafRules(waf: WafSettings, ipSets: WafIpSetArns, metricPrefix: string): WafRules {
  const rules: WafRule[] = [];
  const responses = new Set<WafResponseBody>();
  const visibility = (name: string) => ({ cloudwatch_metrics_enabled: true, metric_name: `${metricPrefix}-${name}`, sampled_requests_enabled: true });
  const own = (name: keyof typeof WAF_RULE_PRIORITIES, action: WafAction, statement: unknown, response: WafResponseBody) => {
    if (action === 'block') responses.add(response);
    rules.push({ name, priority: WAF_RULE_PRIORITIES[name], action: ruleAction(action, response), statement, visibility_config: visibility(name) });
  };

  if (ipSets.deny.length > 0) own('DenyListedAddresses', 'block', anyIpSet(ipSets.deny), 'forbidden');
  // An allow list blocks everyone else instead of allowing its members outright: an Allow action
  // would end evaluation, and listed clients must still meet the rate limits and managed rules.
  if (ipSets.allow.length > 0) own('BlockOutsideAllowList', 'block', { not_statement: { statement: [anyIpSet(ipSets.allow)] } }, 'forbidden');
  if (waf.blockedCountries) own('BlockedCountries', 'block', { geo_match_statement: { country_codes: [...waf.blockedCountries] } }, 'forbidden');
  if (waf.ipRateLimit.enabled) own('IpRateLimit', waf.ipRateLimit.action, rateBased(waf.ipRateLimit, { aggregate_key_type: 'IP' }), 'too-many-requests');
  if (waf.tokenRateLimit.enabled) {
    // Aggregates on the token itself: one bearer token, valid or forged, gets `limit` requests per
    // window however many addresses send it. Requests without the header are not counted here
    // (API Gateway refuses them with 401 without invoking the authorizer).
    const customKey = [{ header: { name: AUTHORIZATION_HEADER, text_transformation: NO_TRANSFORMATION } }];
    own('TokenRateLimit', waf.tokenRateLimit.action, rateBased(waf.tokenRateLimit, { aggregate_key_type: 'CUSTOM_KEYS', custom_key: customKey }), 'too-many-requests');
  }
  for (const group of effectiveManagedRuleGroups(waf.managedRuleGroups)) {
    rules.push({
      name: group.name,
      priority: group.priority,
      override_action: group.action === 'count' ? { count: {} } : { none: {} },
      statement: {
        managed_rule_group_statement: {
          vendor_name: 'AWS',
          name: group.name,
          ...(group.ruleActionOverrides.length > 0
            ? { rule_action_override: group.ruleActionOverrides.map(({ rule, action }) => ({ name: rule, action_to_use: { [action]: {} } })) }
            : {}),
        },
      },
      visibility_config: visibility(group.name),
    });
  }
  if (waf.bodySizeLimit.enabled) own('BodySizeLimit', waf.bodySizeLimit.action, bodySizeStatement(waf.bodySizeLimit.maxBytes, waf.bodyInspectionLimitKb), 'body-too-large');
  return { rules: rules.sort((a, b) => a.priority - b.priority), responses };
}

/**
 * What WAF can enforce of a body-size limit. API Gateway forwards only the first
 * `inspectionLimitKb` KB of a body to WAF; `oversize_handling` says what a rule concludes about
 * a body larger than that (CONTINUE: inspect the truncated part; MATCH; NO_MATCH).
 *
 * - Limit within what WAF sees: a size constraint on the body with oversize MATCH. A body WAF
 *   cannot see whole is larger than the inspection limit, hence larger than the limit: MATCH is
 *   exactly right, and it holds for chunked bodies too. CONTINUE would let any body through that
 *   hides its excess beyond the inspection limit; NO_MATCH likewise.
 * - Limit beyond what WAF sees (the 1 MiB default): no setting of a body rule can tell a 20 KB
 *   prompt from a 5 MB one; MATCH would block every prompt over the inspection limit, CONTINUE
 *   and NO_MATCH would never match. The rule checks the declared `Content-Length` instead, which
 *   HTTP framing holds the body to. A chunked request carries no Content-Length and passes this
 *   rule; API Gateway's own 10 MB payload limit still applies to it.
 */
export function bodySizeStatement(maxBytes: number, inspectionLimitKb: number): unknown {
  if (maxBytes <= inspectionLimitKb * 1024) {
    return {
      size_constraint_statement: {
        comparison_operator: 'GT',
        size: maxBytes,
        field_to_match: { body: { oversize_handling: 'MATCH' } },
        text_transformation: NO_TRANSFORMATION,
      },
    };
  }
  return {
    regex_match_statement: {
      regex_string: decimalAbovePattern(maxBytes),
      field_to_match: { single_header: { name: 'content-length' } },
      text_transformation: NO_TRANSFORMATION,
    },
  };
}

/**
 * A regular expression matching exactly the decimal numbers (leading zeros allowed) greater than
 * `n`: WAF compares strings, not numbers. Longer numbers, or same-length numbers whose first
 * differing digit is larger. Well under WAF's 512-character limit for any n up to 10 MB.
 */
export function decimalAbovePattern(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`decimalAbovePattern needs a non-negative whole number, got ${n}`);
  const digits = String(n);
  const anyDigits = (count: number) => (count === 0 ? '' : count === 1 ? '[0-9]' : `[0-9]{${count}}`);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (d === 9) continue;
    const higher = d + 1 === 9 ? '9' : `[${d + 1}-9]`;
    alternatives.push(`${digits.slice(0, i)}${higher}${anyDigits(digits.length - i - 1)}`);
  }
  return `^0*(${alternatives.join('|')})$`;
}

function rateBased(rule: WafRateLimit, aggregation: Record<string, unknown>): unknown {
  return { rate_based_statement: { limit: rule.limit, evaluation_window_sec: rule.windowSeconds, ...aggregation } };
}

function anyIpSet(arns: readonly string[]): unknown {
  const refs = arns.map((arn) => ({ ip_set_reference_statement: { arn } }));
  return refs.length === 1 ? refs[0] : { or_statement: { statement: refs } };
}

function ruleAction(action: WafAction, response: WafResponseBody): unknown {
  if (action === 'count') return { count: {} };
  const { status, errorType } = WAF_RESPONSE_BODIES[response];
  // JSON errors with x-amzn-ErrorType, like the gateway's own responses: an AWS SDK client raises
  // ThrottlingException (and retries) on a rate limit instead of an unknown 403.
  return {
    block: {
      custom_response: {
        response_code: status,
        custom_response_body_key: response,
        response_header: [{ name: 'x-amzn-ErrorType', value: errorType }],
      },
    },
  };
}

/** The `custom_response_body` blocks a web ACL needs for `responses`, in a stable order. */
export function wafResponseBodies(responses: ReadonlySet<WafResponseBody>): Array<{ key: string; content: string; contentType: string }> {
  return (Object.keys(WAF_RESPONSE_BODIES) as WafResponseBody[])
    .filter((key) => responses.has(key))
    .map((key) => ({ key, content: JSON.stringify({ message: WAF_RESPONSE_BODIES[key].message }), contentType: 'APPLICATION_JSON' }));
}
