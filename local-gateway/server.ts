/**
 * The local gateway: serves a synthesized stack (`StackModel`) on loopback, executing per request
 * what API Gateway (REST) would, in API Gateway's order: route match, Lambda TOKEN authorizer,
 * API key and usage plan, request body validation (JSON schema draft 4), request mapping
 * template and request parameters, the integration (AWS to the Bedrock stand-in, or AWS_PROXY to
 * a Lambda bundle run in process), integration responses by selection pattern, gateway responses
 * for every error, and one access log line in the stage's format.
 *
 * A development and test tool, not a production server. Fidelity: docs/local-gateway.md.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import { AuthorizerRunner, type AuthorizerOutcome } from './authorizer-runner';
import { flatHeaders, readBody } from './bedrock-stand-in';
import { renderGatewayResponse, substituteContext } from './gateway-response';
import { lambdaContext, lambdaEnvironment, startIsolatedFunction, type LoadedFunction } from './lambda-bundle';
import { MappingTemplateError, renderMappingTemplate } from './mapping-template';
import type { IntegrationModel, LambdaFunctionModel, Route, StackModel } from './stack-model';
import { StackApiKeyStates, UsagePlanEnforcer, type ApiKeyStates } from './usage-plans';
import { LOOPBACK, listenOnLoopback } from './loopback';

const HTTP2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** API Gateway's default status per gateway response type (the stack may override it). */
export const DEFAULT_GATEWAY_RESPONSE_STATUS: Readonly<Record<string, number>> = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/** The `x-amzn-ErrorType` API Gateway sends when a gateway response sets none. */
const DEFAULT_ERROR_TYPE: Readonly<Record<string, string>> = {
  ACCESS_DENIED: 'AccessDeniedException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  UNAUTHORIZED: 'UnauthorizedException',
  THROTTLED: 'TooManyRequestsException',
  QUOTA_EXCEEDED: 'LimitExceededException',
  INVALID_API_KEY: 'ForbiddenException',
  BAD_REQUEST_BODY: 'BadRequestException',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
};

/** API Gateway's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface LocalGatewayOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Base URL of the Bedrock stand-in (or any bedrock-runtime compatible endpoint). */
  readonly bedrockEndpoint: string;
  /** Enabled state of API keys. @default the stack's own flags */
  readonly apiKeyStates?: ApiKeyStates;
  /** The REST API id put in method ARNs (the deployed one on the emulator). @default `local` */
  readonly restApiId?: string;
  /** @default 123456789012 (the emulator's account) */
  readonly accountId?: string;
  /** Receives one access log line per request. @default none */
  readonly onAccessLog?: (line: string) => void;
  /** Clock (tests). @default Date.now */
  readonly now?: () => number;
  /**
   * The environment an AWS_PROXY function runs with (its worker thread's whole `process.env`).
   * @default `lambdaEnvironment(fn, region, undefined)`: Lambda's reserved variables and the
   * function's own, no credentials
   */
  readonly proxyFunctionEnvironment?: (fn: LambdaFunctionModel) => Readonly<Record<string, string>>;
  /** Environment variables for the authorizer's cold start, over its own (`AuthorizerRunnerOptions.environment`). */
  readonly authorizerEnvironment?: Readonly<Record<string, string>>;
}

