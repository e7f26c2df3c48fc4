/**
 * The round-trip guard on crafted inputs: it must name the construct of every value that does
 * not survive the HCL rendering, whether the HCL fails to parse or parses to something else.
 * (It runs over every resource of every synthesized stack in __tests__/stacks/terraform-validate.test.ts.)
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { TerraformStack, Testing } from 'cdktf';
import { hclStructure } from '../../hcl-export/hcl-structure';
import { formatProblem, hclRoundTripProblems, normalizeTemplate, type TerraformJsonConfig } from '../../hcl-export/round-trip';

const meta = (path: string) => ({ '//': { metadata: { path, uniqueId: path.split('/').pop() } } });

/** Three resources of gateway-dev and an output, as cdk.tf.json holds them. */
const JSON_CONFIG: TerraformJsonConfig = {
  resource: {
    aws_iam_role_policy: {
      logs_policy: {
        ...meta('gateway-dev/authorizer/function/logs-policy'),
        name: 'write-own-logs',
        policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":"${aws_cloudwatch_log_group.logs.arn}:*"}]}',
        role: '${aws_iam_role.role.name}',
      },
    },
    aws_api_gateway_authorizer: {
      authorizer: { ...meta('gateway-dev/authorizer/authorizer'), identity_validation_expression: '^[Bb]earer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', type: 'TOKEN' },
    },
    aws_api_gateway_integration_response: {
      response_502: {
        ...meta('gateway-dev/bedrock/converse/integration-response-502'),
        selection_pattern: '10\\d|11\\d',
        response_templates: { 'application/json': '$input.body' },
        depends_on: ['aws_api_gateway_integration.converse'],
        lifecycle: { create_before_destroy: true },
      },
    },
  },
  output: { greeting: { value: 'a\nb' }, count: { value: '5' } },
};

/** What cdktf 0.21.0's unpatched renderer wrote for them (reproduced for issue 12). */
const STOCK_HCL = `resource "aws_iam_role_policy" "logs_policy" {
  name   = "write-own-logs"
  policy = "{" Version ":" 2012 - 10 - 17 "," Statement ":[{" Effect ":" Allow "," Action ":[" logs : PutLogEvents "]," Resource ":" $ { aws_cloudwatch_log_group.logs.arn } : * "}]}"
  role   = "\${aws_iam_role.role.name}"
}
resource "aws_api_gateway_authorizer" "authorizer" {
  identity_validation_expression = "^[Bb]earer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
  type                           = "TOKEN"
}
resource "aws_api_gateway_integration_response" "response_502" {
  selection_pattern = "10\\d|11\\d"
  response_templates = {
    "application/json" = "$input.body"
  }
  depends_on = [
    "aws_api_gateway_integration.converse",
  ]
  lifecycle {
    create_before_destroy = true
  }
}
output "greeting" {
  value = <<EOF
a
b
EOF
}
output "count" {
  value = 5
}
`;

/** The same, as the patched renderer writes it. */
const PATCHED_HCL = `resource "aws_iam_role_policy" "logs_policy" {
  name   = "write-own-logs"
  policy = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Action\\":[\\"logs:PutLogEvents\\"],\\"Resource\\":\\"\${aws_cloudwatch_log_group.logs.arn}:*\\"}]}"
  role   = "\${aws_iam_role.role.name}"
}
resource "aws_api_gateway_authorizer" "authorizer" {
  identity_validation_expression = "^[Bb]earer [A-Za-z0-9_-]+\\\\.[A-Za-z0-9_-]+$"
  type                           = "TOKEN"
}
resource "aws_api_gateway_integration_response" "response_502" {
  selection_pattern = "10\\\\d|11\\\\d"
  response_templates = {
    "application/json" = "$input.body"
  }
  depends_on = [
    aws_api_gateway_integration.converse,
  ]
  lifecycle {
    create_before_destroy = true
  }
}
output "greeting" {
  value = "a\\nb"
}
output "count" {
  value = "5"
}
`;

test('HCL that means what the JSON means has no problem (bare references and blocks included)', async () => {
  expect((await hclRoundTripProblems(PATCHED_HCL, JSON_CONFIG)).map(formatProblem)).toEqual([]);
});

