/**
 * The gateway's rule pack, run over every resource at synth by `GatewayPolicyAspect`.
 * A finding becomes a validation error of the resource: synth stops and prints it
 * (aspects run before validations, in `cdktf synth` and in `Testing.synth(stack, true)` alike).
 */
import { TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { PolicyRule, ResourceUnderTest } from './rule';
import { apiMethodAuthorized } from './rules/api-method-authorized';
import { authorizerCacheTtl } from './rules/authorizer-cache-ttl';
import { iamNoStarResource } from './rules/iam-no-star-resource';
import { iamNoWildcardActions } from './rules/iam-no-wildcard-actions';
import { logRetention } from './rules/log-retention';
import { wafLogsRedactAuthorization } from './rules/waf-logs-redact-authorization';

export const GATEWAY_RULES: readonly PolicyRule[] = [iamNoWildcardActions, iamNoStarResource, apiMethodAuthorized, authorizerCacheTtl, logRetention, wafLogsRedactAuthorization];

/** The resource's synthesized configuration, as the rules read it. */
export function resourceUnderTest(resource: TerraformResource): ResourceUnderTest {
  const synthesized = resource.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const config = synthesized.resource[resource.terraformResourceType][resource.friendlyUniqueId];
  return { type: resource.terraformResourceType, config };
}

export class GatewayPolicyAspect implements IAspect {
  constructor(private readonly rules: readonly PolicyRule[] = GATEWAY_RULES) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const resource = resourceUnderTest(node);
    const findings = this.rules.flatMap((rule) => {
      const result = rule.evaluate(resource);
      return result.status === 'non-compliant' ? [`[${rule.id}] ${rule.info} ${result.finding}. ${rule.explanation}`] : [];
    });
    if (findings.length > 0) node.node.addValidation({ validate: () => findings });
  }
}
