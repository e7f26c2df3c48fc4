/** Lambda entry point: the environment's settings are bundled in at synth. */
import settings from 'gateway:authorizer-settings';
import { createHandler } from './handler';
import { isShardedTenantTables } from './sharded-tenant-tables';
import { tenantTableFetchFromEnvironment } from './tenant-table-bucket';

// Sharded environments read each shard's tenant table from S3 on first need, not at cold start.
export const handler = createHandler(
  settings,
  isShardedTenantTables(settings.tenants) ? { fetchTenantTable: tenantTableFetchFromEnvironment(process.env, settings.jwksTimeoutMs) } : {},
);
