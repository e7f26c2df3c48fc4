/**
 * One environment of the gateway. Composes the constructs; holds no logic of its own
 * beyond wiring and outputs.
 */
import { createHash } from 'node:crypto';
import { Annotations, Aspects, Fn, Lazy, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { GATEWAY_ROUTES, resolvedForwarder, resourceNamePrefix, restApiName, stageNameOf } from '../gateway-config/derive';
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { buildAuthorizerSettings, buildForwarderSettings } from '../gateway-config/tenant-table';
import { publishesTenantTables, shardCount } from '../gateway-config/tenant-shards';
import { AccountFacts } from './constructs/account-facts';
import { JwtAuthorizer } from './constructs/authorizer';
import { BedrockIntegration } from './constructs/bedrock-integration';
import { CustomDomain } from './constructs/custom-domain';
import { ignoreEmulatorDrift } from './constructs/emulator-drift';
import { GatewayResponses } from './constructs/gateway-responses';
import { BedrockForwarder } from './constructs/lambda-forwarder';
import { GatewayObservability } from './constructs/observability';
import { configureBackend, configureProvider } from './constructs/provider-and-backend';
import { GatewayRestApi } from './constructs/rest-api';
import { TenantPlans } from './constructs/tenant-plans';
import { TenantTableBucket } from './constructs/tenant-table-bucket';
import { meteringResourceNames, TokenBudgetResources } from './constructs/token-budgets';
import { bucketTlsOnly } from './policy/rules/bucket-tls-only';
import { buildMeteringSettings, hasBudgets } from '../gateway-config/budgets';
import { GatewayWebAcl, webAclName } from './constructs/web-acl';
import { GatewayPolicyAspect } from './policy/pack';

/** Output of the core stack that tenant shard stacks read: tier name -> usage plan id. */
export const TIER_PLAN_IDS_OUTPUT = 'tier_usage_plan_ids';
/** Output of the core stack that tenant shard stacks read: the bucket they publish their tenant tables to. */
export const TENANT_TABLE_BUCKET_OUTPUT = 'tenant_table_bucket';

export interface GatewayStackProps {
  readonly config: GatewayConfig;
  readonly environment: Environment;
}

export class GatewayStack extends TerraformStack {
  readonly restApi: GatewayRestApi;
  readonly authorizer: JwtAuthorizer;
  /** Present when the environment is sharded: the shard stacks publish their tenant tables here. */
  readonly tenantTables?: TenantTableBucket;
  /** The model path: `BedrockIntegration` (integration `direct`) or `BedrockForwarder` (`forwarder`). */
  readonly integration: BedrockIntegration | BedrockForwarder;
  readonly stage: ApiGatewayStage;
  readonly plans: TenantPlans;
  /** Present when `edge.waf` is set and enabled. */
  readonly webAcl?: GatewayWebAcl;
  /** Present when `edge.domain` is set. */
  readonly customDomain?: CustomDomain;
  readonly gatewayResponses: GatewayResponses;
  /** Present when `tokenBudgets` is set. */
  readonly tokenBudgets?: TokenBudgetResources;
  readonly observability: GatewayObservability;
  /** The rule pack run over this stack at synth (settings and suppressions from `environment.policy`). */
  readonly policy: GatewayPolicyAspect;

  constructor(scope: Construct, id: string, { config, environment }: GatewayStackProps) {
    super(scope, id);
    configureProvider(this, environment);
    configureBackend(this, environment);
    if (environment.emulator) ignoreEmulatorDrift(this);
    // Synth fails if any resource breaks the gateway's rules (least privilege, authorized methods, ...).
    this.policy = new GatewayPolicyAspect({ settings: environment.policy, suppressions: environment.policy.suppressions });
    Aspects.of(this).add(this.policy);
    const namePrefix = resourceNamePrefix(environment);
    const { waf, domain } = environment.edge ?? {};
    const executeApiEndpointOff = domain !== undefined && !domain.keepExecuteApiEndpoint;
    const apiName = restApiName(environment);
    const stageName = stageNameOf(environment);

    this.restApi = new GatewayRestApi(this, 'rest-api', {
      name: apiName,
      description: `Governed Amazon Bedrock gateway (${environment.name})`,
      disableExecuteApiEndpoint: executeApiEndpointOff,
    });
    if (domain?.keepExecuteApiEndpoint) {
      Annotations.of(this.restApi.api).addWarning(
        `environment ${environment.name}: edge.domain.keepExecuteApiEndpoint is true, so the default execute-api endpoint stays reachable next to ${domain.name}: clients can bypass the custom domain. Remove the setting once clients have moved to the domain.`,
      );
    }
    if (publishesTenantTables(environment)) {
      // moto enforces bucket policies and its endpoint is plain http://: TLS-only would lock everyone out.
      this.tenantTables = new TenantTableBucket(this, 'tenant-tables', { namePrefix, denyInsecureTransport: environment.emulator === undefined, expireReplacedVersions: environment.emulator === undefined });
      if (environment.emulator) {
        this.policy.suppress(bucketTlsOnly.id, this.tenantTables.bucket, 'emulator tenant table bucket: moto enforces bucket policies and its endpoint is plain http://, so a TLS-only policy would lock Terraform and the local authorizer out');
      }
    }
    this.authorizer = new JwtAuthorizer(this, 'authorizer', {
      api: this.restApi.api,
      namePrefix,
      settings: buildAuthorizerSettings(config, environment),
      cacheTtlSeconds: environment.authorizer.cacheTtlSeconds,
      memorySizeMb: environment.authorizer.memorySizeMb,
      timeoutSeconds: environment.authorizer.timeoutSeconds,
      logRetentionDays: environment.logRetentionDays,
      tracing: environment.observability.tracing.authorizer,
      ...(this.tenantTables ? { tenantTables: this.tenantTables } : {}),
    });
    this.integration =
      environment.integration === 'forwarder'
        ? new BedrockForwarder(this, 'forwarder', {
            restApiId: this.restApi.api.id,
            executionArn: this.restApi.api.executionArn,
            stageName,
            region: environment.region,
            namePrefix,
            models: config.models,
            settings: buildForwarderSettings(config, environment),
            forwarder: resolvedForwarder(environment),
            timeoutMs: environment.integrationTimeoutMs,
            logRetentionDays: environment.logRetentionDays,
            tracing: environment.observability.tracing.forwarder,
          })
        : new BedrockIntegration(this, 'bedrock', {
            restApiId: this.restApi.api.id,
            region: environment.region,
            namePrefix,
            models: config.models,
            timeoutMs: environment.integrationTimeoutMs,
          });
    for (const route of GATEWAY_ROUTES) {
      const method = this.restApi.addRoute({ route, authorizerId: this.authorizer.authorizer.id });
      this.integration.addRoute({ route, method });
    }

    this.gatewayResponses = new GatewayResponses(this, 'gateway-responses', { restApiId: this.restApi.api.id });

    // Redeploy whenever a route, method, integration or gateway response changes: a hash over
    // their ids (a replaced resource gets a new id) and over their synthesized configuration.
    const dependencies = [
      ...this.restApi.deploymentDependencies,
      ...this.integration.deploymentDependencies,
      ...this.gatewayResponses.deploymentDependencies,
      this.authorizer.authorizer,
    ];
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.restApi.api.id,
      description: `bedrock-ai-gateway ${environment.name}`,
      triggers: {
        configuration: configurationHash(dependencies),
        resources: Fn.sha1(Fn.jsonencode(dependencies.map((d) => (d as unknown as { id: string }).id))),
        // Turning the execute-api endpoint off takes effect only with a new deployment (API Gateway guide).
        ...(executeApiEndpointOff ? { execute_api_endpoint: 'disabled' } : {}),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: dependencies as never,
    });
    this.observability = new GatewayObservability(this, 'observability', {
      environment,
      namePrefix,
      restApiId: this.restApi.api.id,
      restApiName: apiName,
      stageName,
      authorizerFunctionName: `${namePrefix}-authorizer`,
      authorizerLogGroupName: this.authorizer.fn.logGroup.name,
      // The stack's own web ACL, else one managed elsewhere (observability.waf.webAclName).
      ...(waf?.enabled ? { webAclName: webAclName(namePrefix) } : {}),
      // Token budgets are created further down; the dashboard and alarm refer to them by name.
      ...(environment.tokenBudgets ? { metering: { environmentName: environment.name, ...meteringResourceNames(namePrefix) } } : {}),
    });
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.restApi.api.id,
      deploymentId: deployment.id,
      stageName,
      description: `bedrock-ai-gateway ${environment.name}`,
      ...this.observability.stageSettings,
    });
    this.observability.configureStage(this.stage);
    // With tenant shards, tenants' keys and own plans live in the shard stacks (stacks/tenant-shard-stack.ts).
    const sharded = shardCount(environment) > 0;
    this.plans = new TenantPlans(this, 'plans', {
      config,
      environment,
      namePrefix,
      restApiId: this.restApi.api.id,
      stageName: this.stage.stageName,
      keyEnabledAtRuntime: environment.tokenBudgets !== undefined,
      ...(sharded ? { tenants: [] } : {}),
    });
    if (environment.tokenBudgets) {
      this.tokenBudgets = new TokenBudgetResources(this, 'token-budgets', {
        environmentName: environment.name,
        budgets: environment.tokenBudgets,
        settings: buildMeteringSettings(config, environment),
        namePrefix,
        region: environment.region,
        partition: AccountFacts.of(this).partition,
        accountId: AccountFacts.of(this).accountId,
        gatewayRoleName: this.integration.role.name,
        apiKeys: this.plans.apiKeys,
        logRetentionDays: environment.logRetentionDays,
        tracing: environment.observability.tracing.authorizer,
      });
      new TerraformOutput(this, 'token_ledger_table_name', { description: 'DynamoDB table of token usage per tenant and period (npm run usage reads it)', value: this.tokenBudgets.ledger.name });
      new TerraformOutput(this, 'invocation_log_group_name', { description: 'CloudWatch log group of Bedrock model invocation logs that the metering function reads', value: this.tokenBudgets.invocationLogGroupName });
      new TerraformOutput(this, 'metering_failure_queue_url', { description: 'SQS queue (encrypted) of Lambda invocation records of subscription batches the metering function failed on; invoke the function with a record\'s requestPayload to meter it (docs/token-budgets.md, failed batches)', value: this.tokenBudgets.failureQueue.url });
      if (this.tokenBudgets.alertTopic) new TerraformOutput(this, 'budget_alert_topic_arn', { description: 'SNS topic (encrypted) of budget threshold alerts; subscribe to it', value: this.tokenBudgets.alertTopic.arn });
    } else if (hasBudgets(config)) {
      Annotations.of(this).addWarning(
        `environment ${environment.name}: tiers or tenants have token budgets, but the environment sets no tokenBudgets, so they are neither metered nor enforced here`,
      );
    }

    if (waf?.enabled) {
      this.webAcl = new GatewayWebAcl(this, 'waf', {
        namePrefix,
        waf,
        stageArn: this.stage.arn,
        logRetentionDays: environment.logRetentionDays,
        region: environment.region,
        partition: AccountFacts.of(this).partition,
        accountId: AccountFacts.of(this).accountId,
      });
      new TerraformOutput(this, 'web_acl_arn', { description: 'ARN of the WAF web ACL associated with the stage', value: this.webAcl.webAcl.arn });
    }
    if (domain) {
      this.customDomain = new CustomDomain(this, 'domain', { domain, restApiId: this.restApi.api.id, stageName: this.stage.stageName });
      new TerraformOutput(this, 'custom_domain_url', {
        description: 'Base URL of the gateway on its custom domain; Bedrock Runtime SDK clients use it as their endpoint',
        value: this.customDomain.url,
      });
    }

    new TerraformOutput(this, 'invoke_url', {
      description: executeApiEndpointOff
        ? 'Base URL of the stage on the execute-api endpoint, which is turned off (403): use custom_domain_url'
        : 'Base URL of the gateway stage; Bedrock Runtime SDK clients use it as their endpoint',
      value: this.stage.invokeUrl,
    });
    new TerraformOutput(this, 'rest_api_id', { description: 'ID of the gateway REST API', value: this.restApi.api.id });
    new TerraformOutput(this, 'stage_name', { description: 'Name of the deployed stage', value: this.stage.stageName });
    new TerraformOutput(this, 'access_log_group_name', { description: 'CloudWatch log group of the stage access logs (one JSON line per request)', value: this.observability.accessLogging.accessLogGroup.name });
    const topic = this.observability.alarms?.topic;
    if (topic) new TerraformOutput(this, 'alarm_topic_arn', { description: 'SNS topic the alarms notify (encrypted); subscribe to it', value: topic.arn });
    if (sharded) {
      // Read by the tenant shard stacks (terraform_remote_state), with rest_api_id and stage_name.
      new TerraformOutput(this, TIER_PLAN_IDS_OUTPUT, {
        description: 'Usage plan ID per tier, for the tenant shard stacks',
        value: Object.fromEntries([...this.plans.tierPlans].map(([tier, plan]) => [tier, plan.id])),
      });
      if (this.tenantTables) {
        new TerraformOutput(this, TENANT_TABLE_BUCKET_OUTPUT, { description: 'S3 bucket the tenant shard stacks publish their tenant tables to (tenant-tables/tenants-<i>.json), which the authorizer reads', value: this.tenantTables.bucket.bucket });
      }
    } else {
      new TerraformOutput(this, 'tenant_api_key_ids', {
        description: 'API key ID per tenant (IDs only; the key values are identifiers the authorizer supplies)',
        value: Object.fromEntries([...this.plans.apiKeys].map(([tenant, key]) => [tenant, key.id])),
      });
    }
  }
}

/**
 * Stable hash of the constructs' synthesized configuration, computed at synth time with
 * references resolved to Terraform expressions, so it changes exactly when they do.
 */
function configurationHash(constructs: readonly Construct[]): string {
  return Lazy.stringValue({
    produce: (context) => {
      const hash = createHash('sha256');
      for (const c of constructs) {
        const resource = c as unknown as { toTerraform: () => unknown };
        hash.update(c.node.path);
        hash.update(JSON.stringify(context.resolve(resource.toTerraform())));
      }
      return hash.digest('hex');
    },
  });
}
