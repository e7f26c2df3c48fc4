import { numberAbove, type DeploymentInfo } from '../../scripts/lib/inspect-deployment';
import { decimalAbovePattern } from '../../stacks/constructs/waf-rules';
import { formatSummary } from '../../scripts/lib/summary';

const base: DeploymentInfo = {
  restApi: { id: 'abc123', name: 'bedrock-ai-gateway-local', apiKeySource: 'AUTHORIZER', endpointTypes: ['REGIONAL'], disableExecuteApiEndpoint: false },
  routes: [],
  authorizers: [],
  usagePlans: [],
  tenantKeys: [],
  logGroups: [],
  stage: {},
  gatewayResponses: [],
  alarms: [],
  dashboards: [],
  metricFilters: [],
};
const summary = (info: DeploymentInfo) =>
  formatSummary({ environment: 'local', endpoint: 'http://127.0.0.1:4566', invokeUrl: 'https://x/local', stageName: 'local', info, timings: [], resourcesCreated: 81 });

test('without WAF or a domain: "not configured", no rules table, no domain rows', () => {
  const text = summary(base);
  expect(text).toMatch(/^WAF +not configured$/m);
  expect(text).not.toContain('WAF rules');
  expect(text).not.toContain('Custom domain');
});

test('the web ACL line, and its rules in evaluation order with action and match', () => {
  const text = summary({
    ...base,
    waf: {
      name: 'bedrock-gw-local-waf',
      arn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/bedrock-gw-local-waf/1',
      defaultAction: 'allow',
      rules: [
        { name: 'IpRateLimit', priority: 20, action: 'block (429)', match: 'over 20000 requests per 300 s per client IP' },
        { name: 'AWSManagedRulesCommonRuleSet', priority: 31, action: "rules' own actions", match: 'AWS managed rules (SizeRestrictions_BODY counted)' },
      ],
      logging: {
        destinations: ['arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-bedrock-gw-local'],
        redactedHeaders: ['authorization'],
        keptActions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'],
      },
    },
  });
  expect(text).toMatch(/^WAF +bedrock-gw-local-waf \(2 rules, default allow; logs BLOCK\/COUNT\/EXCLUDED_AS_COUNT requests to aws-waf-logs-bedrock-gw-local, authorization redacted\)$/m);
  expect(text).toContain(
    [
      'WAF rules (in evaluation order)',
      "Priority  Rule                          Action              Matches",
      `--------  ----------------------------  ------------------  ${'-'.repeat('AWS managed rules (SizeRestrictions_BODY counted)'.length)}`,
      '20        IpRateLimit                   block (429)         over 20000 requests per 300 s per client IP',
      "31        AWSManagedRulesCommonRuleSet  rules' own actions  AWS managed rules (SizeRestrictions_BODY counted)",
    ].join('\n'),
  );
});

test('the custom domain: URL, mapping, certificate, records, execute-api endpoint', () => {
  const text = summary({
    ...base,
    restApi: { ...base.restApi, disableExecuteApiEndpoint: true },
    customDomain: {
      domainName: 'ai.example.com',
      regionalDomainName: 'd-1.execute-api.us-east-1.amazonaws.com',
      endpointTypes: ['REGIONAL'],
      ipAddressType: 'dualstack',
      securityPolicy: 'TLS_1_2',
      certificate: { arn: 'arn:aws:acm:us-east-1:123456789012:certificate/1', domainName: 'ai.example.com', status: 'ISSUED' },
      basePathMappings: [{ basePath: '(none)', restApiId: 'abc123', stage: 'local' }],
      records: [
        { name: 'ai.example.com', type: 'A', aliasTarget: 'd-1.execute-api.us-east-1.amazonaws.com', values: [] },
        { name: 'ai.example.com', type: 'AAAA', aliasTarget: 'd-1.execute-api.us-east-1.amazonaws.com', values: [] },
      ],
    },
  });
  expect(text).toMatch(/^Custom domain +https:\/\/ai\.example\.com \(REGIONAL, dualstack, TLS_1_2\), maps \/ -> abc123\/local$/m);
  expect(text).toMatch(/^Certificate +ai\.example\.com: ISSUED$/m);
  expect(text).toMatch(/^DNS records +ai\.example\.com A -> d-1\.execute-api\.us-east-1\.amazonaws\.com, ai\.example\.com AAAA -> d-1\.execute-api\.us-east-1\.amazonaws\.com$/m);
  expect(text).toMatch(/^execute-api endpoint +disabled \(403\): use the custom domain$/m);
});

test('the body-size limit is read back from the deployed Content-Length pattern', () => {
  for (const n of [0, 7, 1000, 16384, 1048576, 10485760]) expect(numberAbove(decimalAbovePattern(n))).toBe(n);
  expect(numberAbove('^[0-9]+$')).toBeUndefined();
  expect(numberAbove('(')).toBeUndefined();
});
