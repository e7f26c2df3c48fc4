/**
 * The one schema of the gateway's configuration. It gives both the TypeScript
 * types users write their config against (the `*Input` types) and the runtime
 * validation of shapes, ranges and patterns. Rules that relate sections to each
 * other (unknown tier, duplicate ids, AWS per-region limits) live in
 * `validate.ts`, where their messages can name both ends of the relation.
 */
import { z } from 'zod';
import { edgeSchema } from './edge-schema';
import { MAX_TENANT_SHARDS } from './tenant-shards';

/** AWS service limits the validator enforces; each is quoted in its error message. */
export const AWS_LIMITS = {
  /** API Gateway: usage plans per account per region (default quota). */
  usagePlansPerRegion: 300,
  /** API Gateway: API keys per account per region. */
  apiKeysPerRegion: 10_000,
  /** API Gateway: authorizer result cache TTL upper bound. */
  authorizerCacheTtlSeconds: 3600,
  /** API Gateway: integration timeout bounds (above 29 s needs a quota increase; Regional APIs only). */
  integrationTimeoutMs: { min: 50, max: 300_000 },
} as const;

/** How the gateway routes reach Bedrock (issue 14; docs/integration-modes.md). */
export const INTEGRATION_MODES = ['direct', 'forwarder'] as const;
export type IntegrationMode = (typeof INTEGRATION_MODES)[number];
export const LAMBDA_ARCHITECTURES = ['arm64', 'x86_64'] as const;
/** Lambda function limits (Lambda developer guide, "Lambda quotas"). */
export const LAMBDA_LIMITS = { memoryMb: { min: 128, max: 10_240 } } as const;
/** Forwarder defaults where the config is silent. */
export const FORWARDER_DEFAULTS = { memoryMb: 512, architecture: 'arm64' } as const;

export const QUOTA_PERIODS = ['DAY', 'WEEK', 'MONTH'] as const;
/** Asymmetric algorithms only: HMAC and `none` can never be configured. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const NAME_RULE = 'lowercase letters, digits and hyphens, starting with a letter, at most 32 characters';
/** Tenant ids become resource names, tags and policy keys: keep them boring. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
const TENANT_ID_RULE = '2-63 lowercase letters, digits and hyphens, starting with a letter or digit';
/** Bedrock model ids (`anthropic.claude-3-haiku-20240307-v1:0`) and system inference profile ids (`us.anthropic...`). */
export const MODEL_ID_PATTERN = /^[a-z0-9-]+\.[A-Za-z0-9._-]+(:[0-9a-z]+)*$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

const positiveInt = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be greater than 0`);

const httpsUrl = (what: string) =>
  z.string().refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, `${what} must be an https:// URL`);

const loopbackUrlOf = (what: string) =>
  z.string().refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    } catch {
      return false;
    }
  }, `${what} must be an http:// URL on the loopback interface (127.0.0.1, localhost or [::1])`);
const loopbackUrl = loopbackUrlOf('emulator endpoint');

export const quotaSchema = z.strictObject({
  limit: positiveInt('quota limit'),
  period: z.enum(QUOTA_PERIODS, { error: `quota period must be one of ${QUOTA_PERIODS.join(', ')}` }),
});

const limitsShape = {
  /** Steady-state requests per second. */
  rateLimit: z.number({ error: 'rateLimit must be a number' }).positive('rateLimit must be greater than 0'),
  /** Bucket size: the most requests accepted at once. */
  burstLimit: positiveInt('burstLimit'),
  quota: quotaSchema,
};

// ---- token budgets (issue 9): prices, budgets, invocation logging and metering ----
export const BUDGET_PERIODS = QUOTA_PERIODS;
export const BUDGET_TOKEN_KINDS = ['input', 'output', 'total'] as const;
/** Prices are multiples of $0.001 per million tokens, so the ledger can add costs as exact integers (nano-USD). */
const price = (what: string) =>
  z
    .number({ error: `${what} must be a number (USD per million tokens)` })
    .min(0, `${what} must not be negative`)
    .refine((v) => Number.isInteger(Math.round(v * 1000)) && Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6, `${what} must be a multiple of 0.001 USD (per million tokens)`);

