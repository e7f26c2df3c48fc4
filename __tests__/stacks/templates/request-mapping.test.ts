/**
 * The request mapping templates as synthesized, executed with a real VTL engine against the
 * bodies clients send: the output must parse as JSON and equal the expected request, with the
 * caller's tenant stamped into Bedrock's request metadata and nothing else changed. The request
 * body model that guards the template is checked with a draft-04 JSON schema validator.
 */
import Ajv from 'ajv-draft-04';
import { renderMappingTemplate, type MappingInput } from '../../../local-gateway/mapping-template';
import { authorizerContext, CLIENT_METADATA_ENTRIES, STAMPED_ENTRIES } from '../../../functions/shared/tenant-stamp';
import { INVOKE_METADATA_HEADER, MAX_MAPPING_TEMPLATE_BYTES } from '../../../stacks/templates/request-mapping';
import { MAX_CONVERSE_FIELDS } from '../../../stacks/constructs/rest-api';
import { exampleConfig } from '../../helpers/config';
import { resourcesOf, synthGateway } from '../../helpers/synth';

const { json } = synthGateway(exampleConfig(), 'dev');
const integrations = Object.values(resourcesOf(json, 'aws_api_gateway_integration'));
const templateOf = (route: string): string => {
  const found = integrations.filter((i) => JSON.stringify(i.resource_id).includes(route));
  expect(found).toHaveLength(1);
  return (found[0].request_templates as Record<string, string>)['application/json'];
};
const CONVERSE = templateOf('converse');
const INVOKE = templateOf('invoke');
const schemaOf = (name: string) => JSON.parse(Object.values(resourcesOf(json, 'aws_api_gateway_model')).find((m) => m.name === name)!.schema as string);
const validateConverse = new Ajv({ allErrors: true, unicodeRegExp: false }).compile(schemaOf('ConverseRequest'));

const REQUEST_ID = 'c0ffee00-1111-4222-8333-444455556666';
/** What the authorizer returns for a caller whose subject is `auth0|123`. */
const AUTHORIZER = authorizerContext({ tenant: 'acme', subject: 'auth0|123', role: 'developers', tier: 'gold', idp: 'cognito', environment: 'dev' });
const STAMP = {
  'gw-tenant': 'acme',
  'gw-sub': 'auth0=7C123',
  'gw-idp': 'cognito',
  'gw-tier': 'gold',
  'gw-env': 'dev',
  'gw-request-id': REQUEST_ID,
};

