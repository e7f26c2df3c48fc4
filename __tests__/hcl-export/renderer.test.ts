/**
 * cdktf 0.21.0's HCL renderer, as patched by patches/cdktf+0.21.0.patch (applied by the root
 * package's postinstall): the exact HCL it writes for hostile values. That Terraform reads each
 * of them back as the JSON meant is proven in hostile-values.test.ts; these pin the text.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudBackend, NamedCloudWorkspace, TaggedCloudWorkspaces, TerraformStack, Testing } from 'cdktf';
import { renderAttributes, renderLocals, renderMap, renderMapValue, renderTerraform } from 'cdktf/lib/hcl/render';
import { REPO_ROOT } from '../helpers/config';

const typedString = (value: unknown) => ({ value, type: 'simple', isBlock: false, storageClassType: 'string' });

test('the installed renderer is the patched one (npm ci ran the root postinstall)', () => {
  const installed = readFileSync(require.resolve('cdktf/lib/hcl/render'), 'utf8');
  expect(installed).toContain('Patched by bedrock-ai-gateway (patches/cdktf+0.21.0.patch)');
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.postinstall).toBe('patch-package --error-on-fail --error-on-warn');
});

describe('strings render as the template they mean in Terraform JSON', () => {
  test.each([
    ['a JSON policy with a reference (issue 12)', '{"Resource":"${aws_x.y.arn}:*"}', '"{\\"Resource\\":\\"${aws_x.y.arn}:*\\"}"'],
    ['a regex with \\d (issue 12)', '10\\d|11\\d', '"10\\\\d|11\\\\d"'],
    ['an escaped dot', '[A-Z]+\\.[a-z]+', '"[A-Z]+\\\\.[a-z]+"'],
    ['two backslashes', 'a\\\\b', '"a\\\\\\\\b"'],
    ['a trailing backslash', 'end\\', '"end\\\\"'],
    ['quotes', 'say "hi"', '"say \\"hi\\""'],
    ['$context variables', '{"requestId":"$context.requestId"}', '"{\\"requestId\\":\\"$context.requestId\\"}"'],
    ['VTL #set on one line', '#set($x = "a")$x', '"#set($x = \\"a\\")$x"'],
    ['an escaped ${ (literal text, not a reference)', '$${not_a_ref}', '"$${not_a_ref}"'],
    ['an escaped %{', '100%%{x}', '"100%%{x}"'],
    ['a lone $ and %', 'cost: $5 (50%)', '"cost: $5 (50%)"'],
    ['a metric filter pattern', '{ $.status = 429 }', '"{ $.status = 429 }"'],
    ['a Logs Insights query', 'fields @message | filter msg like "x" | stats count(*)', '"fields @message | filter msg like \\"x\\" | stats count(*)"'],
    ['quotes and braces inside an interpolation stay as written', '${jsonencode({"a" = "}"})}: "x"', '"${jsonencode({"a" = "}"})}: \\"x\\""'],
    ['a nested template inside an interpolation', '${upper("${var.a}\\"")}"', '"${upper("${var.a}\\"")}\\""'],
    ['an unterminated ${ is left for the parser to refuse, as Terraform refuses the JSON', 'a ${b', '"a ${b"'],
    ['a newline without a trailing one (quoted, so no newline is added)', 'a\nb', '"a\\nb"'],
    ['CR LF and a tab', 'a\r\nb\tc', '"a\\r\\nb\\tc"'],
    ['other control characters', 'a\u0001\u007f', '"a\\u0001\\u007f"'],
    ['unicode', 'ünï ✓ 😀 日本', '"ünï ✓ 😀 日本"'],
    ['a number-like string stays a string', '0123', '"0123"'],
    ['a JSON-looking string stays a string', '["x"]', '"[\\"x\\"]"'],
    ['an empty string', '', '""'],
  ])('%s', (_name, value, hcl) => {
    expect(renderMapValue(value)).toBe(hcl);
    expect(renderAttributes({ a: typedString(value) })).toBe(`a = ${hcl}`);
  });

  test('a multi-line string ending in a newline renders as a heredoc holding it verbatim', () => {
    const vtl = '#set($t = $context.authorizer.tenantId)\n{"tenant": "$util.escapeJavaScript($t)", "p": "\\d"}\n';
    expect(renderMapValue(vtl)).toBe(`<<EOT\n${vtl}EOT`);
  });

  test('a multi-line string with a line that would close the heredoc stays quoted', () => {
    expect(renderMapValue('a\n  EOT\nb\n')).toBe('"a\\n  EOT\\nb\\n"');
  });
});

test('map keys are bare only when they are plain identifiers; others are quoted and escaped', () => {
  expect(renderMap({ plain: 'a', 'application/json': 'b', 'k"q': 'c', for: 'd', '-x': 'e' })).toBe(
    '{\nplain = "a"\n"application/json" = "b"\n"k\\"q" = "c"\n"for" = "d"\n"-x" = "e"\n}',
  );
});

test('untyped values (outputs, locals, overrides) are strings, never raw expressions or numbers', () => {
  expect(renderAttributes({ value: { value: { a: '{"b":1}', n: '5', list: ['[x]', null] }, type: 'any', isBlock: false, storageClassType: '' } })).toBe(
    'value = {\na = "{\\"b\\":1}"\nn = "5"\nlist = [\n"[x]",\nnull,\n]\n}',
  );
});

test('depends_on, provider and lifecycle references are bare traversals (quoted ones are deprecated)', () => {
  expect(
    renderAttributes({
      provider: 'aws.west',
      depends_on: ['aws_iam_role.a', 'data.aws_partition.p'],
      lifecycle: { ignore_changes: ['identity_validation_expression'], create_before_destroy: true },
    }),
  ).toBe('provider = aws.west\ndepends_on = [\naws_iam_role.a,\ndata.aws_partition.p,\n]\nlifecycle {\n  ignore_changes = [\nidentity_validation_expression,\n]\n  create_before_destroy = true\n}');
  expect(renderAttributes({ lifecycle: { ignore_changes: 'all' } })).toBe('lifecycle {\n  ignore_changes = all\n}');
});

test("an attribute cdktf types as 'any' because its schema was too deep (WAF rule.statement) renders as nested blocks", () => {
  const statement = {
    and_statement: {
      statement: [
        { byte_match_statement: { search_string: 'a"\\d', positional_constraint: 'CONTAINS', field_to_match: { uri_path: {} }, text_transformation: [{ priority: 0, type: 'NONE' }] } },
        { not_statement: { statement: { geo_match_statement: { country_codes: ['US', 'CA'] } } } },
      ],
    },
    rule_action_override: [],
  };
  expect(renderAttributes({ statement: { value: statement, type: 'simple', isBlock: false, storageClassType: 'any' } })).toBe(
    [
      'statement {',
      'and_statement {',
      'statement {',
      'byte_match_statement {',
      'search_string = "a\\"\\\\d"',
      'positional_constraint = "CONTAINS"',
      'field_to_match {',
      'uri_path {}',
      '}',
      'text_transformation {',
      'priority = 0',
      'type = "NONE"',
      '}',
      '}',
      '}',
      'statement {',
      'not_statement {',
      'statement {',
      'geo_match_statement {',
      'country_codes = [\n"US",\n"CA",\n]',
      '}',
      '}',
      '}',
      '}',
      '}',
      '}',
    ].join('\n'),
  );
});

test('the terraform block renders its own attributes (the stock renderer wrote their indexes)', () => {
  expect(renderTerraform({ required_providers: { aws: { source: 'aws', version: '5.100.0' } }, required_version: '>= 1.10' })).toContain('  required_version = ">= 1.10"');
});

test('locals keep falsy values (the stock renderer dropped them)', () => {
  expect(renderLocals({ zero: { value: 0 }, off: { value: false }, empty: { value: '' } })).toBe('locals {\n    zero = 0\noff = false\nempty = ""\n}');
});

test('a list element is never a heredoc (its closing marker must end the line, and a comma follows)', () => {
  const multiLine = 'a\nb\n';
  expect(renderAttributes({ l: { value: [multiLine], type: 'list', isBlock: false, storageClassType: 'stringList' } })).toBe('l = [\n"a\\nb\\n"\n]');
  expect(renderAttributes({ value: { value: [multiLine, { k: multiLine }], type: 'any', isBlock: false, storageClassType: '' } })).toBe(
    'value = [\n"a\\nb\\n",\n{\nk = <<EOT\na\nb\nEOT\n},\n]',
  );
});

describe('the Terraform Cloud block keeps the workspace project (stock cdktf dropped it from the HCL, not from the JSON)', () => {
  const cloudBlock = (workspaces: NamedCloudWorkspace | TaggedCloudWorkspaces) => {
    const stack = new TerraformStack(Testing.app(), 'cloud');
    new CloudBackend(stack, { organization: 'example-corp', workspaces, hostname: 'tfe.example.com' });
    const hcl = Testing.synthHcl(stack);
    const json = JSON.parse(Testing.synth(stack)) as { terraform: { cloud: unknown } };
    const last = 'hostname = "tfe.example.com"\n}';
    return { block: hcl.slice(hcl.indexOf('cloud {'), hcl.indexOf(last) + last.length), json: json.terraform.cloud };
  };

  test('a named workspace with a project', () => {
    const { block, json } = cloudBlock(new NamedCloudWorkspace('gateway-prod', 'ai-platform'));
    expect(block).toBe('cloud {\norganization = "example-corp"\nworkspaces {\nname = "gateway-prod"\nproject = "ai-platform"\n}\nhostname = "tfe.example.com"\n}');
    expect(json).toEqual({ organization: 'example-corp', hostname: 'tfe.example.com', workspaces: { name: 'gateway-prod', project: 'ai-platform' } });
  });

  test('tagged workspaces with a project', () => {
    const { block, json } = cloudBlock(new TaggedCloudWorkspaces(['bedrock-gateway', 'staging'], 'ai-platform'));
    expect(block).toBe(
      'cloud {\norganization = "example-corp"\nworkspaces {\ntags = [\n"bedrock-gateway",\n"staging"\n]\nproject = "ai-platform"\n}\nhostname = "tfe.example.com"\n}',
    );
    expect(json).toEqual({ organization: 'example-corp', hostname: 'tfe.example.com', workspaces: { tags: ['bedrock-gateway', 'staging'], project: 'ai-platform' } });
  });

  test('without a project there is no project line (Terraform then uses the default project)', () => {
    expect(cloudBlock(new NamedCloudWorkspace('gateway-prod')).block).toBe(
      'cloud {\norganization = "example-corp"\nworkspaces {\nname = "gateway-prod"\n}\nhostname = "tfe.example.com"\n}',
    );
  });
});
