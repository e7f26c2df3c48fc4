/** Method ARN parsing, the resources of an Allow policy, refusal reasons, and the test evaluator itself. */
import { DenyReason } from '../../../functions/authorizer/errors';
import {
  buildAllowPolicy,
  buildDenyPolicy,
  explainRefusal,
  modelPathForms,
  parseMethodArn,
  TenantPolicyCache,
  tenantResources,
} from '../../../functions/authorizer/policy';
import type { TenantEntry } from '../../../functions/authorizer/settings';
import { evaluatePolicy } from './support/policy-evaluator';

const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const tenant: TenantEntry = { apiKey: 'k', tier: 'gold', enabled: true, models: [HAIKU, 'amazon.titan-text-express-v1'], identityProviders: ['x'] };

describe('parseMethodArn', () => {
  it('splits API/stage prefix, verb and path, keeping the model segment as sent', () => {
    expect(parseMethodArn(`${PREFIX}/POST/model/${HAIKU}/converse`)).toEqual({ prefix: PREFIX, verb: 'POST', path: `model/${HAIKU}/converse` });
    expect(parseMethodArn(`${PREFIX}/POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke`)).toEqual({
      prefix: PREFIX,
      verb: 'POST',
      path: 'model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke',
    });
  });

  it('accepts other partitions', () => {
    expect(parseMethodArn('arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:a1b2c3/v1/POST/model/m/invoke')?.prefix).toBe(
      'arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:a1b2c3/v1',
    );
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['a Lambda ARN', 'arn:aws:lambda:us-east-1:123456789012:function:x'],
    ['no stage', 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234'],
    ['no verb', 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev'],
    ['a short account id', 'arn:aws:execute-api:us-east-1:1234:abcdef1234/dev/POST/model/m/invoke'],
  ])('rejects %s', (_name, arn) => {
    expect(parseMethodArn(arn)).toBeUndefined();
  });
});

describe('modelPathForms', () => {
  it('lists raw, %3A and %3a forms of an id with colons', () => {
    expect(modelPathForms(HAIKU)).toEqual([HAIKU, 'anthropic.claude-3-haiku-20240307-v1%3A0', 'anthropic.claude-3-haiku-20240307-v1%3a0']);
    expect(modelPathForms('amazon.titan-embed-text-v1:2:8k')).toEqual([
      'amazon.titan-embed-text-v1:2:8k',
      'amazon.titan-embed-text-v1%3A2%3A8k',
      'amazon.titan-embed-text-v1%3a2%3a8k',
    ]);
  });

  it('lists one form for an id without colons', () => {
    expect(modelPathForms('amazon.titan-text-express-v1')).toEqual(['amazon.titan-text-express-v1']);
  });
});

describe('tenantResources', () => {
  it('is every model x encoding x route under the prefix, in a stable order', () => {
    expect(tenantResources(PREFIX, ['amazon.titan-text-express-v1', HAIKU], ['converse', 'invoke'])).toEqual([
      `${PREFIX}/POST/model/amazon.titan-text-express-v1/converse`,
      `${PREFIX}/POST/model/amazon.titan-text-express-v1/invoke`,
      `${PREFIX}/POST/model/${HAIKU}/converse`,
      `${PREFIX}/POST/model/${HAIKU}/invoke`,
      `${PREFIX}/POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`,
      `${PREFIX}/POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke`,
      `${PREFIX}/POST/model/anthropic.claude-3-haiku-20240307-v1%3a0/converse`,
      `${PREFIX}/POST/model/anthropic.claude-3-haiku-20240307-v1%3a0/invoke`,
    ]);
  });

  it('holds no wildcard, so no other model can match by accident', () => {
    expect(tenantResources(PREFIX, tenant.models, ['converse', 'invoke']).some((r) => /[*?]/.test(r))).toBe(false);
  });
});

describe('TenantPolicyCache', () => {
  it('builds a tenant resource list once per API/stage and keeps it bounded', () => {
    const cache = new TenantPolicyCache(['converse'], 2);
    const first = cache.get(PREFIX, 't', tenant);
    expect(cache.get(PREFIX, 't', tenant)).toBe(first);
    expect(first.set.has(`${PREFIX}/POST/model/${HAIKU}/converse`)).toBe(true);
    const other = cache.get(PREFIX.replace('/dev', '/prod'), 't', tenant);
    expect(other.resources[0].startsWith(PREFIX.replace('/dev', '/prod'))).toBe(true);
    cache.get(PREFIX, 'u', tenant); // third entry clears the map
    expect(cache.get(PREFIX, 't', tenant)).not.toBe(first);
    expect(cache.get(PREFIX, 't', tenant).resources).toEqual(first.resources);
  });
});

describe('explainRefusal', () => {
  const explain = (suffix: string) => explainRefusal(parseMethodArn(`${PREFIX}/${suffix}`)!, tenant, ['converse', 'invoke']);

  it.each([
    ['POST/model/meta.llama3-8b-instruct-v1%3A0/converse', DenyReason.MODEL_NOT_ALLOWED],
    ['POST/model/anthropic%2Eclaude-3-haiku-20240307-v1%3A0/converse', DenyReason.MODEL_ENCODING_UNSUPPORTED],
    ['POST/model/anthropic.claude-3-haiku-20240307-v1%3A0%/converse', DenyReason.MODEL_SEGMENT_MALFORMED],
    ['POST/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream', DenyReason.ROUTE_NOT_ALLOWED],
    ['GET/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', DenyReason.ROUTE_NOT_ALLOWED],
    ['POST/model/a/b/converse', DenyReason.ROUTE_NOT_ALLOWED],
    ['POST/models/x/converse', DenyReason.ROUTE_NOT_ALLOWED],
  ])('%s -> %s', (suffix, reason) => {
    expect(explain(suffix)).toBe(reason);
  });
});

describe('buildAllowPolicy / buildDenyPolicy', () => {
  it('Allow carries the resources, quota key and context', () => {
    expect(buildAllowPolicy({ principalId: 'p', resources: ['r1', 'r2'], usageIdentifierKey: 'k', context: { tenantId: 't' } })).toEqual({
      principalId: 'p',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['r1', 'r2'] }] },
      context: { tenantId: 't' },
      usageIdentifierKey: 'k',
    });
  });

  it('Deny carries no quota key', () => {
    expect(buildDenyPolicy({ principalId: 'p', resource: `${PREFIX}/*` })).toEqual({
      principalId: 'p',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: `${PREFIX}/*` }] },
    });
  });
});