const request = (body: string, header: Record<string, string> = {}): MappingInput => ({
  body,
  params: { path: { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' }, header: { 'Content-Type': 'application/json', ...header } },
  context: { requestId: REQUEST_ID, authorizer: AUTHORIZER, identity: { sourceIp: '192.0.2.10' } },
});

const messages = [{ role: 'user', content: [{ text: 'Hello' }] }];

describe('Converse request template', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      'nested JSON: system, tools and model fields pass through untouched',
      {
        messages,
        system: [{ text: 'Be brief.' }],
        inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9, stopSequences: ['\n\nHuman:'] },
        toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }] },
        additionalModelRequestFields: { top_k: 250, nested: { deeper: [1, [2, [3, { four: null }]], true, false] } },
      },
      {},
    ],
    [
      'unicode, quotes and backslashes in content',
      { messages: [{ role: 'user', content: [{ text: 'Grüße, 世界 🙂 "quoted" \'single\' back\\slash \\n not-a-newline\nnewline\ttab \u0000 </script>' }] }] },
      {},
    ],
    ['an existing client requestMetadata is kept beside the stamp', { messages, requestMetadata: { team: 'search', 'cost center': 'cc:1234/5', empty: '' } }, { team: 'search', 'cost center': 'cc:1234/5', empty: '' }],
    ['a spoofed gw-tenant (and any gw- key) is replaced by the gateway', { messages, requestMetadata: { 'gw-tenant': 'globex', 'gw-sub': 'admin', 'gw-extra': 'x', app: 'chat' } }, { app: 'chat' }],
    [
      // Bedrock's key pattern [a-zA-Z0-9\s:_@$#=/+,-.] allows upper case, so these would reach the invocation log as look-alikes.
      'the reserved prefix in any case (GW-tenant, Gw-sub, gW-) is dropped too; a key merely containing gw- is kept',
      { messages, requestMetadata: { 'GW-tenant': 'globex', 'Gw-sub': 'admin', 'gW-idp': 'x', 'GW-': 'y', 'my-gw-tag': 'kept', gw: 'kept too' } },
      { 'my-gw-tag': 'kept', gw: 'kept too' },
    ],
    ['client keys named like map methods are data', { messages, requestMetadata: { get: 'a', keySet: 'b', size: 'c', containsKey: 'd' } }, { get: 'a', keySet: 'b', size: 'c', containsKey: 'd' }],
    ['an empty requestMetadata', { messages, requestMetadata: {} }, {}],
  ];

  test.each(cases)('%s', (_, body, clientMetadata) => {
    expect(validateConverse(body)).toBe(true);
    const out = renderMappingTemplate(CONVERSE, request(JSON.stringify(body)));
    const { requestMetadata: _sent, ...rest } = body;
    expect(JSON.parse(out.body)).toEqual({ ...rest, requestMetadata: { ...clientMetadata, ...STAMP } });
    expect(out.requestOverride.header).toEqual({});
  });

  test('an empty object still renders valid JSON carrying the stamp (the body model refuses it first)', () => {
    expect(JSON.parse(renderMappingTemplate(CONVERSE, request('{}')).body)).toEqual({ requestMetadata: STAMP });
    expect(validateConverse({})).toBe(false);
  });

  test('the largest body API Gateway accepts (10 MB) renders to the same request plus the stamp', () => {
    const filler = 'x'.repeat(1024 * 1024);
    const body = { messages: Array.from({ length: 10 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ text: filler }] })), requestMetadata: { app: 'bulk' } };
    let raw = JSON.stringify(body);
    body.messages[9].content[0].text = filler.slice(0, filler.length - (Buffer.byteLength(raw) - 10 * 1024 * 1024));
    raw = JSON.stringify(body);
    expect(Buffer.byteLength(raw)).toBe(10 * 1024 * 1024);
    const out = renderMappingTemplate(CONVERSE, request(raw));
    expect(JSON.parse(out.body)).toEqual({ messages: body.messages, requestMetadata: { app: 'bulk', ...STAMP } });
  });

  test('every stamped value matches Bedrock\'s pattern even for a hostile subject', () => {
    const hostile = authorizerContext({ tenant: 'acme', subject: 'ünï "q" \\ |\n'.repeat(40), role: '', tier: 'gold', idp: 'okta', environment: 'dev' });
    const out = renderMappingTemplate(CONVERSE, { ...request(JSON.stringify({ messages })), context: { requestId: REQUEST_ID, authorizer: hostile } });
    const metadata = JSON.parse(out.body).requestMetadata as Record<string, string>;
    expect(Object.keys(metadata)).toEqual(STAMPED_ENTRIES.map((e) => e.key));
    for (const value of Object.values(metadata)) expect(value).toMatch(/^[a-zA-Z0-9\s:_@$#=/+,.-]{0,256}$/);
    expect(metadata['gw-sub'].length).toBeLessThanOrEqual(256);
    expect(metadata['gw-sub']).toMatch(/^[A-Za-z0-9=]+#[A-Za-z0-9_-]{43}$/);
  });

  test('the template is far below the 300 KB limit and loops over at most 16 + a few fields', () => {
    expect(Buffer.byteLength(CONVERSE)).toBeLessThan(MAX_MAPPING_TEMPLATE_BYTES);
    expect(Buffer.byteLength(CONVERSE)).toBeLessThan(4096);
  });
});

describe('the Converse body model guards the template with a 400', () => {
  const errors = (body: unknown) => (validateConverse(body) ? [] : validateConverse.errors!.map((e) => `${e.instancePath} ${e.message}`));

  test(`at most ${CLIENT_METADATA_ENTRIES} client entries, so the stamp never pushes Bedrock past 16`, () => {
    const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(errors({ messages, requestMetadata: entries(10) })).toEqual([]);
    expect(errors({ messages, requestMetadata: entries(11) })).toEqual(['/requestMetadata must NOT have more than 10 properties']);
    expect(Object.keys(entries(10)).length + STAMPED_ENTRIES.length).toBe(16);
  });

  test("values and keys must match Bedrock's pattern and length", () => {
    expect(errors({ messages, requestMetadata: { app: 'auth0|123' } })).toEqual(['/requestMetadata/app must match pattern "^[a-zA-Z0-9 \\t\\n\\x0B\\f\\r:_@$#=/+,.-]{0,256}$"']);
    expect(errors({ messages, requestMetadata: { app: 'x'.repeat(257) } })).toHaveLength(1);
    expect(errors({ messages, requestMetadata: { app: 'x'.repeat(256) } })).toEqual([]);
    expect(errors({ messages, requestMetadata: { "it's": 'v' } })).toEqual(['/requestMetadata must NOT have additional properties']);
    expect(errors({ messages, requestMetadata: { '': 'v' } })).toEqual(['/requestMetadata must NOT have additional properties']);
    expect(errors({ messages, requestMetadata: { app: 7 } })).toEqual(['/requestMetadata/app must be string']);
    expect(errors({ messages, requestMetadata: { a: 'tab\tand space ok: _@$#=/+,.-' } })).toEqual([]);
  });

  test('top-level fields must be identifiers (the template addresses them by name)', () => {
    expect(errors({ messages, "x']": 1 })).toEqual([' must NOT have additional properties']);
    expect(errors({ messages, inferenceConfig: {}, newFieldFromBedrock: {} })).toEqual([]);
    expect(errors({ messages: [] })).toEqual(['/messages must NOT have fewer than 1 items']);
  });

  const withFields = (total: number) => ({ messages, ...Object.fromEntries(Array.from({ length: total - 1 }, (_, i) => [`f${i}`, i])) });

  test('1,001 top-level fields are a 400, before the template would loop past API Gateway\'s 1,000 iterations', () => {
    expect(MAX_CONVERSE_FIELDS).toBe(64);
    expect(errors(withFields(1001))).toEqual([' must NOT have more than 64 properties']);
    expect(errors(withFields(65))).toEqual([' must NOT have more than 64 properties']);
    // What the bound prevents: the real VTL engine refuses the loop the template would run.
    expect(() => renderMappingTemplate(CONVERSE, request(JSON.stringify(withFields(1001))))).toThrow('#foreach over 1001 items; API Gateway stops a loop at 1000 iterations');
  });

  test('64 top-level fields pass the model and render through the template unchanged', () => {
    const body = withFields(64);
    expect(Object.keys(body)).toHaveLength(64);
    expect(errors(body)).toEqual([]);
    expect(JSON.parse(renderMappingTemplate(CONVERSE, request(JSON.stringify(body))).body)).toEqual({ ...body, requestMetadata: STAMP });
  });

  test('a real Converse body with every top-level field Bedrock defines passes the model', () => {
    // Request syntax: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
    const body = {
      messages,
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9, stopSequences: ['END'] },
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }], toolChoice: { auto: {} } },
      guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '1', trace: 'enabled' },
      additionalModelRequestFields: { top_k: 250 },
      additionalModelResponseFieldPaths: ['/stop_sequence'],
      promptVariables: { city: { text: 'Paris' } },
      requestMetadata: { app: 'chat' },
      performanceConfig: { latency: 'standard' },
      serviceTier: { type: 'default' },
      outputConfig: { textFormat: { type: 'text' } },
    };
    expect(errors(body)).toEqual([]);
    const { requestMetadata: _sent, ...rest } = body;
    expect(JSON.parse(renderMappingTemplate(CONVERSE, request(JSON.stringify(body))).body)).toEqual({ ...rest, requestMetadata: { app: 'chat', ...STAMP } });
  });
});