/** USD per million tokens, as Bedrock's price list gives them. */
export const modelPriceSchema = z.strictObject({
  /** Input (prompt) tokens. */
  inputPerMillionTokens: price('inputPerMillionTokens'),
  /** Output (completion) tokens. */
  outputPerMillionTokens: price('outputPerMillionTokens'),
  /** Input tokens read from the prompt cache. @default inputPerMillionTokens */
  cacheReadPerMillionTokens: price('cacheReadPerMillionTokens').optional(),
  /** Input tokens written to the prompt cache. @default inputPerMillionTokens */
  cacheWritePerMillionTokens: price('cacheWritePerMillionTokens').optional(),
});

const thresholdSchema = z
  .number({ error: 'an alert threshold must be a number' })
  .gt(0, 'an alert threshold must be greater than 0 and at most 1 (a fraction of the budget)')
  .max(1, 'an alert threshold must be greater than 0 and at most 1 (a fraction of the budget)');

/**
 * A token and/or cost budget per period (UTC; DAY starts 00:00, WEEK on Monday 00:00, MONTH on
 * the 1st 00:00). At least one of `tokens` and `usd`.
 */
export const budgetSchema = z.strictObject({
  period: z.enum(BUDGET_PERIODS, { error: `budget period must be one of ${BUDGET_PERIODS.join(', ')}` }),
  /** Tokens per period, counting input (incl. cache read/write), output, or both (total). */
  tokens: z
    .strictObject({
      limit: positiveInt('budget tokens limit'),
      /** @default 'total' */
      count: z.enum(BUDGET_TOKEN_KINDS, { error: `budget tokens count must be one of ${BUDGET_TOKEN_KINDS.join(', ')}` }).default('total'),
    })
    .optional(),
  /** USD per period, priced from the model catalogue. */
  usd: z.number({ error: 'budget usd must be a number' }).positive('budget usd must be greater than 0').optional(),
  /** Fractions of the budget that raise an alert once per period. @default [0.8] */
  alertThresholds: z.array(thresholdSchema).default([0.8]),
});

export const tierSchema = z.strictObject({
  name: z.string().regex(NAME, `tier name must be ${NAME_RULE}`),
  description: z.string().optional(),
  ...limitsShape,
  /** Model catalogue ids this tier may call. */
  models: z.array(z.string()).min(1, 'a tier must allow at least one model'),
  /** Token/cost budget of every tenant on this tier (each tenant has its own). @default none */
  budget: budgetSchema.optional(),
});

export const tenantSchema = z.strictObject({
  id: z.string().regex(TENANT_ID_PATTERN, `tenant id must be ${TENANT_ID_RULE}`),
  displayName: z.string().optional(),
  tier: z.string(),
  /** @default true */
  enabled: z.boolean().default(true),
  /** Identity providers whose tokens may speak for this tenant. */
  identityProviders: z.array(z.string()).min(1, 'a tenant must name at least one identity provider'),
  /** Per-tenant departures from the tier; limits give the tenant a usage plan of its own. */
  overrides: z
    .strictObject({
      rateLimit: limitsShape.rateLimit.optional(),
      burstLimit: limitsShape.burstLimit.optional(),
      quota: quotaSchema.optional(),
      /** Replaces the tier's model list for this tenant (the tier's models are not kept). */
      models: z.array(z.string()).min(1, 'a model override must allow at least one model').optional(),
      /** The tenant's own budget instead of its tier's; `null` for none. */
      budget: budgetSchema.nullable().optional(),
      /** Adds models to the tier's list (or to `models`, when both are given). */
      addModels: z.array(z.string()).min(1, 'addModels must list at least one model').optional(),
    })
    .optional(),
});