test("the stock renderer's output: each broken value is reported with its construct path", async () => {
  const problems = (await hclRoundTripProblems(STOCK_HCL, JSON_CONFIG)).map(formatProblem);
  expect(problems).toEqual([
    '[gateway-dev/authorizer/function/logs-policy] aws_iam_role_policy.logs_policy: the HCL does not parse: line 3: Invalid character; This character is not used within the language.',
    '[gateway-dev/authorizer/function/logs-policy] aws_iam_role_policy.logs_policy: the HCL does not parse: line 3: Missing newline after argument; An argument definition must end with a newline.',
    '[gateway-dev/authorizer/authorizer] aws_api_gateway_authorizer.authorizer: the HCL does not parse: line 7: Invalid escape sequence; The symbol "." is not a valid escape sequence selector.',
    '[gateway-dev/bedrock/converse/integration-response-502] aws_api_gateway_integration_response.response_502: the HCL does not parse: line 11: Invalid escape sequence; The symbol "d" is not a valid escape sequence selector.',
  ]);
});

test('HCL that parses but means something else: the attribute and both meanings are named', async () => {
  // The stock renderer's heredoc added a newline and its guessing turned "5" into a number.
  const stockOutputs = PATCHED_HCL.replace('value = "a\\nb"', 'value = <<EOF\na\nb\nEOF').replace('value = "5"', 'value = 5');
  expect((await hclRoundTripProblems(stockOutputs, JSON_CONFIG)).map(formatProblem)).toEqual([
    'output.greeting.value: the JSON means "a\\nb", the HCL means "a\\nb\\n"',
    'output.count.value: the JSON means "5", the HCL means 5',
  ]);
});

test('an element missing from the HCL, or one only the HCL has, is reported', async () => {
  const withoutAuthorizer = PATCHED_HCL.replace(/resource "aws_api_gateway_authorizer"[^]*?\n}\n/, 'resource "aws_s3_bucket" "stray" {\n}\n');
  expect((await hclRoundTripProblems(withoutAuthorizer, JSON_CONFIG)).map(formatProblem)).toEqual([
    '[gateway-dev/authorizer/authorizer] aws_api_gateway_authorizer.authorizer: missing from the HCL',
    'aws_s3_bucket.stray: in the HCL but not in the JSON',
  ]);
});

test('a changed reference inside a template is a difference; respacing an expression is not', async () => {
  const respaced = PATCHED_HCL.replace('${aws_iam_role.role.name}', '${ aws_iam_role.role.name }');
  expect(await hclRoundTripProblems(respaced, JSON_CONFIG)).toEqual([]);
  const retargeted = PATCHED_HCL.replace('${aws_iam_role.role.name}', '${aws_iam_role.other.name}');
  expect((await hclRoundTripProblems(retargeted, JSON_CONFIG)).map(formatProblem)).toEqual([
    '[gateway-dev/authorizer/function/logs-policy] aws_iam_role_policy.logs_policy.role: the JSON means "${aws_iam_role.role.name}", the HCL means "${aws_iam_role.other.name}"',
  ]);
});

