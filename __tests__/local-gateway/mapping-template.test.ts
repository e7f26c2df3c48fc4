/** The local mapping template renderer: API Gateway's variables, its quirks and its limits. */
import { escapeJavaScript, evaluateJsonPath, MappingTemplateError, renderMappingTemplate, urlDecode, urlEncode } from '../../local-gateway/mapping-template';
import { renderGatewayResponse, substituteContext } from '../../local-gateway/gateway-response';

const render = (template: string, body = '{}', extra: Partial<Parameters<typeof renderMappingTemplate>[1]> = {}) =>
  renderMappingTemplate(template, { body, ...extra }).body;

describe('$input', () => {
  const body = JSON.stringify({ a: { b: [10, { c: 'x"y' }] }, 'odd key': 1 });

  test('body is the raw payload; json(path) is JSON; path(path) is the value', () => {
    expect(render('$input.body', body)).toBe(body);
    expect(render("$input.json('$.a.b[1]')", body)).toBe('{"c":"x\\"y"}');
    expect(render("$input.json('$.a.b[1].c')", body)).toBe('"x\\"y"');
    expect(render("$input.json(\"$['odd key']\")", body)).toBe('1');
    expect(render("$input.path('$.a.b').size()", body)).toBe('2');
    expect(render("$input.path('$.a.b[0]')", body)).toBe('10');
    expect(render("$input.json('$.missing')", body)).toBe('');
  });

  test('params(): path, query string and headers; params(name) searches them in that order', () => {
    const params = { path: { id: 'p' }, querystring: { id: 'q', only: 'qs' }, header: { 'X-Thing': 'h' } };
    expect(render("$input.params('id')|$input.params('only')|$input.params('x-thing')|[$input.params('nope')]", '{}', { params })).toBe('p|qs|h|[]');
    expect(render("#foreach($type in $input.params().keySet())$type=$input.params().get($type).size() #end", '{}', { params })).toBe('path=1 querystring=2 header=1 ');
  });

  test('unsupported JSONPath is refused, not guessed', () => {
    expect(() => evaluateJsonPath({}, '$..a')).toThrow(new MappingTemplateError('unsupported JSONPath "$..a" at 1'));
    expect(() => evaluateJsonPath({}, 'a')).toThrow('JSONPath must start with $: "a"');
  });

  test('a body that is not JSON fails the JSON accessors only', () => {
    expect(render('$input.body', 'not json')).toBe('not json');
    expect(() => render("$input.json('$')", 'not json')).toThrow('$input: the body is not valid JSON');
  });
});

describe('$util', () => {
  test("escapeJavaScript escapes like Java's StringEscapeUtils (single quote included, not valid JSON)", () => {
    expect(escapeJavaScript(`it's "q" \\ / é \n\t\u0001 🙂`)).toBe("it\\'s \\\"q\\\" \\\\ \\/ \\u00E9 \\n\\t\\u0001 \\uD83D\\uDE42");
    expect(() => JSON.parse(`"${escapeJavaScript("it's")}"`)).toThrow();
    expect(JSON.parse(`"${escapeJavaScript('"q" \\ / é \n 🙂')}"`)).toBe('"q" \\ / é \n 🙂');
  });

  test('parseJson, urlEncode/urlDecode (form encoding), base64Encode/base64Decode', () => {
    expect(render(`#set($o = $util.parseJson('{"k":{"n":[1,2]}}'))$o.k.n.size() $o.get('k').keySet()`)).toBe('2 [n]');
    expect(urlEncode('a b&c=d/é*~')).toBe('a+b%26c%3Dd%2F%C3%A9*%7E');
    expect(urlDecode('a+b%26c')).toBe('a b&c');
    expect(render("$util.base64Encode('héllo')|$util.base64Decode('aMOpbGxv')")).toBe('aMOpbGxv|héllo');
  });
});

describe('$context and overrides', () => {
  test('context variables render; request and response overrides are returned', () => {
    const out = renderMappingTemplate(
      "$context.requestId $context.authorizer.tenantId $context.identity.sourceIp#set($context.requestOverride.header.X-A = 'a')#set($context.requestOverride.querystring.q = 'b')#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-R = 'r')",
      { body: '{}', context: { requestId: 'r-1', authorizer: { tenantId: 'acme' }, identity: { sourceIp: '192.0.2.1' } } },
    );
    expect(out).toEqual({
      body: 'r-1 acme 192.0.2.1',
      requestOverride: { header: { 'X-A': 'a' }, path: {}, querystring: { q: 'b' } },
      responseOverride: { header: { 'X-R': 'r' }, status: 418 },
    });
  });

  test('an override set twice is an error (API Gateway answers 5XX)', () => {
    expect(() => render("#set($context.requestOverride.header.X = 'a')#set($context.requestOverride.header.X = 'b')")).toThrow(
      '$context.requestOverride.header.X is overridden twice; API Gateway answers 5XX',
    );
  });
});

describe('limits', () => {
  test('a template above 300 KB is refused', () => {
    expect(() => render('x'.repeat(300 * 1024 + 1))).toThrow('mapping template is 307201 bytes; API Gateway allows at most 307200 (300 KB)');
    expect(render('x'.repeat(300 * 1024))).toHaveLength(300 * 1024);
  });

  test('#foreach stops at 1,000 iterations', () => {
    const body = (n: number) => JSON.stringify({ items: Array.from({ length: n }, (_, i) => i) });
    expect(render("#foreach($i in $input.path('$.items'))x#end", body(1000))).toHaveLength(1000);
    expect(() => render("#foreach($i in $input.path('$.items'))x#end", body(1001))).toThrow('#foreach over 1001 items; API Gateway stops a loop at 1000 iterations');
  });

  test('a template that does not parse names the problem', () => {
    expect(() => render('#if(')).toThrow(/^mapping template does not parse: /);
  });
});

describe('gateway responses', () => {
  test('$context substitution only (no VTL), static and request-header response parameters', () => {
    expect(substituteContext('#if(x) $context.requestId ${context.error.message} $context.nope', { requestId: 'r', error: { message: 'm' } })).toBe('#if(x) r m ');
    expect(
      renderGatewayResponse(
        { statusCode: '429', responseParameters: { 'gatewayresponse.header.x-amzn-ErrorType': "'ThrottlingException'", 'gatewayresponse.header.x-echo': 'method.request.header.X-In' }, responseTemplates: { 'application/json': '{"id":"$context.requestId"}' } },
        { defaultStatus: 429, context: { requestId: 'r' }, requestHeaders: { 'x-in': 'v' } },
      ),
    ).toEqual({ status: 429, headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ThrottlingException', 'x-echo': 'v' }, body: '{"id":"r"}' });
  });
});