export const modelSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('foundation-model'),
      id: z.string().regex(MODEL_ID_PATTERN, 'model id must look like a Bedrock model id, e.g. anthropic.claude-3-haiku-20240307-v1:0'),
      /** USD per million tokens; needed for cost budgets and cost reports. */
      price: modelPriceSchema.optional(),
    }),
    z.strictObject({
      kind: z.literal('inference-profile'),
      /** System (cross-region) inference profile id, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0. */
      id: z.string().regex(MODEL_ID_PATTERN, 'inference profile id must look like us.anthropic.claude-3-5-haiku-20241022-v1:0'),
      /** The foundation model the profile routes to. */
      foundationModel: z.string().regex(MODEL_ID_PATTERN, 'foundationModel must be a Bedrock foundation model id'),
      /**
       * Regions a geographic profile (us., eu., apac., ...) may route a request to; IAM must allow the
       * foundation model in each. A global profile (global.) routes to every commercial region and
       * lists none: IAM then allows the region-less foundation model ARN.
       */
      regions: z.array(z.string().regex(REGION, 'region must look like us-east-1')).min(1, 'an inference profile routes to at least one region').optional(),
      /** USD per million tokens; needed for cost budgets and cost reports. */
      price: modelPriceSchema.optional(),
    }),
  ],
  { error: 'model kind must be foundation-model or inference-profile' },
);

export const identityProviderSchema = z.strictObject({
  id: z.string().regex(NAME, `identity provider id must be ${NAME_RULE}`),
  /** `cognito` checks `client_id`/`token_use` as Cognito issues them; `oidc` checks `aud`. @default 'oidc' */
  kind: z.enum(['cognito', 'oidc']).default('oidc'),
  issuer: httpsUrl('issuer'),
  jwksUri: httpsUrl('jwksUri'),
  /** Accepted audiences (Cognito: app client ids). */
  audiences: z.array(z.string().min(1, 'an audience must not be empty')).min(1, 'audiences must list at least one audience'),
  /** @default ['RS256'] */
  algorithms: z
    .array(z.enum(JWT_ALGORITHMS, { error: `algorithm must be one of ${JWT_ALGORITHMS.join(', ')} (no HMAC, no none)` }))
    .min(1, 'algorithms must list at least one algorithm')
    .default(['RS256']),
  /** Which token the gateway accepts. Cognito: checked against `token_use`. @default 'access' */
  tokenUse: z.enum(['access', 'id']).default('access'),
  /** Required `typ` header, e.g. `at+jwt` for RFC 9068 access tokens. @default no check */
  requiredTyp: z.string().optional(),
  claims: z.strictObject({
    /** Claim holding the tenant id, e.g. `custom:tenant_id`, `tenant`, `tid`. */
    tenant: z.string().min(1),
    /** Claim holding the role: a string or an array (`cognito:groups`, `roles`, `groups`). */
    role: z.string().min(1),
    /** Claim with the tier the token asserts; only compared and logged, never trusted. */
    tier: z.string().min(1).optional(),
  }),
  /** @default 5 */
  clockToleranceSeconds: z.number().int().min(0).max(300, 'clockToleranceSeconds must not be greater than 300').default(5),
  maxTokenAgeSeconds: positiveInt('maxTokenAgeSeconds').optional(),
});

