/**
 * API Gateway (REST) mapping templates, rendered locally with a real VTL engine (velocityjs) and
 * the variables API Gateway documents for data transformations:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 *
 * - `$input`: `body`, `json(path)`, `path(path)`, `params()`, `params(name)`;
 * - `$util`: `escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`, `base64Decode`;
 * - `$context`: whatever the caller supplies (`requestId`, `authorizer.*`, `identity.sourceIp`, ...),
 *   plus the writable `requestOverride.{header,path,querystring}` and
 *   `responseOverride.{header,status}` (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html);
 * - `$stageVariables`.
 *
 * API Gateway behaviour reproduced here (each is tested):
 * - JSON objects from `$input.path` / `$util.parseJson` behave as Java maps (`keySet()`, `get(k)`,
 *   `size()`, `containsKey(k)`, `isEmpty()`, `entrySet()`), whatever keys the client sent.
 * - `$util.escapeJavaScript` escapes like Java's `StringEscapeUtils.escapeJavaScript`: `'` becomes
 *   `\'` (not valid JSON: the reference says to undo it when the result goes into JSON), `/` becomes
 *   `\/`, and characters above U+007F become `\uXXXX`.
 * - `$input.params(name)` looks in path, then query string, then headers; a missing one is `""`.
 * - An override may be set once per parameter; a second set makes API Gateway answer 5XX (an error here).
 * - Limits: a template of at most 300 KB, and at most 1,000 iterations per `#foreach`.
 *
 * Built to be reused by a local gateway: `renderMappingTemplate` takes one request and returns the
 * transformed body together with the overrides the template set.
 */
import { Compile, parse } from 'velocityjs';

export const MAPPING_TEMPLATE_LIMITS = {
  /** API Gateway quota: mapping template size. */
  maxTemplateBytes: 300 * 1024,
  /** API Gateway quota: iterations of one `#foreach` loop in a mapping template. */
  maxForeachIterations: 1000,
} as const;

export class MappingTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingTemplateError';
  }
}

export interface RequestParams {
  readonly path?: Readonly<Record<string, string>>;
  readonly querystring?: Readonly<Record<string, string>>;
  readonly header?: Readonly<Record<string, string>>;
}

export interface MappingInput {
  /** The raw request (or integration response) payload. */
  readonly body: string;
  readonly params?: RequestParams;
  /** `$context` variables, e.g. `{ requestId, authorizer: { tenantId }, identity: { sourceIp } }`. */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
}

export interface MappingOverrides {
  readonly header: Readonly<Record<string, string>>;
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
}

export interface MappingOutput {
  /** The rendered template: the integration request (or method response) body. */
  readonly body: string;
  /** `$context.requestOverride.*` the template set. */
  readonly requestOverride: MappingOverrides;
  /** `$context.responseOverride.*` the template set. */
  readonly responseOverride: { readonly header: Readonly<Record<string, string>>; readonly status?: number };
}

/** Parsed templates: a served stack renders the same few templates on every request. */
const PARSED = new Map<string, ReturnType<typeof parse>>();
const MAX_PARSED = 256;