describe('the test policy evaluator', () => {
  const allow = (resources: string[]) => buildAllowPolicy({ principalId: 'p', resources, usageIdentifierKey: 'k', context: {} });

  it('matches exact resources and IAM wildcards', () => {
    expect(evaluatePolicy(allow([`${PREFIX}/POST/*`]), `${PREFIX}/POST/model/x/converse`)).toBe('Allow');
    expect(evaluatePolicy(allow([`${PREFIX}/POST/model/?/converse`]), `${PREFIX}/POST/model/x/converse`)).toBe('Allow');
    expect(evaluatePolicy(allow([`${PREFIX}/POST/model/?/converse`]), `${PREFIX}/POST/model/xy/converse`)).toBe('Deny');
    expect(evaluatePolicy(allow([`${PREFIX}/POST/model/x/converse`]), `${PREFIX}/POST/model/x/invoke`)).toBe('Deny');
    // Regex metacharacters in an ARN are literal.
    expect(evaluatePolicy(allow([`${PREFIX}/POST/model/a.b/converse`]), `${PREFIX}/POST/model/aXb/converse`)).toBe('Deny');
  });

  it('lets an explicit Deny win over an Allow', () => {
    const response = allow([`${PREFIX}/*`]);
    const both = { ...response, policyDocument: { ...response.policyDocument, Statement: [...response.policyDocument.Statement, ...buildDenyPolicy({ principalId: 'p', resource: `${PREFIX}/POST/*` }).policyDocument.Statement] } };
    expect(evaluatePolicy(both, `${PREFIX}/POST/model/x/converse`)).toBe('Deny');
    expect(evaluatePolicy(both, `${PREFIX}/GET/model/x/converse`)).toBe('Allow');
  });
});
