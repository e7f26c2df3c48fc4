/**
 * Settings for every method of the stage (method path "any resource / any verb"): execution logging
 * at ERROR (INFO only outside
 * production), data tracing OFF always (it would log prompts and completions), CloudWatch
 * metrics on, and the stage-wide throttle ceiling above every tenant's own limits.
 */
import { Construct } from 'constructs';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import type { Observability } from '../../gateway-config/schema';

export interface StageMethodSettingsProps {
  readonly restApiId: string;
  readonly stageName: string;
  readonly logLevel: Observability['executionLogLevel'];
  readonly throttle: Observability['throttle'];
}

export class StageMethodSettings extends Construct {
  readonly settings: ApiGatewayMethodSettings;

  constructor(scope: Construct, id: string, props: StageMethodSettingsProps) {
    super(scope, id);
    this.settings = new ApiGatewayMethodSettings(this, 'all-methods', {
      restApiId: props.restApiId,
      stageName: props.stageName,
      methodPath: '*/*',
      settings: {
        loggingLevel: props.logLevel,
        // Never: request and response bodies (prompts, completions) would land in the execution log.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
      },
    });
  }
}