interface RequestState {
  readonly requestId: string;
  readonly started: number;
  readonly context: Record<string, unknown>;
  /** What the authorizer returned (context + principalId): a proxy event's `requestContext.authorizer`. */
  authorizer?: Record<string, unknown>;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class LocalGateway {
  readonly authorizers = new Map<string, AuthorizerRunner>();
  readonly usage: UsagePlanEnforcer;
  private readonly validators = new Map<unknown, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly proxyFunctions = new Map<string, Promise<LoadedFunction>>();
  private server: NetServer | undefined;
  private http1: Server | undefined;
  private sessions: Set<Http2Session> | undefined;

  constructor(
    readonly stack: StackModel,
    private readonly options: LocalGatewayOptions,
  ) {
    for (const [address, model] of stack.authorizers) {
      const fn = stack.functions.get(model.functionAddress);
      if (!fn) throw new Error(`authorizer ${model.name}: its function ${model.functionAddress} has no deployment package in the stack`);
      this.authorizers.set(
        address,
        new AuthorizerRunner(model, fn, { region: stack.region, ...(options.now ? { now: options.now } : {}), ...(options.authorizerEnvironment ? { environment: options.authorizerEnvironment } : {}) }),
      );
    }
    this.usage = new UsagePlanEnforcer(stack, options.apiKeyStates ?? new StackApiKeyStates(stack.apiKeys), options.now);
  }

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the local gateway is not listening');
    return `http://${LOOPBACK}:${address.port}/${this.stack.stageName}`;
  }

