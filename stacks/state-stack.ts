/**
 * Bootstrap stack: the S3 bucket(s) the gateway stacks keep their state in.
 *
 * One stack per distinct state bucket (environments that share a bucket share its stack),
 * because a bucket is one resource with one owner, whatever the number of environments
 * whose state keys it holds. The stack keeps its own state in a local file: it must exist
 * before the bucket it creates ("bootstrap once"; see docs/local-deploy.md).
 */
import * as path from 'node:path';
import { App, Aspects, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { GatewayConfig } from '../gateway-config/schema';
import { emulatorProviderSettings, PROJECT_TAG } from './constructs/provider-and-backend';
import { DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS, StateBucket } from './constructs/state-bucket';
import { GatewayPolicyAspect } from './policy/pack';
import { bucketTlsOnly } from './policy/rules/bucket-tls-only';

/** Where bootstrap stacks keep their local state unless told otherwise (gitignored). */
export const BOOTSTRAP_STATE_DIR = path.join(__dirname, '..', '.local', 'bootstrap');

/** One state bucket, as the environments using it configure it. */
export interface StateBucketTarget {
  readonly bucket: string;
  readonly region: string;
  readonly kmsKeyId?: string;
  readonly noncurrentVersionExpirationDays: number;
  /** Set when the bucket lives on a local AWS API emulator. */
  readonly emulatorEndpoint?: string;
  /** Environments whose state the bucket holds. */
  readonly environments: readonly string[];
}

/** The stack id of a state bucket's bootstrap stack: `state-<bucket>`. */
export function stateStackId(target: Pick<StateBucketTarget, 'bucket'>): string {
  return `state-${target.bucket}`;
}

/**
 * Groups the environments with an S3 backend by state bucket. That environments sharing a
 * bucket agree on its settings is checked once, at config validation (`validate.ts`).
 */
export function stateBucketTargets(config: GatewayConfig): StateBucketTarget[] {
  const targets = new Map<string, StateBucketTarget>();
  for (const environment of config.environments) {
    const state = environment.state;
    if (state.backend !== 's3') continue;
    const target: StateBucketTarget = {
      bucket: state.bucket,
      region: state.region ?? environment.region,
      ...(state.kmsKeyId ? { kmsKeyId: state.kmsKeyId } : {}),
      noncurrentVersionExpirationDays: state.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS,
      ...(environment.emulator ? { emulatorEndpoint: environment.emulator.endpoint } : {}),
      environments: [environment.name],
    };
    const existing = targets.get(state.bucket);
    targets.set(state.bucket, existing ? { ...existing, environments: [...existing.environments, environment.name] } : target);
  }
  return [...targets.values()];
}

export interface StateStackProps {
  readonly target: StateBucketTarget;
  /**
   * The stack's own local state file. Relative paths are resolved by Terraform from the
   * stack's directory (`<outdir>/stacks/<id>`); `terraform init -backend-config=path=...`
   * overrides it. @default `.local/bootstrap/<id>.tfstate` in the project, as a relative path
   */
  readonly statePath?: string;
}

export class StateStack extends TerraformStack {
  readonly stateBucket: StateBucket;
  /** The rule pack run over this stack at synth (versioned, encrypted, private, TLS-only bucket). */
  readonly policy = new GatewayPolicyAspect();

  constructor(scope: Construct, id: string, { target, statePath }: StateStackProps) {
    super(scope, id);
    const emulator = target.emulatorEndpoint;
    new AwsProvider(this, 'aws', {
      region: target.region,
      defaultTags: [{ tags: { project: PROJECT_TAG, purpose: 'terraform-state', 'managed-by': 'cdktf' } }],
      ...(emulator ? emulatorProviderSettings(emulator) : {}),
    });
    // Relative to the stack directory, so the synthesized JSON is the same on every machine.
    const stackDir = path.resolve(App.of(this).outdir, 'stacks', id);
    new LocalBackend(this, { path: statePath ?? path.relative(stackDir, path.join(BOOTSTRAP_STATE_DIR, `${id}.tfstate`)) });

    this.stateBucket = new StateBucket(this, 'state-bucket', {
      bucketName: target.bucket,
      ...(target.kmsKeyId ? { kmsKeyId: target.kmsKeyId } : {}),
      noncurrentVersionExpirationDays: target.noncurrentVersionExpirationDays,
      // An emulator is thrown away with its buckets; in AWS the bucket outlives any one run.
      preventDestroy: emulator === undefined,
      // moto enforces bucket policies and its endpoint is plain HTTP: TLS-only would lock Terraform out.
      denyInsecureTransport: emulator === undefined,
    });

    Aspects.of(this).add(this.policy);
    if (emulator) {
      this.policy.suppress(bucketTlsOnly.id, this.stateBucket.bucket, 'emulator state bucket: moto enforces bucket policies and its endpoint is plain http://, so a TLS-only policy would lock Terraform out');
    }

    new TerraformOutput(this, 'state_bucket_name', { description: 'Name of the Terraform state bucket', value: this.stateBucket.bucket.bucket });
    new TerraformOutput(this, 'state_bucket_arn', { description: 'ARN of the Terraform state bucket', value: this.stateBucket.bucket.arn });
    new TerraformOutput(this, 'state_bucket_environments', {
      description: 'Environments whose state this bucket holds',
      value: [...target.environments],
    });
  }
}