const stateSchema = z.discriminatedUnion(
  'backend',
  [
    z.strictObject({
      backend: z.literal('s3'),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'bucket must be a valid S3 bucket name'),
      /** State key: `<keyPrefix>/<environment>/terraform.tfstate`. @default 'bedrock-ai-gateway' */
      keyPrefix: z.string().regex(/^[A-Za-z0-9._/-]+$/).default('bedrock-ai-gateway'),
      /** @default the environment's region */
      region: z.string().regex(REGION).optional(),
      kmsKeyId: z.string().optional(),
      /** State bucket (bootstrap stack): days before a superseded state version is deleted. @default 90 */
      noncurrentVersionExpirationDays: positiveInt('noncurrentVersionExpirationDays').optional(),
    }),
    z.strictObject({
      backend: z.literal('cloud'),
      organization: z.string().min(1),
      // ---- Terraform Cloud workspaces (issue 10): one named workspace, or the workspaces carrying tags ----
      /** One workspace by name (CLI- or VCS-driven). Exactly one of workspace / workspaceTags. */
      workspace: z.string().min(1).optional(),
      /** Workspaces selected by tags (`terraform workspace select` picks one). */
      workspaceTags: z.array(z.string().regex(/^[A-Za-z0-9_:-]+$/, 'a workspace tag is letters, digits, _, : and -')).min(1, 'workspaceTags must list at least one tag').optional(),
      /** Terraform Cloud project of the workspace(s). @default the organization's default project */
      project: z.string().min(1).optional(),
      // ---- end Terraform Cloud workspaces ----
      /** @default 'app.terraform.io' */
      hostname: z.string().optional(),
    }),
    z.strictObject({
      backend: z.literal('local'),
      /** @default 'terraform.<environment>.tfstate' */
      path: z.string().optional(),
    }),
  ],
  { error: 'state backend must be s3, cloud or local' },
);

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const retentionDays = (field: string) =>
  z.union(RETENTION_DAYS.map((d) => z.literal(d)), { error: `${field} must be a CloudWatch retention value (${RETENTION_DAYS.join(', ')})` });
const nonNegative = (what: string) => z.number({ error: `${what} must be a number` }).min(0, `${what} must not be negative`);

// ---- observability: access logs, stage settings, tracing, alarms, queries, dashboard ----
export const observabilitySchema = z.strictObject({
  /** Production environments may not turn execution logging up to INFO. @default true */
  production: z.boolean().default(true),
  accessLogs: z
    .strictObject({
      /** @default 365 */
      retentionDays: retentionDays('observability.accessLogs.retentionDays').default(365),
      /** KMS key for the access and execution log groups (its policy must allow logs.<region>.amazonaws.com). @default CloudWatch's own encryption */
      kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:/, 'kmsKeyArn must be a KMS key ARN').optional(),
    })
    .prefault({}),
  /** API Gateway execution logs: ERROR always; INFO only where production is false. Data tracing is never on. @default 'ERROR' */
  executionLogLevel: z.enum(['ERROR', 'INFO'], { error: 'executionLogLevel must be ERROR or INFO' }).default('ERROR'),
  /** Stage-wide throttle ceiling, at least every tenant's own limits. @default 500 req/s, burst 1000 */
  throttle: z.strictObject({ rateLimit: nonNegative('throttle rateLimit').default(500), burstLimit: z.number().int().min(0).default(1000) }).prefault({}),
  /** X-Ray tracing of the stage, the authorizer and (integration `forwarder`) the forwarder. @default all on */
  tracing: z.strictObject({ stage: z.boolean().default(true), authorizer: z.boolean().default(true), forwarder: z.boolean().default(true) }).prefault({}),
  /** Set the account-wide API Gateway CloudWatch Logs role (one per account and region). @default false */
  apiGatewayAccount: z.boolean().default(false),
  alarms: z
    .strictObject({
      /** @default true */
      enabled: z.boolean().default(true),
      /** 5XX responses in percent of requests over one period. @default 1 */
      serverErrorRatePercent: nonNegative('serverErrorRatePercent').max(100).default(1),
      /** 4XX responses in percent of requests over one period. @default 10 */
      clientErrorRatePercent: nonNegative('clientErrorRatePercent').max(100).default(10),
      /** p99 of API Gateway Latency in milliseconds. @default 20000 */
      p99LatencyMs: positiveInt('p99LatencyMs').default(20_000),
      /** Authorizer Lambda errors plus throttles per period. @default 1 */
      authorizerFailures: positiveInt('authorizerFailures').default(1),
      /** 429s from Bedrock (integration status) per period. @default 5 */
      bedrockThrottles: positiveInt('bedrockThrottles').default(5),
      /** WAF blocked requests per period, when a web ACL is named. @default 100 */
      wafBlockedRequests: positiveInt('wafBlockedRequests').default(100),
      /** @default 300 */
      periodSeconds: z.union([60, 300, 900, 3600].map((d) => z.literal(d)), { error: 'periodSeconds must be 60, 300, 900 or 3600' }).default(300),
      /** Alarm notifications to an encrypted SNS topic; without kmsKeyArn the stack creates a key CloudWatch may use. */
      topic: z.strictObject({ kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:/, 'kmsKeyArn must be a KMS key ARN').optional() }).optional(),
    })
    .prefault({}),
  /** Saved CloudWatch Logs Insights queries (never on an emulator: moto lacks PutQueryDefinition). @default true */
  queries: z.boolean().default(true),
  /** @default true */
  dashboard: z.boolean().default(true),
  /** The WAF web ACL in front of the stage, for the blocked-requests alarm and widget. */
  waf: z.strictObject({ webAclName: z.string().min(1) }).optional(),
});