  async start(): Promise<this> {
    for (const runner of this.authorizers.values()) runner.warm();
    const onRequest = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
      this.handle(req as IncomingMessage, res as ServerResponse).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `local gateway error: ${(err as Error).message}` }));
        }
      });
    };
    // AWS SDK clients with an HTTP/2 handler (BedrockRuntimeClient's default) speak HTTP/2 with
    // prior knowledge on a plain-text endpoint; everything else HTTP/1.1. One port serves both,
    // told apart by the HTTP/2 connection preface.
    const http1 = createHttpServer(onRequest);
    http1.keepAliveTimeout = 5000;
    const http2 = createHttp2Server({}, onRequest);
    this.sessions = new Set();
    http2.on('session', (session) => {
      this.sessions!.add(session);
      session.on('close', () => this.sessions!.delete(session));
    });
    this.http1 = http1;
    const server = createNetServer((socket) => {
      socket.once('readable', () => {
        const head = socket.read(HTTP2_PREFACE.length) as Buffer | null;
        if (head) socket.unshift(head);
        if (head && head.toString('latin1') === HTTP2_PREFACE) http2.emit('connection', socket);
        else http1.emit('connection', socket);
      });
    });
    await listenOnLoopback(server, this.options.port ?? 0);
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      this.http1?.closeAllConnections();
      for (const session of this.sessions ?? []) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    for (const runner of this.authorizers.values()) runner.dispose();
    const loaded = [...this.proxyFunctions.values()];
    this.proxyFunctions.clear();
    for (const fn of await Promise.allSettled(loaded)) if (fn.status === 'fulfilled') await fn.value.dispose();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = this.options.now ?? Date.now;
    const requestId = randomUUID();
    const started = now();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const querystring = Object.fromEntries(new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1)));
    const headers = flatHeaders(req);
    const body = await readBody(req);
    const stagePrefix = `/${this.stack.stageName}`;
    const path = rawPath === stagePrefix ? '/' : rawPath.startsWith(`${stagePrefix}/`) ? rawPath.slice(stagePrefix.length) : undefined;
    const state: RequestState = {
      requestId,
      started,
      context: {
        requestId,
        extendedRequestId: requestId,
        requestTimeEpoch: started,
        httpMethod: req.method ?? 'GET',
        path: rawPath,
        stage: this.stack.stageName,
        accountId: this.options.accountId ?? '123456789012',
        apiId: this.options.restApiId ?? 'local',
        identity: { sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? LOOPBACK, userAgent: headers['user-agent'] ?? '' },
        authorizer: {},
        integration: {},
        error: {},
      },
    };
    let reply: Reply;
    try {
      reply = await this.execute(state, req.method ?? 'GET', path, querystring, headers, body);
    } catch (err) {
      const message = err instanceof MappingTemplateError ? err.message : 'Internal server error';
      reply = this.gatewayResponse(state, 'API_CONFIGURATION_ERROR', message, headers);
    }
    reply.headers['x-amzn-requestid'] = requestId;
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
    const ctx = state.context;
    ctx.status = reply.status;
    ctx.responseLatency = now() - started;
    ctx.responseLength = Buffer.byteLength(reply.body);
    if (this.stack.accessLogFormat && this.options.onAccessLog) this.options.onAccessLog(substituteContext(this.stack.accessLogFormat, ctx, '-'));
  }

  private async execute(state: RequestState, method: string, path: string | undefined, querystring: Record<string, string>, headers: Record<string, string>, body: string): Promise<Reply> {
    const ctx = state.context;
    if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) return this.gatewayResponse(state, 'REQUEST_TOO_LARGE', 'Request Too Long', headers);
    const match = path === undefined ? undefined : this.match(method, path);
    if (!match) return this.gatewayResponse(state, 'MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token', headers);
    const { route, pathParams } = match;
    ctx.resourcePath = route.resourcePath;
    ctx.resourceId = route.resourcePath;

    let usageIdentifierKey: string | undefined;
    if (route.authorization === 'CUSTOM' && route.authorizerAddress) {
      const runner = this.authorizers.get(route.authorizerAddress)!;
      const methodArn = `arn:aws:execute-api:${this.stack.region}:${ctx.accountId as string}:${ctx.apiId as string}/${this.stack.stageName}/${method}${path}`;
      const outcome: AuthorizerOutcome = await runner.authorize(headers[runner.identityHeader], methodArn);
      const auth = ctx.authorizer as Record<string, unknown>;
      auth.latency = Math.round(outcome.latencyMs);
      if (outcome.kind === 'unauthorized') {
        auth.status = 401;
        return this.gatewayResponse(state, 'UNAUTHORIZED', 'Unauthorized', headers);
      }
      if (outcome.kind === 'failure') {
        auth.status = 500;
        return this.gatewayResponse(state, 'AUTHORIZER_FAILURE', null, headers);
      }
      const authorizerContext = { ...(outcome.result.context ?? {}), principalId: outcome.result.principalId };
      state.authorizer = { ...authorizerContext, integrationLatency: auth.latency };
      Object.assign(auth, authorizerContext);
      auth.status = 200;
      if (outcome.kind === 'deny') {
        auth.status = 403;
        return this.gatewayResponse(state, 'ACCESS_DENIED', outcome.explicit ? 'User is not authorized to access this resource with an explicit deny' : 'User is not authorized to access this resource', headers);
      }
      usageIdentifierKey = outcome.result.usageIdentifierKey;
    }

    if (route.apiKeyRequired) {
      const decision = await this.usage.admit(usageIdentifierKey);
      if (decision.apiKeyId) (ctx.identity as Record<string, unknown>).apiKeyId = decision.apiKeyId;
      if (!decision.ok) return this.gatewayResponse(state, decision.responseType, decision.message, headers);
    }

    const contentType = (headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
    const schema = route.requestModels[contentType];
    if (route.validateBody && schema !== undefined) {
      let document: unknown;
      let errors: string[] = [];
      try {
        document = JSON.parse(body);
      } catch {
        errors = ['Invalid JSON in request body'];
      }
      if (errors.length === 0) {
        const validate = this.validatorFor(schema);
        if (!validate(document)) errors = (validate.errors ?? []).map(describeValidationError);
      }
      if (errors.length > 0) {
        (ctx.error as Record<string, unknown>).validationErrorString = `[${errors.join(', ')}]`;
        return this.gatewayResponse(state, 'BAD_REQUEST_BODY', 'Invalid request body', headers);
      }
    }

    const integration = route.integration;
    if (!integration) return this.gatewayResponse(state, 'API_CONFIGURATION_ERROR', 'Internal server error', headers);
    const params = { path: pathParams, querystring, header: headers };
    if (integration.type === 'AWS_PROXY') return this.proxyIntegration(state, integration, route, method, path!, params, body, headers);
    if (integration.type !== 'AWS') return this.gatewayResponse(state, 'API_CONFIGURATION_ERROR', `integration type ${integration.type} is not served locally`, headers);
    return this.awsIntegration(state, integration, params, contentType, body, headers);
  }

  private match(method: string, path: string): { route: Route; pathParams: Record<string, string> } | undefined {
    const segments = path.split('/').slice(1);
    for (const route of this.stack.routes) {
      if (route.httpMethod !== method && route.httpMethod !== 'ANY') continue;
      const template = route.resourcePath.split('/').slice(1);
      if (template.length !== segments.length) continue;
      const pathParams: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < template.length && ok; i++) {
        const param = /^\{(.+)\}$/.exec(template[i]);
        if (param) {
          if (segments[i] === '') ok = false;
          else {
            try {
              pathParams[param[1]] = decodeURIComponent(segments[i]);
            } catch {
              ok = false;
            }
          }
        } else ok = template[i] === segments[i];
      }
      if (ok) return { route, pathParams };
    }
    return undefined;
  }

  private validatorFor(schema: unknown): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema as object);
      this.validators.set(schema, validate);
    }
    return validate;
  }

  private async awsIntegration(state: RequestState, integration: IntegrationModel, params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> }, contentType: string, body: string, requestHeaders: Record<string, string>): Promise<Reply> {
    const ctx = state.context;
    const template = integration.requestTemplates[contentType];
    if (template === undefined && integration.passthroughBehavior === 'NEVER') return this.gatewayResponse(state, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type', requestHeaders);
    const rendered = template === undefined ? undefined : renderMappingTemplate(template, { body, params, context: ctx });
    const outgoing: Record<string, string> = {};
    const pathValues: Record<string, string> = {};
    const queryValues: Record<string, string> = {};
    for (const [target, source] of Object.entries(integration.requestParameters)) {
      const value = requestParameterValue(source, params, ctx);
      if (value === undefined) continue;
      const mapped = /^integration\.request\.(header|path|querystring)\.(.+)$/.exec(target);
      if (mapped) ({ header: outgoing, path: pathValues, querystring: queryValues })[mapped[1] as 'header' | 'path' | 'querystring'][mapped[2]] = value;
    }
    // `$context.requestOverride.*` set by the template wins over the request parameters.
    Object.assign(outgoing, rendered?.requestOverride.header ?? {});
    Object.assign(pathValues, rendered?.requestOverride.path ?? {});
    Object.assign(queryValues, rendered?.requestOverride.querystring ?? {});
    const query = Object.entries(queryValues).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const target = /^arn:[^:]+:apigateway:[^:]+:bedrock-runtime:path\/(.+)$/.exec(integration.uri.replace(/\$\{data\.aws_partition\.[^}]+\.partition\}/, 'aws'));
    if (!target) return this.gatewayResponse(state, 'API_CONFIGURATION_ERROR', `integration URI ${integration.uri} is not a bedrock-runtime path`, requestHeaders);
    const integrationPath = target[1].replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(pathValues[name] ?? ''));
    const payload = rendered?.body ?? body;
    const integrationStarted = Date.now();
    let response: { status: number; headers: Record<string, string>; body: string };
    try {
      response = await send(`${this.options.bedrockEndpoint.replace(/\/+$/, '')}/${integrationPath}${query === '' ? '' : `?${query}`}`, integration.httpMethod ?? 'POST', outgoing, payload, integration.timeoutMs);
    } catch (err) {
      const timedOut = (err as Error).message === 'timeout';
      (ctx.integration as Record<string, unknown>).error = (err as Error).message;
      return this.gatewayResponse(state, timedOut ? 'INTEGRATION_TIMEOUT' : 'INTEGRATION_FAILURE', timedOut ? 'Endpoint request timed out' : 'Internal server error', requestHeaders);
    }
    Object.assign(ctx.integration as Record<string, unknown>, { status: response.status, latency: Date.now() - integrationStarted, requestId: response.headers['x-amzn-requestid'] ?? '' });
    const status = String(response.status);
    const selected =
      integration.responses.find((r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`, 's').test(status)) ?? integration.responses.find((r) => r.selectionPattern === undefined);
    if (!selected) return this.gatewayResponse(state, 'API_CONFIGURATION_ERROR', 'Internal server error', requestHeaders);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [target, source] of Object.entries(selected.responseParameters)) {
      const name = target.replace(/^method\.response\.header\./, '');
      const staticValue = /^'(.*)'$/s.exec(source);
      const fromHeader = /^integration\.response\.header\.(.+)$/.exec(source);
      if (staticValue) headers[name] = staticValue[1];
      else if (fromHeader && response.headers[fromHeader[1].toLowerCase()] !== undefined) headers[name] = response.headers[fromHeader[1].toLowerCase()];
    }
    const responseTemplate = selected.responseTemplates['application/json'];
    let replyBody = response.body;
    let replyStatus = Number(selected.statusCode);
    if (responseTemplate !== undefined) {
      const out = renderMappingTemplate(responseTemplate, { body: response.body, params, context: ctx });
      replyBody = out.body;
      Object.assign(headers, out.responseOverride.header);
      if (out.responseOverride.status !== undefined) replyStatus = out.responseOverride.status;
    }
    return { status: replyStatus, headers, body: replyBody };
  }

  /** Lambda proxy integration (REST, payload format 1.0). */
  private async proxyIntegration(state: RequestState, integration: IntegrationModel, route: Route, method: string, path: string, params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> }, body: string, requestHeaders: Record<string, string>): Promise<Reply> {
    const ctx = state.context;
    const fnModel = integration.functionAddress ? this.stack.functions.get(integration.functionAddress) : undefined;
    if (!fnModel) return this.gatewayResponse(state, 'API_CONFIGURATION_ERROR', `integration URI ${integration.uri} names no Lambda function of the stack`, requestHeaders);
    // Loaded once, in a worker thread with the function's own environment (a warm container);
    // a failed cold start is a 502, as Lambda's init error is, and is tried again next time.
    let loading = this.proxyFunctions.get(fnModel.address);
    if (!loading) {
      const env = this.options.proxyFunctionEnvironment?.(fnModel) ?? lambdaEnvironment(fnModel, this.stack.region, undefined);
      loading = startIsolatedFunction(fnModel, env);
      this.proxyFunctions.set(fnModel.address, loading);
      loading.catch(() => this.proxyFunctions.delete(fnModel.address));
    }
    let fn: LoadedFunction;
    try {
      fn = await loading;
    } catch (err) {
      (ctx.integration as Record<string, unknown>).error = (err as Error).message;
      return { status: 502, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException' }, body: '{"message": "Internal server error"}' };
    }
    const event = {
      resource: route.resourcePath,
      path,
      httpMethod: method,
      headers: params.header,
      multiValueHeaders: Object.fromEntries(Object.entries(params.header).map(([k, v]) => [k, [v]])),
      queryStringParameters: Object.keys(params.querystring).length ? params.querystring : null,
      multiValueQueryStringParameters: Object.keys(params.querystring).length ? Object.fromEntries(Object.entries(params.querystring).map(([k, v]) => [k, [v]])) : null,
      pathParameters: Object.keys(params.path).length ? params.path : null,
      stageVariables: null,
      requestContext: {
        accountId: ctx.accountId,
        apiId: ctx.apiId,
        ...(state.authorizer ? { authorizer: state.authorizer } : {}),
        httpMethod: method,
        identity: ctx.identity,
        path: `/${this.stack.stageName}${path}`,
        protocol: 'HTTP/1.1',
        requestId: state.requestId,
        extendedRequestId: state.requestId,
        requestTime: new Date(state.started).toISOString(),
        requestTimeEpoch: state.started,
        resourceId: route.resourcePath,
        resourcePath: route.resourcePath,
        stage: this.stack.stageName,
      },
      body: body === '' ? null : body,
      isBase64Encoded: false,
    };
    const integrationStarted = Date.now();
    let result: { statusCode?: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; body?: unknown; isBase64Encoded?: boolean };
    try {
      result = (await withTimeout(fn.handler(event, lambdaContext(fnModel, randomUUID(), this.stack.region)), Math.min(integration.timeoutMs, fnModel.timeoutSeconds * 1000))) as typeof result;
    } catch (err) {
      const timedOut = (err as Error).message === 'timeout';
      (ctx.integration as Record<string, unknown>).error = (err as Error).message;
      return timedOut ? this.gatewayResponse(state, 'INTEGRATION_TIMEOUT', 'Endpoint request timed out', requestHeaders) : { status: 502, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException' }, body: '{"message": "Internal server error"}' };
    }
    Object.assign(ctx.integration as Record<string, unknown>, { latency: Date.now() - integrationStarted });
    // A malformed proxy response is a 502, as API Gateway answers it.
    if (!result || typeof result !== 'object' || !Number.isInteger(Number(result.statusCode))) {
      (ctx.integration as Record<string, unknown>).error = 'Malformed Lambda proxy response';
      return { status: 502, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException' }, body: '{"message": "Internal server error"}' };
    }
    (ctx.integration as Record<string, unknown>).status = Number(result.statusCode);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String).join(',');
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
    const text = typeof result.body === 'string' ? result.body : result.body === undefined || result.body === null ? '' : String(result.body);
    return { status: Number(result.statusCode), headers, body: result.isBase64Encoded ? Buffer.from(text, 'base64').toString('utf8') : text };
  }

  /** The gateway response of `type`, or DEFAULT_4XX/5XX, or API Gateway's built-in default. */
  private gatewayResponse(state: RequestState, type: string, message: string | null, requestHeaders: Record<string, string>): Reply {
    const defaultStatus = DEFAULT_GATEWAY_RESPONSE_STATUS[type] ?? 500;
    const error = state.context.error as Record<string, unknown>;
    error.responseType = type;
    error.message = message ?? '';
    error.messageString = message === null ? 'null' : JSON.stringify(message);
    const definition = this.stack.gatewayResponses.get(type) ?? this.stack.gatewayResponses.get(defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX') ?? { responseTemplates: { 'application/json': '{"message":$context.error.messageString}' } };
    const rendered = renderGatewayResponse(
      { ...definition, ...(definition.responseTemplates?.['application/json'] === undefined ? { responseTemplates: { 'application/json': '{"message":$context.error.messageString}' } } : {}) },
      { defaultStatus, context: state.context, requestHeaders },
    );
    const headers: Record<string, string> = { ...(DEFAULT_ERROR_TYPE[type] ? { 'x-amzn-errortype': DEFAULT_ERROR_TYPE[type] } : {}) };
    for (const [k, v] of Object.entries(rendered.headers)) headers[k.toLowerCase()] = v;
    return { status: rendered.status, headers, body: rendered.body };
  }
}

/** A request parameter mapping source: `'static'`, `method.request.{path,querystring,header}.x`, `context.x.y`. */
function requestParameterValue(source: string, params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> }, context: Record<string, unknown>): string | undefined {
  const staticValue = /^'(.*)'$/s.exec(source);
  if (staticValue) return staticValue[1];
  const method = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(source);
  if (method) {
    const location = method[1] as 'path' | 'querystring' | 'header';
    return location === 'header' ? params.header[method[2].toLowerCase()] : params[location][method[2]];
  }
  if (source.startsWith('context.')) {
    let value: unknown = context;
    for (const key of source.slice('context.'.length).split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined || value === null ? undefined : String(value);
  }
  return undefined;
}

/** An API Gateway-like rendering of one JSON-schema error ("object has missing required properties"). */
function describeValidationError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '' : ` at ${error.instancePath}`;
  if (error.keyword === 'required') return `object has missing required properties ([${JSON.stringify((error.params as { missingProperty: string }).missingProperty)}])`;
  if (error.keyword === 'additionalProperties') return `object instance has properties which are not allowed by the schema: [${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}]${where}`;
  return `${error.message ?? error.keyword}${where}`;
}

function send(url: string, method: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: flatHeaders(res), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}
