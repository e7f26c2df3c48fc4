/**
 * Where a sharded environment's authorizer reads its tenant tables: the bucket its core stack owns
 * (`GATEWAY_TENANT_TABLE_BUCKET`, set by the stack), in the function's region (`AWS_REGION`), with
 * the function role's credentials from the Lambda environment. `GATEWAY_S3_ENDPOINT` points it at a
 * loopback emulator (the local gateway, tests): never set by the stack, refused unless loopback.
 */
import { loopbackEndpointOverride } from '../shared/loopback-endpoint';
import { getS3Object, type AwsCredentials } from './s3-object';
import type { TenantTableFetch } from './sharded-tenant-tables';

export const TENANT_TABLE_BUCKET_ENV = 'GATEWAY_TENANT_TABLE_BUCKET';
export const S3_ENDPOINT_ENV = 'GATEWAY_S3_ENDPOINT';

/**
 * The fetch bound to the environment's bucket. Everything is read once, at cold start (Lambda sets
 * the role's credentials for the life of the execution environment); a missing bucket or region,
 * or an endpoint override that is not loopback, fails the cold start.
 */
export function tenantTableFetchFromEnvironment(env: NodeJS.ProcessEnv, timeoutMs: number): TenantTableFetch {
  const bucket = env[TENANT_TABLE_BUCKET_ENV];
  const region = env.AWS_REGION;
  if (!bucket) throw new Error(`${TENANT_TABLE_BUCKET_ENV} is not set: the sharded tenant tables have no bucket`);
  if (!region) throw new Error('AWS_REGION is not set: the sharded tenant tables have no region');
  const endpoint = loopbackEndpointOverride(S3_ENDPOINT_ENV, env[S3_ENDPOINT_ENV]);
  const credentials: AwsCredentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
  const location = { bucket, region, ...(endpoint !== undefined ? { endpoint } : {}) };
  return (key, ifNoneMatch) => {
    if (credentials.accessKeyId === '' || credentials.secretAccessKey === '') return Promise.reject(new Error('no credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)'));
    return getS3Object(location, key, { credentials: () => credentials, timeoutMs, ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) });
  };
}