describe('attribute or block: each name is written in the syntax the provider schema defines (the parser gives both the same value)', () => {
  /** A web ACL whose rule is typed (a block) or written with addOverride (an attribute in HCL). */
  const webAclStack = (override: boolean) => {
    const stack = new TerraformStack(Testing.app(), 'probe');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const visibility = { cloudwatchMetricsEnabled: true, metricName: 'm', sampledRequestsEnabled: true };
    const rule = { name: 'geo', priority: 1, action: { block: {} }, statement: { geo_match_statement: { country_codes: ['KP'] } }, visibilityConfig: visibility };
    const acl = new Wafv2WebAcl(stack, 'acl', {
      name: 'a',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility,
      ...(override ? {} : { rule: [rule] }),
    });
    if (override) {
      acl.addOverride('rule', [
        {
          name: 'geo',
          priority: 1,
          action: { block: {} },
          statement: { geo_match_statement: { country_codes: ['KP'] } },
          visibility_config: { cloudwatch_metrics_enabled: true, metric_name: 'm', sampled_requests_enabled: true },
        },
      ]);
    }
    // fullSynth keeps the construct metadata (Testing.synth strips it).
    const json = JSON.parse(readFileSync(path.join(Testing.fullSynth(stack), 'stacks', 'probe', 'cdk.tf.json'), 'utf8')) as TerraformJsonConfig;
    return { hcl: Testing.synthHcl(stack), json };
  };

  test('a WAF rule written with addOverride renders as an attribute (rule = [...]): named with its construct path', async () => {
    const { hcl, json } = webAclStack(true);
    expect(hcl).toContain('rule = [\n{\nname = "geo"');
    expect((await hclRoundTripProblems(hcl, json)).map(formatProblem)).toEqual([
      '[probe/acl] aws_wafv2_web_acl.acl.rule: the provider schema of aws_wafv2_web_acl has a nested block here, but the HCL writes an attribute (`rule = ...`), which Terraform rejects',
    ]);
  });

  test('the same rule typed renders as nested blocks, at every depth, and passes', async () => {
    const { hcl, json } = webAclStack(false);
    expect(hcl).toContain('rule {\n');
    expect(await hclRoundTripProblems(hcl, json)).toEqual([]);
  });

  test('an attribute written as a block, a nested block written as an attribute, and an unknown name: each with its path', async () => {
    const { hcl, json } = webAclStack(false);
    const broken = hcl
      .replace('scope = "REGIONAL"', 'scope {\n}')
      .replace(/default_action \{\nallow \{\s*\}\n\}/, 'default_action {\nallow = {}\n}')
      .replace('name = "geo"', 'name = "geo"\nlabel = "x"');
    expect((await hclRoundTripProblems(broken, json)).map(formatProblem)).toEqual([
      '[probe/acl] aws_wafv2_web_acl.acl.scope: the provider schema of aws_wafv2_web_acl has an attribute here, but the HCL writes a block (`scope { ... }`), which Terraform rejects',
      '[probe/acl] aws_wafv2_web_acl.acl.default_action.allow: the provider schema of aws_wafv2_web_acl has a nested block here, but the HCL writes an attribute (`allow = ...`), which Terraform rejects',
      // A block is indexed only when its name repeats in the body.
      '[probe/acl] aws_wafv2_web_acl.acl.rule.label: the provider schema of aws_wafv2_web_acl has no attribute or block of this name here',
      // Values the parser reads differently are reported too (an empty block reads as a list of one empty object).
      '[probe/acl] aws_wafv2_web_acl.acl.rule[0].label: the JSON means nothing, the HCL means "x"',
      '[probe/acl] aws_wafv2_web_acl.acl.scope: the JSON means "REGIONAL", the HCL means [{}]',
    ]);
  });

  test('a resource type the provider does not have is reported', async () => {
    const hcl = 'resource "aws_not_a_thing" "x" {\n  a = 1\n}\n';
    const json = { resource: { aws_not_a_thing: { x: { ...meta('probe/x'), a: 1 } } } };
    expect((await hclRoundTripProblems(hcl, json)).map(formatProblem)).toEqual([
      '[probe/x] aws_not_a_thing.x: aws_not_a_thing is not a resource type of the provider schema (registry.terraform.io/hashicorp/aws, terraform.io/builtin/terraform)',
    ]);
  });
});

test('hclStructure steps over strings, templates, heredocs, comments and brackets in expressions', () => {
  const text = [
    '# a comment with { and =',
    'resource "t" "n" {',
    '  a = "}{ ${jsonencode({"k" = "}"})} $${x} %{ if true }\\"{%{ endif }"',
    '  b = <<EOT',
    'c {',
    '  EOT_NOT',
    'EOT',
    '  list = [',
    '    { x = 1 }, // }',
    '  ]',
    '  /* d { */ nested "label" { e = (1 +',
    '    2) }',
    '  f = a == b ? 1 : 2',
    '}',
  ].join('\n');
  expect(hclStructure(text)).toEqual([
    {
      name: 'resource',
      kind: 'block',
      labels: ['t', 'n'],
      line: 2,
      body: [
        { name: 'a', kind: 'attribute', labels: [], line: 3 },
        { name: 'b', kind: 'attribute', labels: [], line: 4 },
        { name: 'list', kind: 'attribute', labels: [], line: 8 },
        { name: 'nested', kind: 'block', labels: ['label'], line: 11, body: [{ name: 'e', kind: 'attribute', labels: [], line: 11 }] },
        { name: 'f', kind: 'attribute', labels: [], line: 13 },
      ],
    },
  ]);
  expect(() => hclStructure('resource "t" "n" {\n  a = "open\n')).toThrow('line 2: unterminated string');
});

test.each([
  ['directive spacing', 'x %{ if a }y%{ endif }', 'x %{if a}y%{endif}', true],
  ['operator spacing', '${a+b}', '${a + b}', true],
  ['object spacing', '${jsonencode({"k" = "v"})}', '${jsonencode({ "k" = "v" })}', true],
  ['space inside a quoted string in an expression', '${upper("a b")}', '${upper("ab")}', false],
  ['space in literal text', 'a  b', 'a b', false],
  ['space between words', '%{ for x in y }', '%{forxiny}', false],
])('normalizeTemplate: %s', (_name, a, b, same) => {
  expect(normalizeTemplate(a) === normalizeTemplate(b)).toBe(same);
});
