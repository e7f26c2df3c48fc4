/**
 * The gateway's AWS WAF web ACL: REGIONAL, default action allow, associated with the API stage,
 * with the rules of `waf-rules.ts`, IP sets for the allow and deny lists (one per IP version, as
 * WAF requires), and logging to CloudWatch Logs with the `authorization` header redacted.
 *
 * Floods and known-bad requests are stopped here before they cost an authorizer invocation.
 * CloudWatch metrics and sampled requests are on for the web ACL and every rule.
 */
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { Wafv2IpSet } from '@cdktf/provider-aws/lib/wafv2-ip-set';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { parseCidr, type Cidr } from '../../gateway-config/cidr';
import type { WafSettings } from '../../gateway-config/edge-schema';
import { AUTHORIZATION_HEADER, buildWafRules, wafResponseBodies, type WafRule } from './waf-rules';

/** WAF only delivers logs to destinations whose name starts with this (WAF API reference, LoggingConfiguration). */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';

export function webAclName(namePrefix: string): string {
  return `${namePrefix}-waf`;
}

export function wafLogGroupName(namePrefix: string): string {
  return `${WAF_LOG_GROUP_PREFIX}${namePrefix}`;
}

/** Rule actions each `logging.keep` setting logs; EXCLUDED_AS_COUNT is a managed rule overridden to count. */
export const WAF_LOGGED_ACTIONS = {
  'blocked-and-counted': ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'],
  blocked: ['BLOCK'],
  all: undefined,
} as const;

export interface GatewayWebAclProps {
  /** Resource names start with it (`<prefix>-waf`, `aws-waf-logs-<prefix>`, IP sets). */
  readonly namePrefix: string;
  readonly waf: WafSettings;
  /** ARN of the API stage the web ACL protects. */
  readonly stageArn: string;
  /** Days; applies to the WAF log group. */
  readonly logRetentionDays: number;
  /** For the log delivery policy's conditions; may be Terraform tokens. */
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
}

export class GatewayWebAcl extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly association: Wafv2WebAclAssociation;
  /** Keyed `allow-ipv4`, `allow-ipv6`, `deny-ipv4`, `deny-ipv6`; only lists with addresses of that version. */
  readonly ipSets = new Map<string, Wafv2IpSet>();
  readonly rules: readonly WafRule[];
  /** Absent when `waf.logging.enabled` is false. */
  readonly logGroup?: CloudwatchLogGroup;
  readonly loggingConfiguration?: Wafv2WebAclLoggingConfiguration;

  constructor(scope: Construct, id: string, props: GatewayWebAclProps) {
    super(scope, id);
    const { waf, namePrefix } = props;
    const name = webAclName(namePrefix);

    const ipSetArns = { allow: this.addIpSets('allow', waf.allowList ?? [], namePrefix), deny: this.addIpSets('deny', waf.denyList ?? [], namePrefix) };
    const { rules, responses } = buildWafRules(waf, ipSetArns, namePrefix);
    this.rules = rules;

    this.webAcl = new Wafv2WebAcl(this, 'web-acl', {
      name,
      description: `bedrock-ai-gateway: rate limits, IP lists and AWS managed rules in front of ${namePrefix}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
      customResponseBody: wafResponseBodies(responses),
      // Typed rules (so the HCL exit renders them as blocks); each statement stays Terraform JSON
      // (snake_case), exactly as built and tested: the provider types it loosely.
      rule: rules.map(typedRule),
      // Larger bodies reach WAF only when asked for (and billed); 16 KB is API Gateway's default.
      ...(waf.bodyInspectionLimitKb > 16
        ? { associationConfig: { requestBody: [{ apiGateway: { defaultSizeInspectionLimit: `KB_${waf.bodyInspectionLimitKb}` } }] } }
        : {}),
    });

    this.association = new Wafv2WebAclAssociation(this, 'association', { resourceArn: props.stageArn, webAclArn: this.webAcl.arn });

    if (waf.logging.enabled) {
      this.logGroup = new CloudwatchLogGroup(this, 'logs', { name: wafLogGroupName(namePrefix), retentionInDays: props.logRetentionDays });
      // WAF would otherwise add this log group to one account-wide policy (AWSWAF-LOGS) that
      // eventually outgrows the policy size limit; a policy of our own grants log delivery for
      // this group only, from this account only.
      const delivery = new CloudwatchLogResourcePolicy(this, 'log-delivery-policy', {
        policyName: `${namePrefix}-waf-log-delivery`,
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'WafLogDelivery',
              Effect: 'Allow',
              Principal: { Service: 'delivery.logs.amazonaws.com' },
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `${this.logGroup.arn}:*`,
              Condition: {
                ArnLike: { 'aws:SourceArn': `arn:${props.partition}:logs:${props.region}:${props.accountId}:*` },
                StringEquals: { 'aws:SourceAccount': props.accountId },
              },
            },
          ],
        }),
      });
      const kept = WAF_LOGGED_ACTIONS[waf.logging.keep];
      this.loggingConfiguration = new Wafv2WebAclLoggingConfiguration(this, 'logging', {
        resourceArn: this.webAcl.arn,
        logDestinationConfigs: [this.logGroup.arn],
        // Bearer tokens never reach the logs.
        redactedFields: [{ singleHeader: { name: AUTHORIZATION_HEADER } }],
        ...(kept
          ? {
              loggingFilter: {
                defaultBehavior: 'DROP',
                filter: [{ behavior: 'KEEP', requirement: 'MEETS_ANY', condition: kept.map((action) => ({ actionCondition: { action } })) }],
              },
            }
          : {}),
        dependsOn: [delivery],
      });
    }
  }

  /** One IP set per IP version present in `entries`; returns their ARNs (IPv4 first). */
  private addIpSets(list: 'allow' | 'deny', entries: readonly string[], namePrefix: string): string[] {
    const cidrs = entries.map((e) => parseCidr(e)).flatMap((r) => (r.ok ? [r.cidr] : []));
    const arns: string[] = [];
    for (const version of ['IPV4', 'IPV6'] as const) {
      const addresses = cidrs.filter((c: Cidr) => c.version === version).map((c) => c.text);
      if (addresses.length === 0) continue;
      const key = `${list}-${version.toLowerCase()}`;
      const set = new Wafv2IpSet(this, key, {
        name: `${namePrefix}-${key}`,
        description: `bedrock-ai-gateway ${list} list (${version === 'IPV4' ? 'IPv4' : 'IPv6'})`,
        scope: 'REGIONAL',
        ipAddressVersion: version,
        addresses,
      });
      this.ipSets.set(key, set);
      arns.push(set.arn);
    }
    return arns;
  }
}

/** A rule built as Terraform JSON, as the provider's typed `rule` block; `statement` passes through as written. */
export function typedRule(rule: WafRule): Wafv2WebAclRule {
  const { statement, ...typed } = rule as unknown as Record<string, unknown>;
  return { ...(camelCaseKeys(typed) as unknown as Wafv2WebAclRule), ...(statement !== undefined ? { statement } : {}) };
}

function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelCaseKeys(v)]));
}
