/**
 * The JWT Lambda TOKEN authorizer: the function (bundled with this environment's tenant
 * table), its API Gateway authorizer and the permission for exactly this API's authorizers
 * to invoke it.
 */
import { Construct } from 'constructs';
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import * as path from 'node:path';
import type { AuthorizerSettings } from '../../functions/authorizer/settings';
import { TENANT_TABLE_BUCKET_ENV } from '../../functions/authorizer/tenant-table-bucket';
import { AWS_LIMITS } from '../../gateway-config/schema';
import { NodejsFunction } from './nodejs-function';
import type { TenantTableBucket } from './tenant-table-bucket';

export const AUTHORIZER_ENTRY = path.join(__dirname, '..', '..', 'functions', 'authorizer', 'index.ts');
/** The entry of a sharded environment's authorizer, which reads its tenant tables from S3. */
export const SHARDED_AUTHORIZER_ENTRY = path.join(__dirname, '..', '..', 'functions', 'authorizer', 'sharded-index.ts');
/**
 * API Gateway refuses (401) anything that is not a Bearer JWT before invoking the function.
 * The scheme is case-insensitive (RFC 7235), as in the function itself.
 */
export const BEARER_JWT_PATTERN = '^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$';

export interface JwtAuthorizerProps {
  readonly api: ApiGatewayRestApi;
  readonly namePrefix: string;
  readonly settings: AuthorizerSettings;
  /** @default 300 */
  readonly cacheTtlSeconds?: number;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
  /** X-Ray active tracing of the function. @default false */
  readonly tracing?: boolean;
  /**
   * Sharded environments: the bucket the function reads tenant tables from (`settings.tenants`
   * then says how many shards): its name in the function's environment, and `s3:GetObject` on
   * the tables only. @default none (the table is in the bundle)
   */
  readonly tenantTables?: TenantTableBucket;
}

export class JwtAuthorizer extends Construct {
  readonly fn: NodejsFunction;
  readonly authorizer: ApiGatewayAuthorizer;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    const ttl = props.cacheTtlSeconds ?? 300;
    if (ttl < 0 || ttl > AWS_LIMITS.authorizerCacheTtlSeconds) {
      throw new Error(`JwtAuthorizer cacheTtlSeconds must be between 0 and ${AWS_LIMITS.authorizerCacheTtlSeconds} seconds, got ${ttl}`);
    }
    this.fn = new NodejsFunction(this, 'function', {
      entry: props.tenantTables ? SHARDED_AUTHORIZER_ENTRY : AUTHORIZER_ENTRY,
      // The signer's ES module build, which esbuild tree-shakes (about 15 KB instead of 140 KB).
      ...(props.tenantTables ? { mainFields: ['module', 'main'] } : {}),
      jsonModules: { 'gateway:authorizer-settings': props.settings },
      functionName: `${props.namePrefix}-authorizer`,
      description: 'Verifies Bearer JWTs and maps them to a tenant, its API key and its models',
      memorySize: props.memorySizeMb,
      timeout: props.timeoutSeconds,
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing ?? false,
      ...(props.tenantTables ? { environment: { [TENANT_TABLE_BUCKET_ENV]: props.tenantTables.bucket.bucket } } : {}),
    });
    if (props.tenantTables) {
      new IamRolePolicy(this, 'tenant-tables-policy', {
        name: 'read-tenant-tables',
        role: this.fn.role.name,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: props.tenantTables.tablesArn }],
        }),
      });
    }
    this.authorizer = new ApiGatewayAuthorizer(this, 'authorizer', {
      name: `${props.namePrefix}-jwt`,
      restApiId: props.api.id,
      type: 'TOKEN',
      authorizerUri: this.fn.function.invokeArn,
      identitySource: 'method.request.header.Authorization',
      identityValidationExpression: BEARER_JWT_PATTERN,
      authorizerResultTtlInSeconds: ttl,
    });
    new LambdaPermission(this, 'invoke-permission', {
      statementId: 'AllowThisApiAuthorizer',
      action: 'lambda:InvokeFunction',
      functionName: this.fn.function.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${props.api.executionArn}/authorizers/${this.authorizer.id}`,
    });
  }
}
