/**
 * One environment of the gateway. Composes the constructs; holds no logic of its own
 * beyond wiring and outputs.
 */
import { createHash } from 'node:crypto';
import { Aspects, Fn, Lazy, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { GATEWAY_ROUTES, resourceNamePrefix, restApiName, stageNameOf } from '../gateway-config/derive';
import type { Environment, GatewayConfig } from '../gateway-config/schema';
import { buildAuthorizerSettings } from '../gateway-config/tenant-table';
import { JwtAuthorizer } from './constructs/authorizer';
import { BedrockIntegration } from './constructs/bedrock-integration';
import { ignoreEmulatorDrift } from './constructs/emulator-drift';
import { configureBackend, configureProvider } from './constructs/provider-and-backend';
import { GatewayRestApi } from './constructs/rest-api';
import { TenantPlans } from './constructs/tenant-plans';
import { GatewayPolicyAspect } from './policy/pack';

export interface GatewayStackProps {
  readonly config: GatewayConfig;
  readonly environment: Environment;
}

export class GatewayStack extends TerraformStack {
  readonly restApi: GatewayRestApi;
  readonly authorizer: JwtAuthorizer;
  readonly integration: BedrockIntegration;
  readonly stage: ApiGatewayStage;
  readonly plans: TenantPlans;
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

    this.restApi = new GatewayRestApi(this, 'rest-api', {
      name: restApiName(environment),
      description: `Governed Amazon Bedrock gateway (${environment.name})`,
    });
    this.authorizer = new JwtAuthorizer(this, 'authorizer', {
      api: this.restApi.api,
      namePrefix,
      settings: buildAuthorizerSettings(config, environment),
      cacheTtlSeconds: environment.authorizer.cacheTtlSeconds,
      memorySizeMb: environment.authorizer.memorySizeMb,
      timeoutSeconds: environment.authorizer.timeoutSeconds,
      logRetentionDays: environment.logRetentionDays,
    });
    this.integration = new BedrockIntegration(this, 'bedrock', {
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

    // Redeploy whenever a route, method or integration changes: a hash over their ids
    // (a replaced resource gets a new id) and over their synthesized configuration.
    const dependencies = [...this.restApi.deploymentDependencies, ...this.integration.deploymentDependencies, this.authorizer.authorizer];
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.restApi.api.id,
      description: `bedrock-ai-gateway ${environment.name}`,
      triggers: {
        configuration: configurationHash(dependencies),
        resources: Fn.sha1(Fn.jsonencode(dependencies.map((d) => (d as unknown as { id: string }).id))),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: dependencies as never,
    });
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.restApi.api.id,
      deploymentId: deployment.id,
      stageName: stageNameOf(environment),
      description: `bedrock-ai-gateway ${environment.name}`,
    });
    this.plans = new TenantPlans(this, 'plans', {
      config,
      environment,
      namePrefix,
      restApiId: this.restApi.api.id,
      stageName: this.stage.stageName,
    });

    new TerraformOutput(this, 'invoke_url', {
      description: 'Base URL of the gateway stage; Bedrock Runtime SDK clients use it as their endpoint',
      value: this.stage.invokeUrl,
    });
    new TerraformOutput(this, 'rest_api_id', { description: 'ID of the gateway REST API', value: this.restApi.api.id });
    new TerraformOutput(this, 'stage_name', { description: 'Name of the deployed stage', value: this.stage.stageName });
    new TerraformOutput(this, 'tenant_api_key_ids', {
      description: 'API key ID per tenant (IDs only; the key values are identifiers the authorizer supplies)',
      value: Object.fromEntries([...this.plans.apiKeys].map(([tenant, key]) => [tenant, key.id])),
    });
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