/** Renders `template` for one request, as API Gateway would. */
export function renderMappingTemplate(template: string, input: MappingInput): MappingOutput {
  const size = Buffer.byteLength(template, 'utf8');
  if (size > MAPPING_TEMPLATE_LIMITS.maxTemplateBytes) {
    throw new MappingTemplateError(`mapping template is ${size} bytes; API Gateway allows at most ${MAPPING_TEMPLATE_LIMITS.maxTemplateBytes} (300 KB)`);
  }
  const requestOverride = { header: overrideMap('requestOverride.header'), path: overrideMap('requestOverride.path'), querystring: overrideMap('requestOverride.querystring') };
  const responseOverride = { header: overrideMap('responseOverride.header'), status: undefined as unknown };
  let statusSet = false;
  const responseOverrideTarget = new Proxy(responseOverride, {
    set(target, key, value) {
      if (key !== 'status') return false;
      if (statusSet) throw new MappingTemplateError('$context.responseOverride.status is overridden twice; API Gateway answers 5XX');
      statusSet = true;
      target.status = value;
      return true;
    },
  });
  const context = { ...(input.context ?? {}), requestOverride, responseOverride: responseOverrideTarget };
  let asts = PARSED.get(template);
  if (asts === undefined) {
    try {
      asts = parse(template);
    } catch (err) {
      throw new MappingTemplateError(`mapping template does not parse: ${(err as Error).message.split('\n')[0]}`);
    }
    if (PARSED.size >= MAX_PARSED) PARSED.clear();
    PARSED.set(template, asts);
  }
  const body = new LimitedCompile(asts, { escape: false }).render({
    input: new InputVariables(input.body, input.params ?? {}),
    util: UTIL,
    context,
    stageVariables: { ...(input.stageVariables ?? {}) },
  });
  const status = responseOverride.status;
  return {
    body,
    requestOverride: { header: { ...requestOverride.header }, path: { ...requestOverride.path }, querystring: { ...requestOverride.querystring } },
    responseOverride: { header: { ...responseOverride.header }, ...(status !== undefined ? { status: Number(status) } : {}) },
  };
}

/** An override map: each parameter may be set once (API Gateway answers 5XX to a second set). */
function overrideMap(name: string): Record<string, string> {
  return new Proxy({} as Record<string, string>, {
    set(target, key, value) {
      if (typeof key !== 'string') return false;
      if (Object.hasOwn(target, key)) throw new MappingTemplateError(`$context.${name}.${key} is overridden twice; API Gateway answers 5XX`);
      target[key] = String(value);
      return true;
    },
  });
}

/** velocityjs with API Gateway's `#foreach` bound. */
class LimitedCompile extends Compile {
  getBlockEach(block: Array<{ from: unknown; pos: unknown }>): string {
    const from = (this as unknown as { getLiteral(ast: unknown): unknown }).getLiteral({ ...(block[0].from as object), pos: block[0].pos });
    const count = Array.isArray(from) ? from.length : from !== null && typeof from === 'object' ? Object.keys(from).length : 0;
    if (count > MAPPING_TEMPLATE_LIMITS.maxForeachIterations) {
      throw new MappingTemplateError(`#foreach over ${count} items; API Gateway stops a loop at ${MAPPING_TEMPLATE_LIMITS.maxForeachIterations} iterations`);
    }
    return (Compile.prototype as unknown as { getBlockEach(this: unknown, b: unknown): string }).getBlockEach.call(this, block);
  }
}

// ---- $input ----

class InputVariables {
  private parsed: { value: unknown } | undefined;

  constructor(
    readonly body: string,
    private readonly request: RequestParams,
  ) {}

  /** The body evaluated at a JSONPath expression, as a JSON string. */
  json(path: string): string {
    const value = evaluateJsonPath(this.document(), path);
    return value === undefined ? '' : JSON.stringify(value);
  }

  /** The body evaluated at a JSONPath expression, as an object (maps behave as Java maps). */
  path(path: string): unknown {
    return toVelocity(evaluateJsonPath(this.document(), path));
  }

  /** `params()`: all parameters by location; `params(name)`: path, then query string, then header. */
  params(name?: string): unknown {
    const { path = {}, querystring = {}, header = {} } = this.request;
    if (name === undefined) return new JavaMap(new Map<string, unknown>([['path', new JavaMap(new Map(Object.entries(path)))], ['querystring', new JavaMap(new Map(Object.entries(querystring)))], ['header', new JavaMap(new Map(Object.entries(header)))]]));
    if (Object.hasOwn(path, name)) return path[name];
    if (Object.hasOwn(querystring, name)) return querystring[name];
    const headerName = Object.keys(header).find((h) => h.toLowerCase() === String(name).toLowerCase());
    return headerName === undefined ? '' : header[headerName];
  }

  private document(): unknown {
    if (this.parsed === undefined) {
      try {
        this.parsed = { value: this.body.trim() === '' ? {} : JSON.parse(this.body) };
      } catch {
        throw new MappingTemplateError('$input: the body is not valid JSON');
      }
    }
    return this.parsed.value;
  }
}

