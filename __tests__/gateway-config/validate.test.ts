import { ConfigError, formatIssue, validateConfig, type SectionFiles } from '../../gateway-config/validate';
import type { GatewayConfigInput } from '../../gateway-config/schema';
import { exampleInput } from '../helpers/config';

const FILES: SectionFiles = {
  environments: 'config/environments.ts',
  identityProviders: 'config/identity-providers.ts',
  models: 'config/models.ts',
  tiers: 'config/tiers.ts',
  tenants: 'config/tenants.ts',
};

/** The formatted problems validateConfig reports for `input`. */
function problems(input: GatewayConfigInput): string[] {
  try {
    validateConfig(input, FILES);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  throw new Error('config was accepted');
}

function broken(edit: (c: GatewayConfigInput) => void): GatewayConfigInput {
  const input = exampleInput();
  edit(input);
  return input;
}

const tenant = (id: string, tier = 'bronze') => ({ id, tier, identityProviders: ['cognito'] });

describe('validateConfig', () => {
  test('accepts the shipped example and applies defaults', () => {
    const config = validateConfig(exampleInput(), FILES);
    expect(config.tenants.find((t) => t.id === 'acme')?.enabled).toBe(true);
    expect(config.tenants.find((t) => t.id === 'initech')?.enabled).toBe(false);
    expect(config.identityProviders[1].algorithms).toEqual(['RS256']);
    expect(config.environments[0].authorizer).toEqual({ cacheTtlSeconds: 60, memorySizeMb: 256, timeoutSeconds: 10, maxTokenBytes: 8192, jwksTimeoutMs: 3000 });
    expect(config.environments[0].integrationTimeoutMs).toBe(29000);
  });

  test('duplicate tenant id', () => {
    expect(problems(broken((c) => c.tenants.push(tenant('acme'))))).toEqual([
      'config/tenants.ts: tenants[5].id: duplicate tenant id: already used by tenants[0] (got "acme")',
    ]);
  });

  test('unknown tier', () => {
    expect(problems(broken((c) => (c.tenants[0].tier = 'platinum')))).toEqual([
      'config/tenants.ts: tenants[0].tier: unknown tier; allowed: bronze, silver, gold (got "platinum")',
    ]);
  });

  test('unknown model in a tier and in a tenant override', () => {
    expect(
      problems(
        broken((c) => {
          c.tiers[0].models.push('anthropic.claude-9');
          c.tenants[4].overrides!.models = ['openai.gpt-oss-120b-1:0'];
        }),
      ),
    ).toEqual([
      'config/tiers.ts: tiers[0].models[2]: unknown model: not in the model catalogue; allowed: global.anthropic.claude-sonnet-4-5-20250929-v1:0, us.anthropic.claude-haiku-4-5-20251001-v1:0, amazon.nova-pro-v1:0, anthropic.claude-3-haiku-20240307-v1:0, anthropic.claude-3-5-sonnet-20240620-v1:0, amazon.titan-text-express-v1, meta.llama3-8b-instruct-v1:0, us.anthropic.claude-3-5-haiku-20241022-v1:0, global.anthropic.claude-sonnet-5-5, global.anthropic.claude-opus-5-5, global.anthropic.claude-haiku-5-5 (got "anthropic.claude-9")',
      'config/tenants.ts: tenants[4].overrides.models[0]: unknown model: not in the model catalogue; allowed: global.anthropic.claude-sonnet-4-5-20250929-v1:0, us.anthropic.claude-haiku-4-5-20251001-v1:0, amazon.nova-pro-v1:0, anthropic.claude-3-haiku-20240307-v1:0, anthropic.claude-3-5-sonnet-20240620-v1:0, amazon.titan-text-express-v1, meta.llama3-8b-instruct-v1:0, us.anthropic.claude-3-5-haiku-20241022-v1:0, global.anthropic.claude-sonnet-5-5, global.anthropic.claude-opus-5-5, global.anthropic.claude-haiku-5-5 (got "openai.gpt-oss-120b-1:0")',
    ]);
  });

  test('burst lower than rate, in a tier and in a tenant override', () => {
    expect(
      problems(
        broken((c) => {
          c.tiers[1].burstLimit = 5;
          c.tenants[4].overrides!.burstLimit = 10;
        }),
      ),
    ).toEqual([
      'config/tiers.ts: tiers[1].burstLimit: burstLimit must be at least rateLimit (10) (got 5)',
      'config/tenants.ts: tenants[4].overrides.burstLimit: burstLimit must be at least rateLimit (25) (got 10)',
    ]);
  });

  test('zero and negative limits', () => {
    expect(
      problems(
        broken((c) => {
          c.tiers[0].rateLimit = 0;
          c.tiers[1].burstLimit = -1;
          c.tiers[2].quota.limit = -100;
        }),
      ),
    ).toEqual([
      'config/tiers.ts: tiers[0].rateLimit: rateLimit must be greater than 0 (got 0)',
      'config/tiers.ts: tiers[1].burstLimit: burstLimit must be greater than 0 (got -1)',
      'config/tiers.ts: tiers[2].quota.limit: quota limit must be greater than 0 (got -100)',
    ]);
  });

  test('bad quota period', () => {
    expect(problems(broken((c) => ((c.tiers[0].quota as { period: string }).period = 'HOUR')))).toEqual([
      'config/tiers.ts: tiers[0].quota.period: quota period must be one of DAY, WEEK, MONTH (got "HOUR")',
    ]);
  });

  test('tenant id outside the safe pattern', () => {
    expect(problems(broken((c) => c.tenants.push(tenant('Acme Corp/../x'))))).toEqual([
      'config/tenants.ts: tenants[5].id: tenant id must be 2-63 lowercase letters, digits and hyphens, starting with a letter or digit (got "Acme Corp/../x")',
    ]);
  });

  test('issuer and JWKS URI must be https', () => {
    expect(
      problems(
        broken((c) => {
          c.identityProviders[0].issuer = 'http://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01';
          c.identityProviders[1].jwksUri = 'login.microsoftonline.com/keys';
        }),
      ),
    ).toEqual([
      'config/identity-providers.ts: identityProviders[0].issuer: issuer must be an https:// URL (got "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01")',
      'config/identity-providers.ts: identityProviders[1].jwksUri: jwksUri must be an https:// URL (got "login.microsoftonline.com/keys")',
    ]);
  });

  test('empty audience list and empty audience', () => {
    expect(
      problems(
        broken((c) => {
          c.identityProviders[0].audiences = [];
          c.identityProviders[1].audiences = [''];
        }),
      ),
    ).toEqual([
      'config/identity-providers.ts: identityProviders[0].audiences: audiences must list at least one audience (got [])',
      'config/identity-providers.ts: identityProviders[1].audiences[0]: an audience must not be empty (got "")',
    ]);
  });

  test('HMAC and none algorithms cannot be configured', () => {
    expect(problems(broken((c) => ((c.identityProviders[0] as { algorithms: string[] }).algorithms = ['HS256'])))).toEqual([
      'config/identity-providers.ts: identityProviders[0].algorithms[0]: algorithm must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (no HMAC, no none) (got "HS256")',
    ]);
  });

  test('more usage plans than the AWS default of 300 per region, counted across environments sharing a region', () => {
    const input = broken((c) => {
      c.environments = c.environments.slice(0, 2);
      c.environments[1].region = 'us-east-1';
      // 3 tiers + 148 tenants with their own plan = 151 per environment, 302 in us-east-1.
      for (let i = 0; i < 147; i++) c.tenants.push({ ...tenant(`t-${i}`), overrides: { quota: { limit: 10, period: 'DAY' } } });
    });
    expect(problems(input)).toEqual([
      'config/tenants.ts: tenants: 302 usage plans in region us-east-1 (3 tiers + 148 tenant overrides, for environments dev, prod) exceed the AWS default of 300 per region; move tenants onto tiers or split environments across regions',
    ]);
    // The same tenants fit when the environments are in different regions.
    input.environments[1].region = 'us-west-2';
    expect(() => validateConfig(input, FILES)).not.toThrow();
  });

  test('more API keys than the AWS limit of 10,000 per region', () => {
    const input = broken((c) => {
      c.environments = [c.environments[0]];
      c.tenants.push(...Array.from({ length: 9_996 }, (_, i) => tenant(`t-${i}`)));
    });
    expect(problems(input)).toEqual([
      'config/tenants.ts: tenants: 10001 API keys in region us-east-1 (10001 tenants, for environments dev) exceed the AWS limit of 10000 per region',
    ]);
  });

  test('authorizer cache TTL above 3600 seconds', () => {
    expect(problems(broken((c) => (c.environments[0].authorizer = { cacheTtlSeconds: 7200 })))).toEqual([
      'config/environments.ts: environments[0].authorizer.cacheTtlSeconds: authorizer cacheTtlSeconds must not be greater than 3600 seconds (got 7200)',
    ]);
  });

  test('a tenant naming an unknown identity provider', () => {
    expect(problems(broken((c) => (c.tenants[0].identityProviders = ['auth0'])))).toEqual([
      'config/tenants.ts: tenants[0].identityProviders[0]: unknown identity provider; allowed: cognito, entra, okta (got "auth0")',
    ]);
  });

  test('two identity providers with one issuer', () => {
    expect(problems(broken((c) => (c.identityProviders[1].issuer = c.identityProviders[0].issuer)))).toEqual([
      'config/identity-providers.ts: identityProviders[1].issuer: duplicate issuer (the authorizer picks the verifier by issuer): already used by identityProviders[0] (got "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01")',
    ]);
  });

  test('an emulator environment has quotas of its own', () => {
    const input = broken((c) => {
      c.environments = [c.environments[0], { ...c.environments[0], name: 'sandbox', state: { backend: 'local' }, emulator: { endpoint: 'http://127.0.0.1:4566' } }];
      c.tenants.push(...Array.from({ length: 5_995 }, (_, i) => tenant(`t-${i}`)));
    });
    expect(() => validateConfig(input, FILES)).not.toThrow();
  });

  test('a development IdP must be on loopback, and only an emulator environment can have one', () => {
    expect(problems(broken((c) => (c.environments = [{ ...c.environments[0], emulator: { endpoint: 'http://127.0.0.1:4566', developmentIdp: { url: 'https://idp.example.com' } } }])))).toEqual([
      'config/environments.ts: environments[0].emulator.developmentIdp.url: emulator.developmentIdp.url must be an http:// URL on the loopback interface (127.0.0.1, localhost or [::1]) (got "https://idp.example.com")',
    ]);
    // Outside `emulator` there is no such field: a strict object refuses it.
    expect(problems(broken((c) => (c.environments = [{ ...c.environments[0], developmentIdp: { url: 'http://127.0.0.1:4599' } } as never])))).toEqual([
      expect.stringMatching(/^config\/environments\.ts: environments\[0\]: .*developmentIdp/),
    ]);
  });

  test('an emulator endpoint must be on loopback', () => {
    expect(problems(broken((c) => (c.environments = [{ ...c.environments[0], emulator: { endpoint: 'http://10.0.0.5:4566' } }])))).toEqual([
      'config/environments.ts: environments[0].emulator.endpoint: emulator endpoint must be an http:// URL on the loopback interface (127.0.0.1, localhost or [::1]) (got "http://10.0.0.5:4566")',
    ]);
  });

  test('unknown fields are refused, not ignored', () => {
    expect(problems(broken((c) => ((c.tiers[0] as Record<string, unknown>).ratelimit = 5)))).toEqual([
      'config/tiers.ts: tiers[0]: unknown field "ratelimit": not part of the schema (check the spelling)',
    ]);
  });

  test('observability defaults: ERROR execution logs, access logs kept 365 days, tracing and alarms on, account role off', () => {
    const prod = validateConfig(exampleInput(), FILES).environments.find((e) => e.name === 'prod')!;
    expect(prod.observability).toEqual({
      production: true,
      accessLogs: { retentionDays: 365 },
      executionLogLevel: 'ERROR',
      throttle: { rateLimit: 1000, burstLimit: 2000 },
      tracing: { stage: true, authorizer: true, forwarder: true },
      apiGatewayAccount: false,
      alarms: {
        enabled: true,
        serverErrorRatePercent: 1,
        clientErrorRatePercent: 10,
        p99LatencyMs: 20000,
        authorizerFailures: 1,
        bedrockThrottles: 5,
        wafBlockedRequests: 100,
        periodSeconds: 300,
        topic: {},
      },
      queries: true,
      dashboard: true,
    });
  });

  test('INFO execution logs only outside production', () => {
    expect(
      problems(
        broken((c) => {
          c.environments[1].observability = { executionLogLevel: 'INFO' };
        }),
      ),
    ).toEqual(['config/environments.ts: environments[1].observability.executionLogLevel: INFO execution logs are allowed only where observability.production is false; use ERROR (got "INFO")']);
  });

  test('the stage-wide throttle must not undercut any tenant', () => {
    expect(
      problems(
        broken((c) => {
          c.environments[0].observability = { production: false, throttle: { rateLimit: 49, burstLimit: 99 } };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[0].observability.throttle.rateLimit: the stage-wide throttle must be at least the largest tenant rate limit (50, tenant acme) (got 49)',
      'config/environments.ts: environments[0].observability.throttle.burstLimit: the stage-wide throttle must be at least the largest tenant burst limit (100, tenant acme) (got 99)',
    ]);
  });

  test('observability values outside what CloudWatch and the alarms accept', () => {
    expect(
      problems(
        broken((c) => {
          c.environments[0].observability = { accessLogs: { retentionDays: 42 as never, kmsKeyArn: 'alias/mine' }, alarms: { periodSeconds: 120 as never, serverErrorRatePercent: -1 } };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[0].observability.accessLogs.retentionDays: observability.accessLogs.retentionDays must be a CloudWatch retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653) (got 42)',
      'config/environments.ts: environments[0].observability.accessLogs.kmsKeyArn: kmsKeyArn must be a KMS key ARN (got "alias/mine")',
      'config/environments.ts: environments[0].observability.alarms.serverErrorRatePercent: serverErrorRatePercent must not be negative (got -1)',
      'config/environments.ts: environments[0].observability.alarms.periodSeconds: periodSeconds must be 60, 300, 900 or 3600 (got 120)',
    ]);
  });

  test('reports every problem at once', () => {
    const issues = problems(
      broken((c) => {
        c.tenants[0].tier = 'platinum';
        c.tenants[1].tier = 'diamond';
      }),
    );
    expect(issues).toHaveLength(2);
  });
});

describe('shared state buckets', () => {
  test('environments sharing a state bucket must agree on its settings', () => {
    expect(
      problems(
        broken((c) => {
          c.environments = c.environments.slice(0, 2);
          c.environments[1].state = { backend: 's3', bucket: 'example-corp-bedrock-gateway-tfstate', region: 'eu-west-1' };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[1].state: state bucket example-corp-bedrock-gateway-tfstate is shared with environments[0] (dev), which gives it region "us-east-1"; environments sharing a bucket must agree on its region, kmsKeyId, noncurrentVersionExpirationDays and emulator (got "eu-west-1")',
    ]);
  });
});

describe('edge: WAF and custom domain', () => {
  /** The example with `edit` applied to prod's (environments[1]) edge section. */
  const prodEdge = (edit: (edge: NonNullable<GatewayConfigInput['environments'][number]['edge']>) => void) =>
    broken((c) => {
      const edge = c.environments[1].edge!;
      edit(edge);
    });

  test('the example: prod has WAF and a domain, local WAF with every default, dev neither', () => {
    const config = validateConfig(exampleInput(), FILES);
    const [dev, prod, local] = config.environments;
    expect(dev.edge).toBeUndefined();
    expect(prod.edge?.domain).toEqual({ name: 'ai.example.com', hostedZone: { name: 'example.com' }, keepExecuteApiEndpoint: false });
    expect(local.edge).toEqual({
      waf: {
        enabled: true,
        ipRateLimit: { enabled: true, limit: 20000, windowSeconds: 300, action: 'block' },
        tokenRateLimit: { enabled: true, limit: 20000, windowSeconds: 300, action: 'block' },
        managedRuleGroups: {},
        bodySizeLimit: { enabled: true, maxBytes: 1048576, action: 'block' },
        bodyInspectionLimitKb: 16,
        logging: { enabled: true, keep: 'blocked-and-counted' },
      },
    });
  });

  test('rate limits outside the bounds AWS WAF accepts, and windows it does not offer', () => {
    expect(
      problems(
        prodEdge((edge) => {
          edge.waf!.ipRateLimit = { limit: 9 };
          edge.waf!.tokenRateLimit = { limit: 2_000_000_001, windowSeconds: 90 as 60 };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[1].edge.waf.ipRateLimit.limit: ipRateLimit limit must be between 10 and 2000000000 requests per window (AWS WAF rate-based rule bounds) (got 9)',
      'config/environments.ts: environments[1].edge.waf.tokenRateLimit.limit: tokenRateLimit limit must be between 10 and 2000000000 requests per window (AWS WAF rate-based rule bounds) (got 2000000001)',
      'config/environments.ts: environments[1].edge.waf.tokenRateLimit.windowSeconds: tokenRateLimit windowSeconds must be one of 60, 120, 300, 600 (the evaluation windows AWS WAF offers) (got 90)',
    ]);
    expect(problems(prodEdge((edge) => (edge.waf!.ipRateLimit = { limit: 100.5 })))).toEqual([
      'config/environments.ts: environments[1].edge.waf.ipRateLimit.limit: ipRateLimit limit must be a whole number (got 100.5)',
    ]);
  });

  test('the exact bounds are accepted', () => {
    const input = prodEdge((edge) => {
      edge.waf!.ipRateLimit = { limit: 2_000_000_000, windowSeconds: 600 };
      edge.waf!.tokenRateLimit = { limit: 10, windowSeconds: 60, action: 'count' };
    });
    expect(() => validateConfig(input, FILES)).not.toThrow();
  });

  test('a blocking rate limit below what one client of a tenant may send under its usage plan', () => {
    // gold (acme) allows 50 requests/s: 15000 per 300 s, 3000 per 60 s.
    expect(
      problems(
        prodEdge((edge) => {
          edge.waf!.ipRateLimit = { limit: 14_999 };
          edge.waf!.tokenRateLimit = { limit: 2_999, windowSeconds: 60 };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[1].edge.waf.ipRateLimit.limit: 14999 requests per 300 s would block one client of tenant acme before its usage plan does (50 requests/s = 15000 per 300 s); set at least 15000, or action "count" (got 14999)',
      'config/environments.ts: environments[1].edge.waf.tokenRateLimit.limit: 2999 requests per 60 s would block one client of tenant acme before its usage plan does (50 requests/s = 3000 per 60 s); set at least 3000, or action "count" (got 2999)',
    ]);
    // In count mode, switched off, or with WAF off, nothing is blocked: accepted.
    for (const edit of [
      (edge: { waf?: Record<string, unknown> }) => (edge.waf!.ipRateLimit = { limit: 100, action: 'count' }),
      (edge: { waf?: Record<string, unknown> }) => (edge.waf!.ipRateLimit = { limit: 100, enabled: false }),
      (edge: { waf?: Record<string, unknown> }) => Object.assign(edge.waf!, { enabled: false, ipRateLimit: { limit: 100 } }),
    ]) {
      expect(() => validateConfig(prodEdge(edit as never), FILES)).not.toThrow();
    }
  });

  test('CIDR blocks that do not parse, IPv4 and IPv6', () => {
    expect(
      problems(
        prodEdge((edge) => {
          edge.waf!.allowList = ['10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', '0.0.0.0/0', '2001:db8::/129', '2001:db8:::/32', 'corp-vpn'];
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[1].edge.waf.allowList[0]: allowList entry must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32 (got "10.0.0.0")',
      'config/environments.ts: environments[1].edge.waf.allowList[1]: allowList entry must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32 (got "10.0.0.256/24")',
      'config/environments.ts: environments[1].edge.waf.allowList[2]: allowList entry prefix length must be between 1 and 32 for IPv4 (got "10.0.0.0/33")',
      'config/environments.ts: environments[1].edge.waf.allowList[3]: allowList entry prefix length must be between 1 and 32 for IPv4 (got "0.0.0.0/0")',
      'config/environments.ts: environments[1].edge.waf.allowList[4]: allowList entry prefix length must be between 1 and 128 for IPv6 (got "2001:db8::/129")',
      'config/environments.ts: environments[1].edge.waf.allowList[5]: allowList entry must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32 (got "2001:db8:::/32")',
      'config/environments.ts: environments[1].edge.waf.allowList[6]: allowList entry must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32 (got "corp-vpn")',
    ]);
  });

  test('CIDR blocks with host bits set name the block that was meant', () => {
    expect(problems(prodEdge((edge) => (edge.waf!.denyList = ['198.51.100.7/24', '2001:db8:bad:1::/48'])))).toEqual([
      'config/environments.ts: environments[1].edge.waf.denyList[0]: denyList entry has host bits set; the block is 198.51.100.0/24 (got "198.51.100.7/24")',
      'config/environments.ts: environments[1].edge.waf.denyList[1]: denyList entry has host bits set; the block is 2001:db8:bad::/48 (got "2001:db8:bad:1::/48")',
    ]);
  });

  test('an empty list, and a block both allowed and denied', () => {
    expect(problems(prodEdge((edge) => (edge.waf!.allowList = [])))).toEqual([
      'config/environments.ts: environments[1].edge.waf.allowList: allowList must list at least one CIDR block (omit it to turn it off) (got [])',
    ]);
    expect(problems(prodEdge((edge) => (edge.waf!.allowList = ['10.0.0.0/8', '2001:DB8:BAD:0::/48'])))).toEqual([
      'config/environments.ts: environments[1].edge.waf.allowList[1]: listed in both allowList and denyList (the deny list wins); remove it from one of them (got "2001:DB8:BAD:0::/48")',
    ]);
  });

  test('country codes WAF does not know', () => {
    expect(problems(prodEdge((edge) => (edge.waf!.blockedCountries = ['KP', 'UK', 'de'])))).toEqual([
      'config/environments.ts: environments[1].edge.waf.blockedCountries[1]: blockedCountries entry must be an ISO 3166-1 alpha-2 country code WAF knows, in capitals (e.g. "KP") (got "UK")',
      'config/environments.ts: environments[1].edge.waf.blockedCountries[2]: blockedCountries entry must be an ISO 3166-1 alpha-2 country code WAF knows, in capitals (e.g. "KP") (got "de")',
    ]);
  });

  test('an unknown managed rule group, and an override naming a rule its group does not have', () => {
    expect(
      problems(
        prodEdge((edge) => {
          edge.waf!.managedRuleGroups = {
            AWSManagedRulesSQLiRuleSet: { enabled: true },
            AWSManagedRulesKnownBadInputsRuleSet: { ruleActionOverrides: { Log4JRCE_BODY: 'count', SizeRestrictions_BODY: 'count' } },
          };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[1].edge.waf.managedRuleGroups.AWSManagedRulesSQLiRuleSet: unknown managed rule group; supported: AWSManagedRulesAmazonIpReputationList, AWSManagedRulesAnonymousIpList, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesCommonRuleSet (got "AWSManagedRulesSQLiRuleSet")',
      'config/environments.ts: environments[1].edge.waf.managedRuleGroups.AWSManagedRulesKnownBadInputsRuleSet.ruleActionOverrides.SizeRestrictions_BODY: AWSManagedRulesKnownBadInputsRuleSet has no rule of that name; its rules: JavaDeserializationRCE_HEADER, JavaDeserializationRCE_BODY, JavaDeserializationRCE_URIPATH, JavaDeserializationRCE_QUERYSTRING, Host_localhost_HEADER, PROPFIND_METHOD, ExploitablePaths_URIPATH, Log4JRCE_HEADER, Log4JRCE_QUERYSTRING, Log4JRCE_BODY, Log4JRCE_URIPATH (got "SizeRestrictions_BODY")',
    ]);
    expect(problems(prodEdge((edge) => (edge.waf!.managedRuleGroups = { AWSManagedRulesCommonRuleSet: { action: 'monitor' as 'count' } })))).toEqual([
      'config/environments.ts: environments[1].edge.waf.managedRuleGroups.AWSManagedRulesCommonRuleSet.action: managed rule group action must be "block" or "count" (got "monitor")',
    ]);
  });

  test('body limits beyond what API Gateway accepts, and inspection sizes API Gateway cannot forward', () => {
    expect(
      problems(
        prodEdge((edge) => {
          edge.waf!.bodySizeLimit = { maxBytes: 10 * 1024 * 1024 + 1 };
          edge.waf!.bodyInspectionLimitKb = 8 as 16;
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[1].edge.waf.bodySizeLimit.maxBytes: bodySizeLimit maxBytes must not be greater than 10485760 (API Gateway refuses payloads over 10 MB itself) (got 10485761)',
      'config/environments.ts: environments[1].edge.waf.bodyInspectionLimitKb: bodyInspectionLimitKb must be one of 16, 32, 48, 64 (the body sizes API Gateway can forward to WAF) (got 8)',
    ]);
  });

  test('a domain name outside its hosted zone (a suffix match is not enough)', () => {
    expect(problems(prodEdge((edge) => (edge.domain = { name: 'ai.notexample.com', hostedZone: { name: 'example.com' } })))).toEqual([
      'config/environments.ts: environments[1].edge.domain.name: domain name must be inside hosted zone example.com (equal to it or ending in .example.com) (got "ai.notexample.com")',
    ]);
    // The zone apex itself, and a name several labels down, are inside.
    for (const name of ['example.com', 'gw.ai.eu.example.com']) {
      expect(() => validateConfig(prodEdge((edge) => (edge.domain = { name, hostedZone: { name: 'example.com', id: 'Z0123456789ABCDEFGHIJ' } })), FILES)).not.toThrow();
    }
  });

  test('malformed domain and zone names, zone ids and base paths', () => {
    expect(
      problems(
        prodEdge((edge) => {
          edge.domain = { name: 'AI.Example.com', hostedZone: { name: 'example.com.', id: '/hostedzone/Z123' }, basePath: 'v1/bedrock' };
        }),
      ),
    ).toEqual([
      'config/environments.ts: environments[1].edge.domain.name: domain name must be a lowercase DNS name without a trailing dot, e.g. ai.example.com (got "AI.Example.com")',
      'config/environments.ts: environments[1].edge.domain.hostedZone.name: hostedZone name must be a lowercase DNS name without a trailing dot, e.g. ai.example.com (got "example.com.")',
      'config/environments.ts: environments[1].edge.domain.hostedZone.id: hostedZone id must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (got "/hostedzone/Z123")',
      'config/environments.ts: environments[1].edge.domain.basePath: basePath must be one path segment of letters, digits and ._~- (no slashes) (got "v1/bedrock")',
    ]);
  });

  test('two environments serving one domain', () => {
    expect(problems(broken((c) => (c.environments[0].edge = { domain: { name: 'ai.example.com', hostedZone: { name: 'example.com' } } })))).toEqual([
      'config/environments.ts: environments[1].edge.domain.name: duplicate custom domain name: already used by environments[0] (dev) (got "ai.example.com")',
    ]);
  });

  test('unknown edge fields are refused', () => {
    expect(problems(prodEdge((edge) => ((edge.waf as Record<string, unknown>).rateLimit = 100)))).toEqual([
      'config/environments.ts: environments[1].edge.waf: unknown field "rateLimit": not part of the schema (check the spelling)',
    ]);
  });
});
