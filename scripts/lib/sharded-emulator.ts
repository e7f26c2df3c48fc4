/**
 * Steps of a sharded environment's deployment to the emulator, shared by `npm run
 * bench:shards-emulator` and the sharded emulator test (moved out of bench/shards-emulator.ts):
 * a config directory written from a config input, the state bucket created by SDK (the gateway
 * stacks need only the bucket, versioned; the bootstrap stack's apply takes a minute longer), and
 * `terraform plan -detailed-exitcode` read as changes or none.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { SECTION_FILES } from '../../gateway-config/load';
import type { GatewayConfigInput } from '../../gateway-config/schema';
import { TF_FLAGS } from './local-deploy';
import { emulatorS3Client } from './state-bucket-ready';
import { runTerraform } from './terraform';

/** Writes `input` as a config directory (one JSON file per section) and returns it. */
export function writeConfigDir(dir: string, input: GatewayConfigInput): string {
  mkdirSync(dir, { recursive: true });
  for (const [section, base] of Object.entries(SECTION_FILES)) writeFileSync(path.join(dir, `${base}.json`), JSON.stringify(input[section as keyof GatewayConfigInput], null, 2));
  return dir;
}

/** Creates a versioned state bucket on the emulator, as the bootstrap stack would. */
export async function createEmulatorStateBucket(endpoint: string, region: string, bucket: string): Promise<void> {
  const s3 = emulatorS3Client(endpoint, region);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  } finally {
    s3.destroy();
  }
}

export interface PlanOutcome {
  /** `terraform plan -detailed-exitcode`: 0 no changes, 2 changes. */
  readonly exitCode: 0 | 2;
  /** The plan's summary line (`Plan: 2 to add, 1 to change, 0 to destroy.`), or `no changes`. */
  readonly summary: string;
}

/** `terraform plan -detailed-exitcode` (refreshing, no lock); fails with Terraform's output on an error. */
export async function planDetailed(dir: string): Promise<PlanOutcome> {
  const result = await runTerraform(dir, ['plan', '-detailed-exitcode', ...TF_FLAGS, '-lock=false']);
  if (result.code !== 0 && result.code !== 2) throw new Error(`terraform plan failed in ${dir} (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
  const summary = /Plan: .*/.exec(result.stdout)?.[0] ?? (result.stdout.includes('No changes.') ? 'no changes' : result.stdout.slice(-400));
  return { exitCode: result.code, summary };
}
