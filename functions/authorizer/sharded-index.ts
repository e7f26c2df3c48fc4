/**
 * Lambda entry point of a sharded environment's authorizer: the settings are bundled in at synth,
 * the tenant table is not; each shard's table is read from S3 on first need
 * (`./sharded-tenant-tables.ts`), never at cold start. A separate entry, so that unsharded
 * bundles carry no S3 code.
 */
import settings from 'gateway:authorizer-settings';
import { createHandler } from './handler';
import { shardedTenantLookup } from './sharded-tenant-tables';
import { tenantTableFetchFromEnvironment } from './tenant-table-bucket';

export const handler = createHandler(settings, { tenants: shardedTenantLookup(settings, tenantTableFetchFromEnvironment(process.env, settings.jwksTimeoutMs)) });
