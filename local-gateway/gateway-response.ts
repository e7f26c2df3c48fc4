/**
 * API Gateway gateway responses, rendered locally: their templates are not VTL, API Gateway only
 * substitutes `$context` variables (`$context.requestId`, `$context.error.message`, ...), and
 * their header values are static strings in single quotes (or request parameters).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.gatewayResponse.html
 */

export interface GatewayResponseDefinition {
  /** Status to answer; `defaultStatus` when the response does not override it. */
  readonly statusCode?: string;
  /** `gatewayresponse.header.<name>` -> `'static value'` or `method.request.header.<name>`. */
  readonly responseParameters?: Readonly<Record<string, string>>;
  readonly responseTemplates?: Readonly<Record<string, string>>;
}

export interface RenderedGatewayResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Substitutes `$context.a.b` (and `${context.a.b}`) with values from `context`; unknown variables
 * become `missing` (empty in gateway responses; access logs write `-`).
 */
export function substituteContext(template: string, context: Readonly<Record<string, unknown>>, missing = ''): string {
  const lookup = (path: string): string => {
    let value: unknown = context;
    for (const key of path.split('.')) value = value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value)) ? missing : String(value);
  };
  return template.replace(/\$\{context\.([A-Za-z0-9_.]+)\}|\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (_, braced: string | undefined, bare: string | undefined) => lookup((braced ?? bare)!));
}

/** The response API Gateway sends for one gateway response definition. */
export function renderGatewayResponse(
  definition: GatewayResponseDefinition,
  options: { readonly defaultStatus: number; readonly context: Readonly<Record<string, unknown>>; readonly requestHeaders?: Readonly<Record<string, string>>; readonly contentType?: string },
): RenderedGatewayResponse {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  for (const [key, source] of Object.entries(definition.responseParameters ?? {})) {
    const name = key.replace(/^gatewayresponse\.header\./, '');
    const staticValue = /^'(.*)'$/s.exec(source);
    if (staticValue) headers[name] = staticValue[1];
    else if (source.startsWith('method.request.header.')) {
      const wanted = source.slice('method.request.header.'.length).toLowerCase();
      const found = Object.entries(options.requestHeaders ?? {}).find(([h]) => h.toLowerCase() === wanted);
      if (found) headers[name] = found[1];
    } else throw new Error(`unsupported gateway response parameter source ${JSON.stringify(source)} for ${key}`);
  }
  const template = definition.responseTemplates?.[options.contentType ?? 'application/json'];
  return {
    status: definition.statusCode ? Number(definition.statusCode) : options.defaultStatus,
    headers,
    body: template === undefined ? '' : substituteContext(template, options.context),
  };
}
