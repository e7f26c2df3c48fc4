/**
 * The model path of integration mode `forwarder`: each gateway route is an AWS_PROXY integration
 * to one Lambda function that calls bedrock-runtime with the AWS SDK (`functions/forwarder/`).
 * The AWS reference design for an AI gateway on API Gateway works this way; it is slower and
 * billed while a model generates, but it uses only documented, widely used pieces, where the
 * direct mode's AWS integration to bedrock-runtime is shown by no AWS page (docs/integration-modes.md).
 *
 * The function's role may invoke exactly the catalogue's ARNs (the same list as the direct mode's
 * API Gateway role, which this mode does not create) and write its own log group; only this API's
 * two routes on this stage may invoke the function.
 */
import * as path from 'node:path';
import { Construct } from 'constructs';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { catalogueResourceArns, type ResolvedForwarder } from '../../gateway-config/derive';
import type { Model } from '../../gateway-config/schema';
import type { ForwarderSettings } from '../../functions/forwarder/settings';
import { AccountFacts } from './account-facts';
import type { RouteMethod } from './bedrock-integration';
import { NodejsFunction } from './nodejs-function';

export const FORWARDER_ENTRY = path.join(__dirname, '..', '..', 'functions', 'forwarder', 'index.ts');
/** The bare module id the forwarder's settings are bundled under. */
export const FORWARDER_SETTINGS_MODULE = 'gateway:forwarder-settings';
/**
 * The SDK's ES module builds, tree-shaken: about 30% smaller and faster to load than its CommonJS
 * builds (`npm run bench:forwarder`; docs/integration-modes.md). The SDK is bundled, not taken
 * from the Lambda runtime: the runtime's copy is a version we neither pin nor test, and loading it
 * from many files was no faster in the benchmark.
 */
export const FORWARDER_MAIN_FIELDS = ['module', 'main'] as const;

export interface BedrockForwarderProps {
  readonly restApiId: string;
  /** The API's execution ARN (`arn:...:execute-api:<region>:<account>:<apiId>`). */
  readonly executionArn: string;
  readonly stageName: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly models: readonly Model[];
  readonly settings: ForwarderSettings;
  readonly forwarder: ResolvedForwarder;
  /** Milliseconds; the function's timeout is at most this (validated in config). */
  readonly timeoutMs: number;
  readonly logRetentionDays: number;
  /** X-Ray active tracing of the function. @default false */
  readonly tracing?: boolean;
}

export class BedrockForwarder extends Construct {
  readonly fn: NodejsFunction;
  /** The identity Bedrock sees (and its invocation logs record) for this gateway's calls, as BedrockIntegration.role. */
  readonly role: IamRole;
  /** Every resource whose change must trigger a redeployment. */
  readonly deploymentDependencies: Construct[] = [];

  constructor(scope: Construct, id: string, private readonly props: BedrockForwarderProps) {
    super(scope, id);
    const { forwarder } = props;
    if (forwarder.timeoutSeconds * 1000 > props.timeoutMs) {
      throw new Error(`BedrockForwarder timeoutSeconds (${forwarder.timeoutSeconds}) must not exceed the integration timeout (${props.timeoutMs} ms)`);
    }
    this.fn = new NodejsFunction(this, 'function', {
      entry: FORWARDER_ENTRY,
      jsonModules: { [FORWARDER_SETTINGS_MODULE]: props.settings },
      mainFields: FORWARDER_MAIN_FIELDS,
      functionName: `${props.namePrefix}-forwarder`,
      description: "Forwards the gateway's model routes to bedrock-runtime with the AWS SDK, stamping the tenant",
      memorySize: forwarder.memoryMb,
      timeout: forwarder.timeoutSeconds,
      architecture: forwarder.architecture,
      ...(forwarder.reservedConcurrency !== undefined ? { reservedConcurrency: forwarder.reservedConcurrency } : {}),
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing ?? false,
    });
    this.role = this.fn.role;
    const facts = AccountFacts.of(this);
    // Converse needs bedrock:InvokeModel too (bedrock-runtime API reference, Converse:
    // "This operation requires permission for the bedrock:InvokeModel action").
    new IamRolePolicy(this, 'invoke-policy', {
      name: 'invoke-catalogue-models',
      role: this.fn.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'InvokeCatalogueModels', Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: catalogueResourceArns(props.models, props.region, facts.partition, facts.accountId) }],
      }),
    });
  }

  /** Wires `method` (POST /model/{modelId}/<route>) to the function, and lets exactly that route invoke it. */
  addRoute({ route, method }: RouteMethod): ApiGatewayIntegration {
    const { restApiId, timeoutMs, executionArn, stageName } = this.props;
    const scope = new Construct(this, route);
    const integration = new ApiGatewayIntegration(scope, 'integration', {
      restApiId,
      resourceId: method.resourceId,
      httpMethod: method.httpMethod,
      type: 'AWS_PROXY',
      // Lambda's Invoke API is always called with POST, whatever the route's method.
      integrationHttpMethod: 'POST',
      uri: this.fn.function.invokeArn,
      timeoutMilliseconds: timeoutMs,
    });
    new LambdaPermission(scope, 'invoke-permission', {
      statementId: `AllowGatewayRoute-${route}`,
      action: 'lambda:InvokeFunction',
      functionName: this.fn.function.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${executionArn}/${stageName}/POST/model/*/${route}`,
    });
    this.deploymentDependencies.push(integration);
    return integration;
  }
}
