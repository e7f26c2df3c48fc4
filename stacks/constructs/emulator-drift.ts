/**
 * Emulator-only: attributes the emulator (moto 5.2) accepts on create but never returns on
 * read. Terraform would plan to set them again on every run, so a deploy could never be shown
 * idempotent. In emulator environments their drift is ignored; AWS stacks are unchanged and
 * the attributes are still sent on create.
 */
import { Aspects, TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';

/** Terraform resource type -> attributes the emulator does not read back. */
export const EMULATOR_UNREAD_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  // moto's GetAuthorizer omits identityValidationExpression.
  aws_api_gateway_authorizer: ['identity_validation_expression'],
  // moto's GetFunction omits LoggingConfig.
  aws_lambda_function: ['logging_config'],
};

class IgnoreEmulatorDrift implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const attributes = EMULATOR_UNREAD_ATTRIBUTES[node.terraformResourceType];
    if (attributes) node.addOverride('lifecycle.ignore_changes', [...attributes]);
  }
}

/** Adds `lifecycle.ignore_changes` for `EMULATOR_UNREAD_ATTRIBUTES` to every matching resource under `scope`. */
export function ignoreEmulatorDrift(scope: IConstruct): void {
  Aspects.of(scope).add(new IgnoreEmulatorDrift());
}
