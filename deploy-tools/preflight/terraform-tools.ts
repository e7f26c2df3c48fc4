/** Terraform on PATH (>= 1.10 for S3 native locking) and the AWS provider version the stacks pin. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { providerMirrorDir, TERRAFORM_HINT } from '../../scripts/lib/terraform';
import type { StackJson } from '../synthesized-stacks';
import { cannotCheck, fail, pass, type CheckResult } from './check';

/** `use_lockfile` (S3 native state locking) arrived in Terraform 1.10. */
export const MINIMUM_TERRAFORM = [1, 10] as const;

export function checkTerraformCli(env: NodeJS.ProcessEnv = process.env): CheckResult {
  const title = `Terraform >= ${MINIMUM_TERRAFORM.join('.')} on PATH`;
  const run = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: { ...env, CHECKPOINT_DISABLE: '1' } });
  if (run.error || run.status !== 0) return fail('terraform.cli', title, 'terraform not found on PATH', TERRAFORM_HINT);
  const version = (JSON.parse(run.stdout) as { terraform_version: string }).terraform_version;
  const [major, minor] = version.split('.').map(Number);
  const ok = major > MINIMUM_TERRAFORM[0] || (major === MINIMUM_TERRAFORM[0] && minor >= MINIMUM_TERRAFORM[1]);
  return ok ? pass('terraform.cli', title, `Terraform ${version}`) : fail('terraform.cli', title, `Terraform ${version} lacks S3 native locking (use_lockfile)`, TERRAFORM_HINT);
}

/** The provider version the synthesized stack requires (cdktf writes it from @cdktf/provider-aws). */
export function requiredAwsProvider(stack: StackJson): string {
  const version = stack.terraform?.required_providers?.aws?.version;
  if (!version) throw new Error('the synthesized stack names no hashicorp/aws version');
  return version;
}

export function checkProvider(stack: StackJson, env: NodeJS.ProcessEnv = process.env): CheckResult {
  const version = requiredAwsProvider(stack);
  const title = `provider hashicorp/aws ${version} available`;
  let mirror: string | undefined;
  try {
    mirror = providerMirrorDir(env);
  } catch (err) {
    return fail('terraform.provider', title, (err as Error).message, 'point GATEWAY_PROVIDER_MIRROR at an unpacked provider mirror, or unset it to use the registry');
  }
  if (!mirror) {
    return cannotCheck(
      'terraform.provider',
      title,
      'no filesystem mirror configured: `terraform init` downloads it from registry.terraform.io (preflight does not contact the registry)',
      'allow HTTPS to registry.terraform.io and releases.hashicorp.com, or set GATEWAY_PROVIDER_MIRROR (docs/contributing.md#the-provider-mirror)',
    );
  }
  const dir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', version);
  const platforms = existsSync(dir) ? readdirSync(dir) : [];
  return platforms.length > 0
    ? pass('terraform.provider', title, `filesystem mirror ${mirror} (${platforms.join(', ')})`)
    : fail('terraform.provider', title, `mirror ${mirror} has no hashicorp/aws ${version}`, `add ${dir}/<os>_<arch>/ to the mirror (terraform providers mirror ${mirror}), or set GATEWAY_PROVIDER_MIRROR to one that has it`);
}
