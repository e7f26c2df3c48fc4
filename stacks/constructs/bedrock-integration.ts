/**
 * The model path: an AWS (non-proxy) integration from each gateway route to the
 * bedrock-runtime route of the same name, under a role that may invoke exactly the
 * catalogue's models. Bedrock's error statuses are mapped through unchanged; a
 * non-proxy integration would otherwise answer 200 for everything.
 */
import { Construct } from 'constructs';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response';
import { AccountFacts } from './account-facts';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { catalogueResourceArns } from '../../gateway-config/derive';
import type { GatewayRoute } from '../../gateway-config/derive';
import type { Model } from '../../gateway-config/schema';
import { requestTemplateFor } from '../templates/request-mapping';

import { BEDROCK_ERROR_STATUSES, UNEXPECTED_UPSTREAM_STATUS } from '../../functions/shared/gateway-errors';

// One definition with the forwarder (functions/shared/gateway-errors.ts).
export { BEDROCK_ERROR_STATUSES, UNEXPECTED_UPSTREAM_STATUS };

/**
 * A selection pattern matching every 3-digit status except 2xx and `excluded`, so that no
 * two integration responses of a method can match the same status.
 */
export function otherStatusPattern(excluded: readonly string[]): string {
  const groups: string[] = [];
  for (let tens = 10; tens <= 59; tens++) {
    if (tens >= 20 && tens <= 29) continue;
    const digits = [...'0123456789'].filter((d) => !excluded.includes(`${tens}${d}`));
    if (digits.length === 10) groups.push(`${tens}\\d`);
    else if (digits.length > 0) groups.push(`${tens}[${digits.join('')}]`);
  }
  return groups.join('|');
}

/** Response headers passed from Bedrock to the client. */
const PASSED_HEADERS = ['x-amzn-RequestId', 'x-amzn-ErrorType'];

export interface BedrockIntegrationProps {
  readonly restApiId: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly models: readonly Model[];
  /** Milliseconds. */
  readonly timeoutMs: number;
}

export interface RouteMethod {
  readonly route: GatewayRoute;
  readonly method: ApiGatewayMethod;
}

export class BedrockIntegration extends Construct {
  readonly role: IamRole;
  private readonly partition: string;
  /** Every resource whose change must trigger a redeployment. */
  readonly deploymentDependencies: Construct[] = [];

  constructor(scope: Construct, id: string, private readonly props: BedrockIntegrationProps) {
    super(scope, id);
    const facts = AccountFacts.of(this);
    this.partition = facts.partition;
    this.role = new IamRole(this, 'role', {
      name: `${props.namePrefix}-bedrock-invoke`,
      description: 'Assumed by API Gateway to call bedrock-runtime for the gateway routes',
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    const resources = catalogueResourceArns(props.models, props.region, facts.partition, facts.accountId);
    new IamRolePolicy(this, 'invoke-policy', {
      name: 'invoke-catalogue-models',
      role: this.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'InvokeCatalogueModels', Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: resources }],
      }),
    });
  }

  /** Wires `method` (POST /model/{modelId}/<route>) to bedrock-runtime's `/model/{modelId}/<route>`. */
  addRoute({ route, method }: RouteMethod): ApiGatewayIntegration {
    const { restApiId, region, timeoutMs } = this.props;
    const scope = new Construct(this, route);
    const integration = new ApiGatewayIntegration(scope, 'integration', {
      restApiId,
      resourceId: method.resourceId,
      httpMethod: method.httpMethod,
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: `arn:${this.partition}:apigateway:${region}:bedrock-runtime:path/model/{modelId}/${route}`,
      credentials: this.role.arn,
      requestParameters: {
        'integration.request.path.modelId': 'method.request.path.modelId',
        'integration.request.header.Content-Type': "'application/json'",
        'integration.request.header.Accept': "'application/json'",
      },
      // Only JSON bodies are forwarded; anything else is refused with 415 by API Gateway.
      passthroughBehavior: 'NEVER',
      // The body as sent, with the caller's tenant stamped into Bedrock's request metadata.
      requestTemplates: { 'application/json': requestTemplateFor(route) },
      timeoutMilliseconds: timeoutMs,
    });
    const declaredHeaders = Object.fromEntries(PASSED_HEADERS.map((h) => [`method.response.header.${h}`, false]));
    const mappedHeaders = Object.fromEntries(PASSED_HEADERS.map((h) => [`method.response.header.${h}`, `integration.response.header.${h}`]));
    const responses: Array<{ status: string; pattern?: string }> = [
      { status: '200' },
      ...BEDROCK_ERROR_STATUSES.map((status) => ({ status, pattern: status })),
      { status: UNEXPECTED_UPSTREAM_STATUS, pattern: otherStatusPattern(BEDROCK_ERROR_STATUSES) },
    ];
    for (const { status, pattern } of responses) {
      const methodResponse = new ApiGatewayMethodResponse(scope, `method-response-${status}`, {
        restApiId,
        resourceId: method.resourceId,
        httpMethod: method.httpMethod,
        statusCode: status,
        responseModels: { 'application/json': status === '200' ? 'Empty' : 'Error' },
        responseParameters: declaredHeaders,
      });
      const integrationResponse = new ApiGatewayIntegrationResponse(scope, `integration-response-${status}`, {
        restApiId,
        resourceId: method.resourceId,
        httpMethod: method.httpMethod,
        statusCode: status,
        ...(pattern ? { selectionPattern: pattern } : {}),
        // Bedrock's body (result or error) as it came.
        responseTemplates: { 'application/json': '$input.body' },
        responseParameters: mappedHeaders,
        dependsOn: [integration, methodResponse],
      });
      this.deploymentDependencies.push(methodResponse, integrationResponse);
    }
    this.deploymentDependencies.push(integration);
    return integration;
  }
}
