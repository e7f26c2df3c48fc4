/**
 * Everything an operator reads, for one environment: access logging, the stage's logging,
 * tracing and throttle settings, the opt-in account CloudWatch role, alarms, saved Logs Insights
 * queries and the dashboard. Composes the constructs of those concepts from the environment's
 * `observability` block; the stack hands it the stage to configure.
 */
import { Construct } from 'constructs';
import type { ApiGatewayStage, ApiGatewayStageConfig } from '@cdktf/provider-aws/lib/api-gateway-stage';
import type { Environment } from '../../gateway-config/schema';
import { AccessLogging } from './access-logging';
import { GatewayAlarms } from './alarms';
import { ApiGatewayCloudWatchRole } from './api-gateway-account';
import { GatewayDashboard, type DashboardMetering } from './dashboard';
import { LogInsightsQueries } from './log-queries';
import { StageMethodSettings } from './stage-settings';

export interface GatewayObservabilityProps {
  readonly environment: Environment;
  readonly namePrefix: string;
  readonly restApiId: string;
  readonly restApiName: string;
  readonly stageName: string;
  readonly authorizerFunctionName: string;
  readonly authorizerLogGroupName: string;
  /** The web ACL in front of the stage, when the stack creates one. @default `observability.waf.webAclName` */
  readonly webAclName?: string;
  /** Token budgets' metering function and failure queue, when the environment has `tokenBudgets`. */
  readonly metering?: DashboardMetering;
}

export class GatewayObservability extends Construct {
  readonly accessLogging: AccessLogging;
  readonly account?: ApiGatewayCloudWatchRole;
  readonly alarms?: GatewayAlarms;
  readonly queries?: LogInsightsQueries;
  readonly dashboard?: GatewayDashboard;

  constructor(scope: Construct, id: string, private readonly props: GatewayObservabilityProps) {
    super(scope, id);
    const { environment, namePrefix, restApiName, stageName } = props;
    const o = environment.observability;
    this.accessLogging = new AccessLogging(this, 'access-logging', {
      restApiId: props.restApiId,
      restApiName,
      stageName,
      environmentName: environment.name,
      accessLogRetentionDays: o.accessLogs.retentionDays,
      executionLogRetentionDays: environment.logRetentionDays,
      ...(o.accessLogs.kmsKeyArn ? { kmsKeyArn: o.accessLogs.kmsKeyArn } : {}),
    });
    // Account-wide and opt-in: API Gateway needs it (set here or elsewhere) before a stage may log.
    if (o.apiGatewayAccount) {
      this.account = new ApiGatewayCloudWatchRole(this, 'apigateway-account', { namePrefix, region: environment.region, resetOnDelete: !environment.emulator });
    }
    const webAclName = props.webAclName ?? o.waf?.webAclName;
    const common = { region: environment.region, restApiName, stageName, authorizerFunctionName: props.authorizerFunctionName, bedrockThrottles: this.accessLogging.bedrockThrottles, ...(webAclName ? { webAclName } : {}) };
    const metering = props.metering;
    if (o.alarms.enabled) this.alarms = new GatewayAlarms(this, 'alarms', { namePrefix, settings: o.alarms, ...common, ...(metering ? { meteringFailureQueueName: metering.failureQueueName } : {}) });
    // moto 5.2 has no PutQueryDefinition: emulator environments never create saved queries.
    if (o.queries && !environment.emulator) {
      this.queries = new LogInsightsQueries(this, 'queries', { namePrefix, accessLogGroupName: this.accessLogging.accessLogGroup.name, authorizerLogGroupName: props.authorizerLogGroupName });
    }
    if (o.dashboard) this.dashboard = new GatewayDashboard(this, 'dashboard', { name: namePrefix, accessLogGroupName: this.accessLogging.accessLogGroupName, ...common, ...(metering ? { metering } : {}) });
  }

  /** Stage properties: X-Ray, access logs, and waiting for the log groups and the account role. */
  get stageSettings(): Pick<ApiGatewayStageConfig, 'xrayTracingEnabled' | 'accessLogSettings' | 'dependsOn'> {
    return {
      xrayTracingEnabled: this.props.environment.observability.tracing.stage,
      accessLogSettings: { destinationArn: this.accessLogging.accessLogGroup.arn, format: this.accessLogging.format },
      dependsOn: [this.accessLogging.accessLogGroup, this.accessLogging.executionLogGroup, ...(this.account ? [this.account.account] : [])],
    };
  }

  /** Method settings of every method of `stage`. */
  configureStage(stage: ApiGatewayStage): StageMethodSettings {
    const o = this.props.environment.observability;
    return new StageMethodSettings(this, 'method-settings', { restApiId: this.props.restApiId, stageName: stage.stageName, logLevel: o.executionLogLevel, throttle: o.throttle });
  }
}