/**
 * Token budgets in one environment: where Bedrock's invocation logs come from, and how the
 * metering function treats what it cannot price.
 */
export const tokenBudgetsSchema = z.strictObject({
  invocationLogging: z
    .discriminatedUnion(
      'source',
      [
        z.strictObject({
          /**
           * The stack owns the region's model invocation logging configuration (one per account and
           * region: it replaces whatever is configured there) and its log group.
           */
          source: z.literal('managed'),
          /** @default 30 */
          retentionDays: retentionDays('tokenBudgets.invocationLogging.retentionDays').default(30),
          /** Which payloads Bedrock stores; all off by default so prompts and outputs are never stored. */
          dataDelivery: z
            .strictObject({
              text: z.boolean().default(false),
              image: z.boolean().default(false),
              embedding: z.boolean().default(false),
              video: z.boolean().default(false),
            })
            .prefault({}),
          /**
           * Create the `aws_bedrock_model_invocation_logging_configuration` resource. Off only where the
           * API is missing (an emulator); the log group and role are still created. @default true
           */
          manageConfiguration: z.boolean().default(true),
        }),
        z.strictObject({
          /** Invocation logging is configured elsewhere: meter from this existing log group. */
          source: z.literal('existing'),
          logGroupName: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'logGroupName must be a CloudWatch log group name'),
        }),
      ],
      { error: 'tokenBudgets.invocationLogging.source must be managed or existing' },
    )
    .prefault({ source: 'managed' }),
  /**
   * A call to a model with no price: `count-tokens` meters its tokens (cost 0, metric
   * UnpricedModel); `disable-key` also treats the tenant's budget as spent (fail closed). @default 'count-tokens'
   */
  unpricedModel: z.enum(['count-tokens', 'disable-key'], { error: 'unpricedModel must be count-tokens or disable-key' }).default('count-tokens'),
  /** Threshold alerts to an encrypted SNS topic (the stack creates a KMS key unless kmsKeyArn). */
  alerts: z.strictObject({ kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:/, 'kmsKeyArn must be a KMS key ARN').optional() }).optional(),
  /** Ledger items expire this many periods after their period ends (DynamoDB TTL). @default 3 */
  keepPeriods: z.number().int().min(1).max(36).default(3),
});
// ---- end token budgets ----