/**
 * The JSONPath subset mapping templates use: `$`, `.name`, `['name']`, `["name"]`, `[index]`.
 * Anything else (filters, wildcards, recursive descent) is refused rather than guessed.
 */
export function evaluateJsonPath(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new MappingTemplateError(`JSONPath must start with $: ${JSON.stringify(path)}`);
  let value: unknown = document;
  const step = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*(\d+)\s*\]/y;
  let at = 1;
  while (at < path.length) {
    step.lastIndex = at;
    const match = step.exec(path);
    if (!match) throw new MappingTemplateError(`unsupported JSONPath ${JSON.stringify(path)} at ${at}`);
    at = step.lastIndex;
    const key = match[1] ?? match[2] ?? match[3];
    if (value === null || typeof value !== 'object') return undefined;
    if (match[4] !== undefined) value = Array.isArray(value) ? value[Number(match[4])] : undefined;
    else value = Object.hasOwn(value, key!) ? (value as Record<string, unknown>)[key!] : undefined;
  }
  return value;
}

/**
 * A JSON object as the Java map API Gateway hands to templates. Entries live in a Map, so keys
 * such as `get`, `keySet` or `__proto__` are data, never methods or prototypes; `$map.key` reads an
 * entry through the proxy.
 */
class JavaMap {
  constructor(readonly entries: Map<string, unknown>) {
    return new Proxy(this, {
      get(target, key, receiver) {
        if (typeof key === 'string' && !(key in target) && target.entries.has(key)) return target.entries.get(key);
        return Reflect.get(target, key, receiver);
      },
    });
  }
  keySet(): string[] {
    return [...this.entries.keys()];
  }
  get(key: unknown): unknown {
    return this.entries.get(String(key));
  }
  containsKey(key: unknown): boolean {
    return this.entries.has(String(key));
  }
  size(): number {
    return this.entries.size;
  }
  isEmpty(): boolean {
    return this.entries.size === 0;
  }
  entrySet(): Array<{ key: string; value: unknown }> {
    return [...this.entries].map(([key, value]) => ({ key, value }));
  }
  toString(): string {
    return `{${[...this.entries].map(([k, v]) => `${k}=${String(v)}`).join(', ')}}`;
  }
}

function toVelocity(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toVelocity);
  if (value !== null && typeof value === 'object') return new JavaMap(new Map(Object.entries(value).map(([k, v]) => [k, toVelocity(v)])));
  return value;
}

// ---- $util ----

/** Java `StringEscapeUtils.escapeJavaScript` (commons-lang 2), which API Gateway's `$util.escapeJavaScript` follows. */
export function escapeJavaScript(value: unknown): string {
  const input = String(value ?? '');
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    const code = input.charCodeAt(i);
    if (code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (code < 0x20) {
      const named: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };
      out += named[code] ?? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '/') out += '\\/';
    else out += ch;
  }
  return out;
}

/** Java `URLEncoder.encode(value, "UTF-8")`: space as `+`, `.-*_` and alphanumerics kept. */
export function urlEncode(value: unknown): string {
  return encodeURIComponent(String(value ?? ''))
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java `URLDecoder.decode(value, "UTF-8")`: `+` is a space. */
export function urlDecode(value: unknown): string {
  return decodeURIComponent(String(value ?? '').replace(/\+/g, ' '));
}

// Not frozen: velocityjs writes an `eval` helper onto every object it calls a method on.
const UTIL = {
  escapeJavaScript,
  parseJson: (value: unknown) => {
    try {
      return toVelocity(JSON.parse(String(value)));
    } catch {
      throw new MappingTemplateError(`$util.parseJson: not JSON: ${String(value).slice(0, 64)}`);
    }
  },
  urlEncode,
  urlDecode,
  base64Encode: (value: unknown) => Buffer.from(String(value ?? ''), 'utf8').toString('base64'),
  base64Decode: (value: unknown) => Buffer.from(String(value ?? ''), 'base64').toString('utf8'),
};
