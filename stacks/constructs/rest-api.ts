/**
 * The REST API: `POST /model/{modelId}/converse` and `POST /model/{modelId}/invoke`, the
 * paths of bedrock-runtime, so an AWS SDK client pointed at the gateway works unchanged.
 * Every method needs the Lambda authorizer and an API key (supplied by the authorizer),
 * and has its path parameter and JSON body validated before anything is called.
 */
import { Construct } from 'constructs';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayModel } from '@cdktf/provider-aws/lib/api-gateway-model';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { BEDROCK_REQUEST_METADATA, CLIENT_METADATA_ENTRIES } from '../../functions/shared/tenant-stamp';
import type { GatewayRoute } from '../../gateway-config/derive';

/**
 * Bedrock's metadata character class with `\s` spelled out as Java's ASCII whitespace, so the
 * validator (Java) and tests (ECMAScript, unicode mode) agree on it.
 */
const METADATA_CHARACTER = BEDROCK_REQUEST_METADATA.characterClass.replace('\\s', ' \\t\\n\\x0B\\f\\r');
/** Top-level Converse fields are identifiers (`messages`, `inferenceConfig`, ...); the request template addresses them by name. */
export const CONVERSE_FIELD_PATTERN = '^[A-Za-z][A-Za-z0-9_]*$';
/**
 * At most this many top-level Converse fields. The request template loops over the top-level
 * fields, and API Gateway stops a `#foreach` at 1,000 iterations, so without a bound a body with
 * 1,001 fields would pass the model and break in the template instead of getting the gateway's 400.
 * Converse has 12 top-level body fields today (messages, system, inferenceConfig, toolConfig,
 * guardrailConfig, additionalModelRequestFields, additionalModelResponseFieldPaths,
 * promptVariables, requestMetadata, performanceConfig, serviceTier, outputConfig; `modelId` is
 * the path): https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * 64 leaves room for five times that many and stays far below 1,000. InvokeModel needs no bound:
 * its template passes `$input.body` through without a loop.
 */
export const MAX_CONVERSE_FIELDS = 64;

/**
 * JSON schemas (draft 4, as API Gateway reads them) of the request bodies. Converse
 * `requestMetadata` is held to Bedrock's rules here, so a bad entry is the gateway's 400 (with the
 * validator's message), never Bedrock's: at most `CLIENT_METADATA_ENTRIES` entries (16 minus the
 * gateway's), keys of 1-256 and values of 0-256 characters of Bedrock's class.
 */
export const REQUEST_BODY_SCHEMAS: Readonly<Record<GatewayRoute, object>> = {
  converse: {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'ConverseRequest',
    type: 'object',
    required: ['messages'],
    maxProperties: MAX_CONVERSE_FIELDS,
    properties: {
      messages: { type: 'array', minItems: 1 },
      requestMetadata: {
        type: 'object',
        maxProperties: CLIENT_METADATA_ENTRIES,
        patternProperties: {
          [`^${METADATA_CHARACTER}{1,${BEDROCK_REQUEST_METADATA.maxKeyLength}}$`]: {
            type: 'string',
            pattern: `^${METADATA_CHARACTER}{0,${BEDROCK_REQUEST_METADATA.maxValueLength}}$`,
          },
        },
        additionalProperties: false,
      },
    },
    patternProperties: { [CONVERSE_FIELD_PATTERN]: {} },
    additionalProperties: false,
  },
  // InvokeModel bodies are model-specific; require a JSON object.
  invoke: { $schema: 'http://json-schema.org/draft-04/schema#', title: 'InvokeModelRequest', type: 'object' },
};

export interface GatewayRestApiProps {
  readonly name: string;
  readonly description: string;
  /**
   * Turn the default execute-api endpoint off, so clients can reach the API only through its
   * custom domain (and whatever guards it). @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

export interface AddRouteOptions {
  readonly route: GatewayRoute;
  readonly authorizerId: string;
}

export class GatewayRestApi extends Construct {
  readonly api: ApiGatewayRestApi;
  readonly modelIdResource: ApiGatewayResource;
  readonly validator: ApiGatewayRequestValidator;
  /** Every resource whose change must trigger a redeployment. */
  readonly deploymentDependencies: Construct[] = [];

  constructor(scope: Construct, id: string, props: GatewayRestApiProps) {
    super(scope, id);
    this.api = new ApiGatewayRestApi(this, 'api', {
      name: props.name,
      description: props.description,
      endpointConfiguration: { types: ['REGIONAL'] },
      // Clients never send an API key: the authorizer returns it as usageIdentifierKey.
      apiKeySource: 'AUTHORIZER',
      // Off when the environment has a custom domain: the domain is then the only way in.
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
    });
    const model = new ApiGatewayResource(this, 'model', {
      restApiId: this.api.id,
      parentId: this.api.rootResourceId,
      pathPart: 'model',
    });
    this.modelIdResource = new ApiGatewayResource(this, 'model-id', {
      restApiId: this.api.id,
      parentId: model.id,
      pathPart: '{modelId}',
    });
    this.validator = new ApiGatewayRequestValidator(this, 'validator', {
      restApiId: this.api.id,
      name: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.deploymentDependencies.push(model, this.modelIdResource, this.validator);
  }

  /** Adds `POST /model/{modelId}/<route>` behind the authorizer. */
  addRoute({ route, authorizerId }: AddRouteOptions): ApiGatewayMethod {
    const resource = new ApiGatewayResource(this, `${route}-resource`, {
      restApiId: this.api.id,
      parentId: this.modelIdResource.id,
      pathPart: route,
    });
    const bodyModel = new ApiGatewayModel(this, `${route}-body`, {
      restApiId: this.api.id,
      name: `${route[0].toUpperCase()}${route.slice(1)}Request`,
      contentType: 'application/json',
      schema: JSON.stringify(REQUEST_BODY_SCHEMAS[route]),
    });
    const method = new ApiGatewayMethod(this, `${route}-post`, {
      restApiId: this.api.id,
      resourceId: resource.id,
      httpMethod: 'POST',
      authorization: 'CUSTOM',
      authorizerId,
      apiKeyRequired: true,
      requestValidatorId: this.validator.id,
      requestParameters: { 'method.request.path.modelId': true },
      requestModels: { 'application/json': bodyModel.name },
    });
    this.deploymentDependencies.push(resource, bodyModel, method);
    return method;
  }
}
