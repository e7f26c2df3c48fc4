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
      'config/tiers.ts: tiers[0].models[2]: unknown model: not in the model catalogue; allowed: anthropic.claude-3-haiku-20240307-v1:0, anthropic.claude-3-5-sonnet-20240620-v1:0, amazon.titan-text-express-v1, meta.llama3-8b-instruct-v1:0, us.anthropic.claude-3-5-haiku-20241022-v1:0 (got "anthropic.claude-9")',
      'config/tenants.ts: tenants[4].overrides.models[0]: unknown model: not in the model catalogue; allowed: anthropic.claude-3-haiku-20240307-v1:0, anthropic.claude-3-5-sonnet-20240620-v1:0, amazon.titan-text-express-v1, meta.llama3-8b-instruct-v1:0, us.anthropic.claude-3-5-haiku-20241022-v1:0 (got "openai.gpt-oss-120b-1:0")',
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