describe('InvokeModel request template', () => {
  const bodies: Array<[string, string]> = [
    ['an Anthropic messages body', JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Grüße "q" \\ 🙂' }] })],
    ['an empty object', '{}'],
    ['a body with its own metadata-looking field', JSON.stringify({ inputText: 'x', requestMetadata: { 'gw-tenant': 'spoof' } })],
  ];

  test.each(bodies)('%s passes through byte for byte; the stamp goes into the metadata header', (_, body) => {
    const out = renderMappingTemplate(INVOKE, request(body));
    expect(out.body).toBe(body);
    expect(JSON.parse(out.body)).toEqual(JSON.parse(body));
    expect(Object.keys(out.requestOverride.header)).toEqual([INVOKE_METADATA_HEADER]);
    expect(JSON.parse(out.requestOverride.header[INVOKE_METADATA_HEADER])).toEqual(STAMP);
  });

  test("a client's own X-Amzn-Bedrock-Request-Metadata is replaced, not merged (gw- keys in any case included)", () => {
    const out = renderMappingTemplate(INVOKE, request('{"inputText":"x"}', { [INVOKE_METADATA_HEADER]: '{"gw-tenant":"globex","GW-tenant":"globex","Gw-sub":"admin","team":"search"}' }));
    expect(JSON.parse(out.requestOverride.header[INVOKE_METADATA_HEADER])).toEqual(STAMP);
  });

  test('the integration maps no client header into the Bedrock call: only the override sets it', () => {
    const invoke = integrations.find((i) => JSON.stringify(i.resource_id).includes('invoke'))!;
    expect(Object.keys(invoke.request_parameters as object).filter((k) => k.toLowerCase().includes('metadata'))).toEqual([]);
  });
});

test('no template holds Terraform interpolation syntax (${ or %{), which would break terraform validate', () => {
  for (const template of [CONVERSE, INVOKE]) expect(template).not.toMatch(/[$%]\{/);
});
