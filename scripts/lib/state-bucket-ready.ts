/**
 * The gateway stack only needs its state bucket to exist with versioning on. Provider 5.100
 * then spends about a minute settling the bucket's lifecycle rule; waiting for this instead
 * of the whole state-stack apply lets the two applies overlap.
 */
import { GetBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { EMULATOR_SDK_CREDENTIALS } from './moto';

export function emulatorS3Client(endpoint: string, region: string): S3Client {
  return new S3Client({ endpoint, region, forcePathStyle: true, credentials: { ...EMULATOR_SDK_CREDENTIALS } });
}

/** Resolves once `bucket` exists with versioning enabled; rejects as soon as `failed` rejects, or after `timeoutMs`. */
export async function waitForVersionedBucket(s3: S3Client, bucket: string, failed: Promise<unknown>, timeoutMs = 120_000): Promise<void> {
  let error: unknown;
  failed.catch((err) => (error = err ?? new Error('state stack apply failed')));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (error) throw error;
    try {
      const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      if (versioning.Status === 'Enabled') return;
    } catch {
      // The bucket does not exist yet.
    }
    if (Date.now() > deadline) throw new Error(`state bucket ${bucket} was not created with versioning within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