export const environmentSchema = z.strictObject({
  name: z.string().regex(NAME, `environment name must be ${NAME_RULE}`),
  region: z.string().regex(REGION, 'region must look like us-east-1'),
  /** @default the environment name */
  stageName: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'stageName must be letters, digits, hyphens and underscores').optional(),
  state: stateSchema,
  /**
   * Split tenants (API keys, their usage plan links, per-tenant plans) into this many stacks of
   * their own next to the core stack, by a stable hash of the tenant id (docs/scaling.md).
   * Needs an s3 or cloud (named workspace) state backend. @default not sharded
   */
  tenantShards: z
    .number({ error: 'tenantShards must be a number' })
    .int('tenantShards must be a whole number')
    .min(1, 'tenantShards must be at least 1')
    .max(MAX_TENANT_SHARDS, `tenantShards must not be greater than ${MAX_TENANT_SHARDS}`)
    .optional(),
  /** Salt mixed into derived API key values, so environments never share one. @default '<name>' */
  apiKeySalt: z.string().min(1).optional(),
  /** @default 29000 */
  integrationTimeoutMs: z
    .number()
    .int()
    .min(AWS_LIMITS.integrationTimeoutMs.min, `integrationTimeoutMs must be at least ${AWS_LIMITS.integrationTimeoutMs.min}`)
    .max(AWS_LIMITS.integrationTimeoutMs.max, `integrationTimeoutMs must not be greater than ${AWS_LIMITS.integrationTimeoutMs.max}`)
    .default(29_000),
  // ---- integration mode (issue 14): direct AWS integration or a Lambda forwarder ----
  /**
   * How the routes reach Bedrock: `direct` (API Gateway AWS integration, no Lambda in the model
   * path) or `forwarder` (AWS_PROXY to a Lambda function that calls Bedrock with the AWS SDK).
   * See docs/integration-modes.md. @default 'direct'
   */
  integration: z.enum(INTEGRATION_MODES, { error: `integration must be one of ${INTEGRATION_MODES.join(', ')}` }).default('direct'),
  /** The forwarder function; only with `integration: 'forwarder'` (defaults then apply without it). */
  forwarder: z
    .strictObject({
      /** @default 512 */
      memoryMb: z
        .number({ error: 'forwarder.memoryMb must be a number' })
        .int('forwarder.memoryMb must be a whole number')
        .min(LAMBDA_LIMITS.memoryMb.min, `forwarder.memoryMb must be between ${LAMBDA_LIMITS.memoryMb.min} and ${LAMBDA_LIMITS.memoryMb.max} MB`)
        .max(LAMBDA_LIMITS.memoryMb.max, `forwarder.memoryMb must be between ${LAMBDA_LIMITS.memoryMb.min} and ${LAMBDA_LIMITS.memoryMb.max} MB`)
        .optional(),
      /** Seconds; at most the integration timeout (integrationTimeoutMs). @default integrationTimeoutMs in whole seconds */
      timeoutSeconds: z.number({ error: 'forwarder.timeoutSeconds must be a number' }).int('forwarder.timeoutSeconds must be a whole number').min(1, 'forwarder.timeoutSeconds must be at least 1').optional(),
      /** Concurrent executions reserved for (and capping) the forwarder. @default none (the account's unreserved pool) */
      reservedConcurrency: z.number({ error: 'forwarder.reservedConcurrency must be a number' }).int('forwarder.reservedConcurrency must be a whole number').min(1, 'forwarder.reservedConcurrency must be at least 1 (0 would refuse every request)').optional(),
      /** @default 'arm64' */
      architecture: z.enum(LAMBDA_ARCHITECTURES, { error: `forwarder.architecture must be one of ${LAMBDA_ARCHITECTURES.join(', ')}` }).optional(),
    })
    .optional(),
  // ---- end integration mode ----
  authorizer: z
    .strictObject({
      /** @default 300 */
      cacheTtlSeconds: z
        .number()
        .int()
        .min(0, 'authorizer cacheTtlSeconds must not be negative')
        .max(AWS_LIMITS.authorizerCacheTtlSeconds, `authorizer cacheTtlSeconds must not be greater than ${AWS_LIMITS.authorizerCacheTtlSeconds} seconds`)
        .default(300),
      /** @default 256 */
      memorySizeMb: z.number().int().min(128).max(10_240).default(256),
      /** @default 10 */
      timeoutSeconds: z.number().int().min(1).max(30).default(10),
      /** Largest token accepted before parsing. @default 8192 */
      maxTokenBytes: z.number().int().min(1024).max(65_536).default(8192),
      /** Bound on one JWKS fetch. @default 3000 */
      jwksTimeoutMs: z.number().int().min(100).max(10_000).default(3000),
    })
    .prefault({}),
  /** @default 30 */
  logRetentionDays: retentionDays('logRetentionDays').default(30),
  /** Access logs, stage settings, tracing, alarms, queries and dashboard. */
  observability: observabilitySchema.prefault({}),
  /** Extra default tags on every resource. */
  tags: z.record(z.string(), z.string()).default({}),
  /**
   * Deploy to a local AWS API emulator instead of AWS: provider and S3 backend endpoints
   * point at it, credentials are dummies, and features it lacks are off.
   */
  emulator: z
    .strictObject({
      endpoint: loopbackUrl,
      /**
       * A development identity provider on loopback (`npm start` serves it; `npm run token` signs
       * its tokens). When set, this environment's authorizer trusts, for each configured identity
       * provider `<id>`, the issuer `<url>/idp/<id>` and its JWKS `<url>/idp/<id>/jwks.json`
       * instead of the real ones, with the same claim rules. Only emulator environments can
       * have it, so it never reaches a stack deployed to AWS. @default none
       */
      developmentIdp: z.strictObject({ url: loopbackUrlOf('emulator.developmentIdp.url') }).optional(),
    })
    .optional(),
  // --- edge (issue 7): WAF web ACL and custom domain; fields, defaults and limits in edge-schema.ts ---
  edge: edgeSchema.optional(),
  /** Token budgets (issue 9): invocation logging, metering, ledger, enforcement. @default off */
  tokenBudgets: tokenBudgetsSchema.optional(),
  // --- end edge ---
  // ---- policy: the synth-time rule pack (issue 10; `npm run lint:infra` lists the rules) ----
  policy: z
    .strictObject({
      /** Log groups keep events at least this many days (rule BAG-LOG1). @default 1 */
      minimumLogRetentionDays: positiveInt('minimumLogRetentionDays').default(1),
      /** Every stage must be associated with a WAF web ACL (rule BAG-WAF1). @default false */
      requireWaf: z.boolean().default(false),
      /** Accepted findings: one rule on one resource, each with why it is acceptable. @default [] */
      suppressions: z
        .array(
          z.strictObject({
            rule: z.string().regex(/^BAG-[A-Z]+[0-9]+$/, 'rule must be a rule id such as BAG-API4 (npm run lint:infra lists them)'),
            resource: z.string().regex(/^aws_[a-z0-9_]+\.[A-Za-z0-9_-]+$/, 'resource must be a Terraform resource address such as aws_api_gateway_stage.stage'),
            reason: z
              .string({ error: 'a suppression needs a reason: say why the finding is acceptable here' })
              .trim()
              .min(1, 'a suppression needs a reason: say why the finding is acceptable here'),
          }),
        )
        .default([]),
    })
    .prefault({}),
  // ---- end policy ----
});

