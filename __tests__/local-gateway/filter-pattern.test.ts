/**
 * The subset of CloudWatch Logs JSON filter patterns the local gateway evaluates before it meters
 * an invocation log record (the stack's subscription filter pattern), and its refusal of the rest.
 */
import { compileFilterPattern } from '../../local-gateway/filter-pattern';
import { invocationFilterPattern } from '../../stacks/constructs/token-budgets';

const record = (arn: string, schemaType = 'ModelInvocationLog') => JSON.stringify({ schemaType, identity: { arn }, modelId: 'm' });

test('the stack\'s own pattern: the schema type and any session of the gateway role pass; other roles, other types and non-JSON do not', () => {
  const passes = compileFilterPattern(invocationFilterPattern('aws', '123456789012', 'bedrock-gw-local-bedrock-invoke'));
  expect(passes(record('arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-bedrock-invoke/local-gateway'))).toBe(true);
  expect(passes(record('arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-bedrock-invoke/BackplaneAssumeRoleSession'))).toBe(true);
  expect(passes(record('arn:aws:sts::123456789012:assumed-role/bedrock-gateway/local'))).toBe(false);
  expect(passes(record('arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-bedrock-invoke-x/s'))).toBe(false);
  expect(passes(record('arn:aws:sts::999999999999:assumed-role/bedrock-gw-local-bedrock-invoke/s'))).toBe(false);
  expect(passes(record('arn:aws:sts::123456789012:assumed-role/bedrock-gw-local-bedrock-invoke/s', 'Other'))).toBe(false);
  expect(passes(JSON.stringify({ schemaType: 'ModelInvocationLog' }))).toBe(false);
  expect(passes('not json')).toBe(false);
});

test('|| and parentheses bind as written; != does not match a missing field; "" matches everything', () => {
  const either = compileFilterPattern('{ ($.a = "x") || (($.b = "y*") && ($.c != "z")) }');
  expect([{ a: 'x' }, { b: 'yes', c: 'q' }, { b: 'yes', c: 'z' }, { b: 'yes' }, { a: 'xx' }].map((e) => either(JSON.stringify(e)))).toEqual([true, true, false, false, false]);
  expect(compileFilterPattern('')('anything')).toBe(true);
  expect(compileFilterPattern('{ $.a.b = "1.2.*" }')(JSON.stringify({ a: { b: '1.2.3' } }))).toBe(true);
  expect(compileFilterPattern('{ $.a.b = "1.2.*" }')(JSON.stringify({ a: { b: '1x2.3' } }))).toBe(false);
});

test.each([
  ['{ $.latency > 100 }', 'filter pattern "{ $.latency > 100 }": ">" is not implemented'],
  ['{ $.a = 1 }', 'filter pattern "{ $.a = 1 }": "1" is not implemented'],
  ['{ $.a IS NULL }', 'filter pattern "{ $.a IS NULL }": "IS" is not implemented'],
  ['{ $.a[0] = "x" }', 'filter pattern "{ $.a[0] = \\"x\\" }": array selectors are not implemented ("$.a[0]")'],
  ['{ $.a = %x% }', 'filter pattern "{ $.a = %x% }": "%x%" is not implemented'],
  ['ERROR', 'filter pattern "ERROR": only JSON patterns ({ ... }) are implemented'],
  ['{ ($.a = "x" }', 'filter pattern "{ ($.a = \\"x\\" }": expected rparen, found the end'],
])('unimplemented syntax fails loudly: %s', (pattern, message) => {
  expect(() => compileFilterPattern(pattern)).toThrow(`${message} (the local gateway implements JSON patterns of $.field = / != "string" conditions joined by && and ||)`);
});
