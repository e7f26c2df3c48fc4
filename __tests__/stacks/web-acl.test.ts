import type { EdgeInput } from '../../gateway-config/edge-schema';
import type { GatewayConfig } from '../../gateway-config/schema';
import { WAF_RULE_PRIORITIES, decimalAbovePattern } from '../../stacks/constructs/waf-rules';
import { exampleConfig, exampleConfigWith } from '../helpers/config';
import { resourcesOf, synthGateway, type TerraformJson } from '../helpers/synth';

const config = exampleConfig();
const prod = synthGateway(config, 'prod');
const local = synthGateway(config, 'local');
const dev = synthGateway(config, 'dev');

/** The example's dev environment (no edge so far) with `edge`, synthesized. */
function devWith(edge: EdgeInput): TerraformJson {
  const edited: GatewayConfig = exampleConfigWith((input) => (input.environments[0].edge = edge));
  return synthGateway(edited, 'dev').json;
}

const only = (json: TerraformJson, type: string) => {
  const all = Object.entries(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return { id: all[0][0], ref: (attr: string) => `\${${type}.${all[0][0]}.${attr}}`, ...all[0][1] } as Record<string, unknown> & { id: string; ref: (attr: string) => string };
};
const aclOf = (json: TerraformJson) => only(json, 'aws_wafv2_web_acl');
const rulesOf = (json: TerraformJson) => aclOf(json).rule as Array<Record<string, any>>;
const ruleOf = (json: TerraformJson, name: string) => {
  const rule = rulesOf(json).find((r) => r.name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
};
const WAF_TYPES = ['aws_wafv2_web_acl', 'aws_wafv2_web_acl_association', 'aws_wafv2_ip_set', 'aws_wafv2_web_acl_logging_configuration', 'aws_cloudwatch_log_resource_policy'];

describe('web ACL', () => {
  test('REGIONAL, default action allow, metrics and sampled requests on, associated with the API stage', () => {
    const acl = aclOf(prod.json);
    expect(acl).toMatchObject({
      name: 'bedrock-gw-prod-waf',
      scope: 'REGIONAL',
      default_action: { allow: {} },
      visibility_config: { cloudwatch_metrics_enabled: true, metric_name: 'bedrock-gw-prod-waf', sampled_requests_enabled: true },
    });
    expect(only(prod.json, 'aws_wafv2_web_acl_association')).toMatchObject({ resource_arn: '${aws_api_gateway_stage.stage.arn}', web_acl_arn: acl.ref('arn') });
  });

  test('every rule has CloudWatch metrics and sampled requests on, under a metric name of its own', () => {
    for (const json of [prod.json, local.json]) {
      const rules = rulesOf(json);
      for (const rule of rules) {
        expect(rule.visibility_config).toEqual({ cloudwatch_metrics_enabled: true, metric_name: expect.stringMatching(new RegExp(`-${rule.name}$`)), sampled_requests_enabled: true });
      }
      expect(new Set(rules.map((r) => r.visibility_config.metric_name)).size).toBe(rules.length);
    }
  });

  test('prod: deny list, blocked countries, IP reputation, both rate limits, known bad inputs, core rules, body size, in that order', () => {
    expect(rulesOf(prod.json).map((r) => [r.priority, r.name])).toEqual([
      [0, 'DenyListedAddresses'],
      [2, 'BlockedCountries'],
      [10, 'AWSManagedRulesAmazonIpReputationList'],
      [20, 'IpRateLimit'],
      [21, 'TokenRateLimit'],
      [30, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [31, 'AWSManagedRulesCommonRuleSet'],
      [40, 'BodySizeLimit'],
    ]);
  });

  test('local (every default): no IP lists or countries, everything else on', () => {
    expect(rulesOf(local.json).map((r) => r.name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'IpRateLimit',
      'TokenRateLimit',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
      'BodySizeLimit',
    ]);
    expect(resourcesOf(local.json, 'aws_wafv2_ip_set')).toEqual({});
  });

  test('per-IP rate rule: limit and window from config, blocked with a 429 ThrottlingException JSON error', () => {
    expect(ruleOf(prod.json, 'IpRateLimit')).toMatchObject({
      statement: { rate_based_statement: { limit: 30000, evaluation_window_sec: 300, aggregate_key_type: 'IP' } },
      action: {
        block: {
          custom_response: { response_code: 429, custom_response_body_key: 'too-many-requests', response_header: [{ name: 'x-amzn-ErrorType', value: 'ThrottlingException' }] },
        },
      },
    });
    expect(aclOf(prod.json).custom_response_body).toContainEqual({
      key: 'too-many-requests',
      content: '{"message":"Too many requests: slow down and retry"}',
      content_type: 'APPLICATION_JSON',
    });
  });

  test('per-token rate rule: aggregates on the Authorization header as sent (custom key, no transformation)', () => {
    expect(ruleOf(prod.json, 'TokenRateLimit').statement).toEqual({
      rate_based_statement: {
        limit: 20000,
        evaluation_window_sec: 300,
        aggregate_key_type: 'CUSTOM_KEYS',
        custom_key: [{ header: { name: 'authorization', text_transformation: [{ priority: 0, type: 'NONE' }] } }],
      },
    });
  });

  test('rate rules in count mode count instead of blocking, and can be switched off', () => {
    const json = devWith({ waf: { ipRateLimit: { action: 'count' }, tokenRateLimit: { enabled: false } } });
    expect(ruleOf(json, 'IpRateLimit').action).toEqual({ count: {} });
    expect(rulesOf(json).map((r) => r.name)).not.toContain('TokenRateLimit');
    // Nothing blocks with a 429 any more, so the web ACL defines no such body.
    expect((aclOf(json).custom_response_body as Array<{ key: string }>).map((b) => b.key)).toEqual(['body-too-large']);
  });

  test('core rule set: SizeRestrictions_BODY counted (prompts exceed its 8 KB), every other rule as AWS ships it', () => {
    expect(ruleOf(prod.json, 'AWSManagedRulesCommonRuleSet')).toMatchObject({
      override_action: { none: {} },
      statement: {
        managed_rule_group_statement: {
          vendor_name: 'AWS',
          name: 'AWSManagedRulesCommonRuleSet',
          rule_action_override: [{ name: 'SizeRestrictions_BODY', action_to_use: { count: {} } }],
        },
      },
    });
    expect(ruleOf(prod.json, 'AWSManagedRulesCommonRuleSet').action).toBeUndefined();
  });

  test('known bad inputs and IP reputation run with their own actions and no overrides; the anonymous IP list is off by default', () => {
    for (const name of ['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList']) {
      expect(ruleOf(prod.json, name)).toMatchObject({ override_action: { none: {} }, statement: { managed_rule_group_statement: { vendor_name: 'AWS', name } } });
      expect(ruleOf(prod.json, name).statement.managed_rule_group_statement.rule_action_override).toBeUndefined();
    }
    expect(rulesOf(prod.json).map((r) => r.name)).not.toContain('AWSManagedRulesAnonymousIpList');
  });

  test('managed groups switched on, off, to count mode and with rule overrides from config', () => {
    const json = devWith({
      waf: {
        managedRuleGroups: {
          AWSManagedRulesAnonymousIpList: { enabled: true },
          AWSManagedRulesAmazonIpReputationList: { enabled: false },
          AWSManagedRulesKnownBadInputsRuleSet: { action: 'count' },
          AWSManagedRulesCommonRuleSet: { ruleActionOverrides: { NoUserAgent_HEADER: 'count' } },
        },
      },
    });
    const names = rulesOf(json).map((r) => r.name);
    expect(names).toContain('AWSManagedRulesAnonymousIpList');
    expect(names).not.toContain('AWSManagedRulesAmazonIpReputationList');
    expect(ruleOf(json, 'AWSManagedRulesKnownBadInputsRuleSet').override_action).toEqual({ count: {} });
    expect(ruleOf(json, 'AWSManagedRulesCommonRuleSet').statement.managed_rule_group_statement.rule_action_override).toEqual([
      { name: 'NoUserAgent_HEADER', action_to_use: { count: {} } },
      { name: 'SizeRestrictions_BODY', action_to_use: { count: {} } },
    ]);
  });

  test('a deny list becomes one IP set per IP version, referenced by a blocking rule', () => {
    const sets = Object.entries(resourcesOf(prod.json, 'aws_wafv2_ip_set')).map(([id, s]) => ({ id, ...s }) as Record<string, unknown> & { id: string });
    expect(sets.map(({ name, scope, ip_address_version, addresses }) => ({ name, scope, ip_address_version, addresses }))).toEqual([
      { name: 'bedrock-gw-prod-deny-ipv4', scope: 'REGIONAL', ip_address_version: 'IPV4', addresses: ['192.0.2.0/24'] },
      { name: 'bedrock-gw-prod-deny-ipv6', scope: 'REGIONAL', ip_address_version: 'IPV6', addresses: ['2001:db8:bad::/48'] },
    ]);
    expect(ruleOf(prod.json, 'DenyListedAddresses')).toMatchObject({
      action: { block: { custom_response: { response_code: 403, response_header: [{ name: 'x-amzn-ErrorType', value: 'AccessDeniedException' }] } } },
      statement: {
        or_statement: {
          statement: sets.map((s) => ({ ip_set_reference_statement: { arn: `\${aws_wafv2_ip_set.${s.id}.arn}` } })),
        },
      },
    });
  });

  test('an allow list blocks every other address, and allowed clients still meet the other rules', () => {
    const both = devWith({ waf: { allowList: ['10.0.0.0/8', '2001:db8::/32'] } });
    const [v4, v6] = Object.keys(resourcesOf(both, 'aws_wafv2_ip_set'));
    expect(ruleOf(both, 'BlockOutsideAllowList')).toMatchObject({
      priority: WAF_RULE_PRIORITIES.BlockOutsideAllowList,
      action: { block: { custom_response: { response_code: 403 } } },
      statement: {
        not_statement: {
          statement: [{ or_statement: { statement: [{ ip_set_reference_statement: { arn: `\${aws_wafv2_ip_set.${v4}.arn}` } }, { ip_set_reference_statement: { arn: `\${aws_wafv2_ip_set.${v6}.arn}` } }] } }],
        },
      },
    });
    // No rule allows outright (that would skip the rate limits and managed rules).
    expect(rulesOf(both).filter((r) => r.action?.allow)).toEqual([]);
    expect(rulesOf(both).map((r) => r.name)).toEqual(expect.arrayContaining(['IpRateLimit', 'TokenRateLimit', 'AWSManagedRulesCommonRuleSet']));

    const v6Only = devWith({ waf: { allowList: ['2001:db8::/32'] } });
    expect(Object.values(resourcesOf(v6Only, 'aws_wafv2_ip_set')).map((s) => [s.name, s.ip_address_version])).toEqual([['bedrock-gw-dev-allow-ipv6', 'IPV6']]);
    expect(ruleOf(v6Only, 'BlockOutsideAllowList').statement).toEqual({
      not_statement: { statement: [{ ip_set_reference_statement: { arn: `\${aws_wafv2_ip_set.${Object.keys(resourcesOf(v6Only, 'aws_wafv2_ip_set'))[0]}.arn}` } }] },
    });
  });

  test('blocked countries: a geo match with the configured codes', () => {
    expect(ruleOf(prod.json, 'BlockedCountries').statement).toEqual({ geo_match_statement: { country_codes: ['KP'] } });
  });

  test('no IP sets, deny rule, allow rule or country rule without the lists', () => {
    expect(resourcesOf(local.json, 'aws_wafv2_ip_set')).toEqual({});
    // Exactly the default rules, in priority order: none of the list rules.
    expect(rulesOf(local.json).map((r) => [r.name, r.priority])).toEqual([
      ['AWSManagedRulesAmazonIpReputationList', 10],
      ['IpRateLimit', 20],
      ['TokenRateLimit', 21],
      ['AWSManagedRulesKnownBadInputsRuleSet', 30],
      ['AWSManagedRulesCommonRuleSet', 31],
      ['BodySizeLimit', 40],
    ]);
    for (const name of ['DenyListedAddresses', 'BlockOutsideAllowList', 'BlockedCountries']) expect(rulesOf(local.json).map((r) => r.name)).not.toContain(name);
  });

  test('nested statements use Terraform snake_case keys only (camelCase would synthesize but fail terraform validate)', () => {
    const keys = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) (keys.add(k), walk(v));
    };
    walk(rulesOf(prod.json));
    walk(rulesOf(devWith({ waf: { allowList: ['10.0.0.0/8', '2001:db8::/32'], bodySizeLimit: { maxBytes: 4096 } } })));
    expect([...keys].filter((k) => !/^[a-z][a-z0-9_]*$/.test(k))).toEqual([]);
  });
});

describe('body-size rule', () => {
  test('default 1 MiB is beyond the 16 KB WAF sees: the declared Content-Length is checked, 413 ValidationException', () => {
    expect(ruleOf(prod.json, 'BodySizeLimit')).toMatchObject({
      action: { block: { custom_response: { response_code: 413, custom_response_body_key: 'body-too-large', response_header: [{ name: 'x-amzn-ErrorType', value: 'ValidationException' }] } } },
      statement: {
        regex_match_statement: {
          regex_string: decimalAbovePattern(1048576),
          field_to_match: { single_header: { name: 'content-length' } },
          text_transformation: [{ priority: 0, type: 'NONE' }],
        },
      },
    });
    expect(aclOf(prod.json).association_config).toBeUndefined();
  });

  test('a limit WAF can see whole: a body size constraint, with oversize MATCH (a body WAF cannot see whole is over the limit)', () => {
    expect(ruleOf(devWith({ waf: { bodySizeLimit: { maxBytes: 16384 } } }), 'BodySizeLimit').statement).toEqual({
      size_constraint_statement: {
        comparison_operator: 'GT',
        size: 16384,
        field_to_match: { body: { oversize_handling: 'MATCH' } },
        text_transformation: [{ priority: 0, type: 'NONE' }],
      },
    });
    expect(ruleOf(devWith({ waf: { bodySizeLimit: { maxBytes: 16385 } } }), 'BodySizeLimit').statement.regex_match_statement).toBeDefined();
  });

  test('a larger inspection size (64 KB) raises what the body rule can see and sets the association config', () => {
    const json = devWith({ waf: { bodyInspectionLimitKb: 64, bodySizeLimit: { maxBytes: 65536 } } });
    expect(aclOf(json).association_config).toEqual({ request_body: [{ api_gateway: { default_size_inspection_limit: 'KB_64' } }] });
    expect(ruleOf(json, 'BodySizeLimit').statement.size_constraint_statement).toMatchObject({ size: 65536, field_to_match: { body: { oversize_handling: 'MATCH' } } });
  });

  test('switched off or to count mode', () => {
    expect(rulesOf(devWith({ waf: { bodySizeLimit: { enabled: false } } })).map((r) => r.name)).not.toContain('BodySizeLimit');
    expect(ruleOf(devWith({ waf: { bodySizeLimit: { action: 'count' } } }), 'BodySizeLimit').action).toEqual({ count: {} });
  });

  test('the Content-Length pattern matches exactly the numbers above the limit', () => {
    for (const limit of [0, 1, 9, 10, 99, 100, 1009, 16384, 65535, 99999, 1048576, 10485760]) {
      const pattern = new RegExp(decimalAbovePattern(limit));
      const probes = new Set([0, 1, limit - 11, limit - 10, limit - 1, limit, limit + 1, limit + 9, limit + 10, limit + 100, limit * 10, limit * 10 + 1, 10 ** String(limit).length, 10 ** String(limit).length - 1]);
      for (let i = 0; i < 200; i++) probes.add(Math.floor(Math.random() * (limit * 3 + 20)));
      for (const n of [...probes].filter((x) => x >= 0)) {
        expect([limit, n, pattern.test(String(n))]).toEqual([limit, n, n > limit]);
        expect([limit, `00${n}`, pattern.test(`00${n}`)]).toEqual([limit, `00${n}`, n > limit]);
      }
      for (const junk of ['', '-5', '1e9', ' 99999999', '99999999 ', '0x100000', '12a']) expect([limit, junk, pattern.test(junk)]).toEqual([limit, junk, false]);
      expect(decimalAbovePattern(limit).length).toBeLessThanOrEqual(512);
    }
  });
});

describe('WAF logging', () => {
  test('log group aws-waf-logs-<prefix> with the environment retention; WAF delivers only to such names', () => {
    const groups = Object.values(resourcesOf(prod.json, 'aws_cloudwatch_log_group')).filter((g) => String(g.name).startsWith('aws-waf-logs-'));
    expect(groups).toEqual([expect.objectContaining({ name: 'aws-waf-logs-bedrock-gw-prod', retention_in_days: 365 })]);
  });

  test('logging configuration: to that log group, authorization header redacted, only blocked and counted requests kept', () => {
    const logGroup = Object.entries(resourcesOf(prod.json, 'aws_cloudwatch_log_group')).find(([, g]) => g.name === 'aws-waf-logs-bedrock-gw-prod')![0];
    expect(only(prod.json, 'aws_wafv2_web_acl_logging_configuration')).toMatchObject({
      resource_arn: aclOf(prod.json).ref('arn'),
      log_destination_configs: [`\${aws_cloudwatch_log_group.${logGroup}.arn}`],
      redacted_fields: [{ single_header: { name: 'authorization' } }],
      logging_filter: {
        default_behavior: 'DROP',
        filter: [
          {
            behavior: 'KEEP',
            requirement: 'MEETS_ANY',
            condition: [{ action_condition: { action: 'BLOCK' } }, { action_condition: { action: 'COUNT' } }, { action_condition: { action: 'EXCLUDED_AS_COUNT' } }],
          },
        ],
      },
    });
  });

  test('log delivery policy: delivery.logs may write this log group only, from this account only', () => {
    const policy = only(prod.json, 'aws_cloudwatch_log_resource_policy');
    const logGroup = Object.entries(resourcesOf(prod.json, 'aws_cloudwatch_log_group')).find(([, g]) => g.name === 'aws-waf-logs-bedrock-gw-prod')![0];
    expect(policy.policy_name).toBe('bedrock-gw-prod-waf-log-delivery');
    const dataRef = (type: string, attr: string) => `\${data.${type}.${Object.keys(prod.json.data![type])[0]}.${attr}}`;
    const account = dataRef('aws_caller_identity', 'account_id');
    const doc = JSON.parse(policy.policy_document as string);
    expect(doc.Statement).toEqual([
      {
        Sid: 'WafLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `\${aws_cloudwatch_log_group.${logGroup}.arn}:*`,
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:${dataRef('aws_partition', 'partition')}:logs:us-west-2:${account}:*` },
          StringEquals: { 'aws:SourceAccount': account },
        },
      },
    ]);
    expect(only(prod.json, 'aws_wafv2_web_acl_logging_configuration').depends_on).toEqual([policy.ref('id').replace(/^\$\{(.*)\.id\}$/, '$1')]);
  });

  test('keep "all" logs every request; keep "blocked" only blocks', () => {
    expect(only(devWith({ waf: { logging: { keep: 'all' } } }), 'aws_wafv2_web_acl_logging_configuration').logging_filter).toBeUndefined();
    expect(only(devWith({ waf: { logging: { keep: 'blocked' } } }), 'aws_wafv2_web_acl_logging_configuration').logging_filter).toEqual({
      default_behavior: 'DROP',
      filter: [{ behavior: 'KEEP', requirement: 'MEETS_ANY', condition: [{ action_condition: { action: 'BLOCK' } }] }],
    });
  });

  test('logging off: no log group, no delivery policy, no logging configuration, but the web ACL', () => {
    const json = devWith({ waf: { logging: { enabled: false } } });
    expect(Object.values(resourcesOf(json, 'aws_cloudwatch_log_group')).map((g) => g.name).filter((n) => String(n).startsWith('aws-waf-logs-'))).toEqual([]);
    expect(resourcesOf(json, 'aws_cloudwatch_log_resource_policy')).toEqual({});
    expect(resourcesOf(json, 'aws_wafv2_web_acl_logging_configuration')).toEqual({});
    expect(Object.keys(resourcesOf(json, 'aws_wafv2_web_acl'))).toHaveLength(1);
  });
});

describe('WAF off', () => {
  test.each([
    ['no edge section (dev)', dev.json],
    ['edge.waf.enabled false', devWith({ waf: { enabled: false, allowList: ['10.0.0.0/8'] } })],
    ['only a domain', devWith({ domain: { name: 'dev.ai.example.com', hostedZone: { name: 'example.com' } } })],
  ])('%s: no web ACL, association, IP set, logging, WAF log group or web_acl_arn output', (_, json) => {
    for (const type of WAF_TYPES) expect([type, resourcesOf(json, type)]).toEqual([type, {}]);
    expect(Object.values(resourcesOf(json, 'aws_cloudwatch_log_group')).map((g) => g.name).filter((n) => String(n).startsWith('aws-waf-logs-'))).toEqual([]);
    expect(json.output.web_acl_arn).toBeUndefined();
  });

  test('WAF on: web_acl_arn output with a description', () => {
    expect(prod.json.output.web_acl_arn).toEqual({ description: 'ARN of the WAF web ACL associated with the stage', value: aclOf(prod.json).ref('arn') });
  });
});