export const gatewayConfigSchema = z.strictObject({
  environments: z.array(environmentSchema).min(1, 'at least one environment is required'),
  identityProviders: z.array(identityProviderSchema).min(1, 'at least one identity provider is required'),
  models: z.array(modelSchema).min(1, 'the model catalogue must list at least one model'),
  tiers: z.array(tierSchema).min(1, 'at least one tier is required'),
  tenants: z.array(tenantSchema),
});

/** What users write (defaults optional). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type IdentityProviderInput = z.input<typeof identityProviderSchema>;
export type ModelInput = z.input<typeof modelSchema>;
export type TierInput = z.input<typeof tierSchema>;
export type TenantInput = z.input<typeof tenantSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type PolicySuppressionInput = NonNullable<NonNullable<EnvironmentInput['policy']>['suppressions']>[number];

/** What the stacks read (defaults applied). */
export type Environment = z.output<typeof environmentSchema>;
export type IdentityProvider = z.output<typeof identityProviderSchema>;
export type Model = z.output<typeof modelSchema>;
export type Tier = z.output<typeof tierSchema>;
export type Tenant = z.output<typeof tenantSchema>;
export type Quota = z.output<typeof quotaSchema>;
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
export type Observability = z.output<typeof observabilitySchema>;
export type ObservabilityInput = z.input<typeof observabilitySchema>;
export type ForwarderInput = NonNullable<EnvironmentInput['forwarder']>;
export type Budget = z.output<typeof budgetSchema>;
export type ModelPrice = z.output<typeof modelPriceSchema>;
export type TokenBudgets = z.output<typeof tokenBudgetsSchema>;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
