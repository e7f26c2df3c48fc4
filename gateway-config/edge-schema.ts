/**
 * The `edge` section of an environment: an AWS WAF web ACL in front of the stage and a corporate
 * domain (Route 53 + ACM) for the gateway. Shapes, ranges and defaults live here; rules that
 * relate fields to each other or to other sections (domain inside its zone, known managed rule
 * group and rule names, rate limits against tenant usage plans) live in `validate.ts`.
 */
import { z } from 'zod';
import { parseCidr } from './cidr';
import { WAF_COUNTRY_CODES } from './waf-country-codes';

/**
 * AWS bounds the validator enforces, each quoted in its message.
 * - Rate-based rules: the limit is 10 to 2,000,000,000 requests per evaluation window, and the
 *   window is 60, 120, 300 or 600 seconds (AWS WAF Developer Guide, "Rate-based rule high-level
 *   settings"; hashicorp/aws 5.100 validates `rate_based_statement.limit` with IntBetween(10,
 *   2000000000) and `evaluation_window_sec` with IntInSlice(60, 120, 300, 600)).
 * - Body inspection: API Gateway forwards the first 16 KB of a request body to WAF by default; the
 *   web ACL's AssociationConfig raises that to 32, 48 or 64 KB (extra WAF fees). Beyond it WAF
 *   sees nothing of the body (WAF API reference, `Body.OversizeHandling` and
 *   `RequestBodyAssociatedResourceTypeConfig`).
 * - API Gateway refuses payloads over 10 MB on its own (API Gateway quotas), so a larger WAF
 *   body limit would mean nothing.
 */
export const WAF_LIMITS = {
  rateLimit: { min: 10, max: 2_000_000_000 },
  evaluationWindowsSeconds: [60, 120, 300, 600],
  bodyInspectionLimitsKb: [16, 32, 48, 64],
  apiGatewayPayloadBytes: 10 * 1024 * 1024,
  ipSetAddresses: 10_000,
} as const;

/** Defaults of the WAF fields, applied by the schema and quoted in the README. */
export const WAF_DEFAULTS = {
  /** Flood guards: well above what one client of a tenant may send under its usage plan (validated). */
  rateLimit: 20_000,
  windowSeconds: 300,
  bodyMaxBytes: 1024 * 1024,
  bodyInspectionLimitKb: 16,
} as const;

const wafAction = (what: string) => z.enum(['block', 'count'], { error: `${what} must be "block" or "count"` });

const rateLimitRule = (what: string) =>
  z
    .strictObject({
      /** @default true */
      enabled: z.boolean().default(true),
      /** Requests one client may send in `windowSeconds` before `action` applies. @default 20000 */
      limit: z
        .number({ error: `${what} limit must be a number` })
        .int(`${what} limit must be a whole number`)
        .min(WAF_LIMITS.rateLimit.min, `${what} limit must be between ${WAF_LIMITS.rateLimit.min} and ${WAF_LIMITS.rateLimit.max} requests per window (AWS WAF rate-based rule bounds)`)
        .max(WAF_LIMITS.rateLimit.max, `${what} limit must be between ${WAF_LIMITS.rateLimit.min} and ${WAF_LIMITS.rateLimit.max} requests per window (AWS WAF rate-based rule bounds)`)
        .default(WAF_DEFAULTS.rateLimit),
      /** Evaluation window. @default 300 */
      windowSeconds: z
        .union(WAF_LIMITS.evaluationWindowsSeconds.map((s) => z.literal(s)), {
          error: `${what} windowSeconds must be one of ${WAF_LIMITS.evaluationWindowsSeconds.join(', ')} (the evaluation windows AWS WAF offers)`,
        })
        .default(WAF_DEFAULTS.windowSeconds),
      /** @default 'block' */
      action: wafAction(`${what} action`).default('block'),
    })
    .prefault({});

const cidrList = (what: string) =>
  z
    .array(
      z.string().superRefine((value, ctx) => {
        const parsed = parseCidr(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `${what} entry ${parsed.problem}`, input: value });
      }),
    )
    .min(1, `${what} must list at least one CIDR block (omit it to turn it off)`)
    .max(WAF_LIMITS.ipSetAddresses, `${what} may hold at most ${WAF_LIMITS.ipSetAddresses} CIDR blocks per IP version (AWS WAF IP set limit)`);

export const wafSchema = z.strictObject({
  /** Set false to keep the settings but deploy no web ACL. @default true */
  enabled: z.boolean().default(true),
  /** Rate-based rule per client IP. */
  ipRateLimit: rateLimitRule('ipRateLimit'),
  /**
   * Rate-based rule per `Authorization` header value: a flood of one token, valid or not, is
   * stopped before it costs an authorizer invocation.
   */
  tokenRateLimit: rateLimitRule('tokenRateLimit'),
  /**
   * AWS managed rule groups by name, merged over the defaults (see waf-managed-rule-groups.ts):
   * `{ enabled?, action?: 'block' | 'count', ruleActionOverrides?: { <rule>: 'block' | 'count' } }`.
   */
  managedRuleGroups: z
    .record(
      z.string(),
      z.strictObject({
        enabled: z.boolean().optional(),
        /** 'count' runs the whole group in count mode. */
        action: wafAction('managed rule group action').optional(),
        ruleActionOverrides: z.record(z.string(), wafAction('rule action override')).optional(),
      }),
    )
    .default({}),
  /** When set, requests from any other address are blocked (they still pass every other rule). */
  allowList: cidrList('allowList').optional(),
  /** Requests from these addresses are blocked first. */
  denyList: cidrList('denyList').optional(),
  /** ISO 3166-1 alpha-2 codes of countries whose requests are blocked. */
  blockedCountries: z
    .array(z.string().refine((c) => WAF_COUNTRY_CODES.includes(c), 'blockedCountries entry must be an ISO 3166-1 alpha-2 country code WAF knows, in capitals (e.g. "KP")'))
    .min(1, 'blockedCountries must list at least one country (omit it to turn it off)')
    .optional(),
  /** The gateway's own body-size rule; see the README for what WAF can and cannot enforce. */
  bodySizeLimit: z
    .strictObject({
      /** @default true */
      enabled: z.boolean().default(true),
      /** Largest body allowed. @default 1048576 (1 MiB) */
      maxBytes: z
        .number({ error: 'bodySizeLimit maxBytes must be a number' })
        .int('bodySizeLimit maxBytes must be a whole number')
        .min(1, 'bodySizeLimit maxBytes must be at least 1')
        .max(WAF_LIMITS.apiGatewayPayloadBytes, `bodySizeLimit maxBytes must not be greater than ${WAF_LIMITS.apiGatewayPayloadBytes} (API Gateway refuses payloads over 10 MB itself)`)
        .default(WAF_DEFAULTS.bodyMaxBytes),
      /** @default 'block' */
      action: wafAction('bodySizeLimit action').default('block'),
    })
    .prefault({}),
  /** KB of each body API Gateway forwards to WAF; above 16 WAF charges extra. @default 16 */
  bodyInspectionLimitKb: z
    .union(WAF_LIMITS.bodyInspectionLimitsKb.map((kb) => z.literal(kb)), {
      error: `bodyInspectionLimitKb must be one of ${WAF_LIMITS.bodyInspectionLimitsKb.join(', ')} (the body sizes API Gateway can forward to WAF)`,
    })
    .default(WAF_DEFAULTS.bodyInspectionLimitKb),
  logging: z
    .strictObject({
      /** CloudWatch log group `aws-waf-logs-<prefix>` (environment retention, `authorization` redacted). @default true */
      enabled: z.boolean().default(true),
      /** Which requests are logged. @default 'blocked-and-counted' */
      keep: z
        .enum(['blocked-and-counted', 'blocked', 'all'], { error: 'logging keep must be "blocked-and-counted", "blocked" or "all"' })
        .default('blocked-and-counted'),
    })
    .prefault({}),
});

/** Lowercase DNS name, no trailing dot. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const dnsName = (what: string) => z.string().regex(DNS_NAME, `${what} must be a lowercase DNS name without a trailing dot, e.g. ai.example.com`);

export const domainSchema = z.strictObject({
  /** The gateway's host name, e.g. `ai.example.com`. */
  name: dnsName('domain name'),
  /** The public Route 53 hosted zone the records go into: looked up by `name`, or given by `id`. */
  hostedZone: z.strictObject({
    name: dnsName('hostedZone name'),
    /** Skips the lookup. `name` must still be the zone's name (checked against the domain). */
    id: z.string().regex(/^[A-Z0-9]{1,32}$/, 'hostedZone id must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ').optional(),
  }),
  /** Path under the domain the stage is mapped to. @default none (the domain root) */
  basePath: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'basePath must be one path segment of letters, digits and ._~- (no slashes)').optional(),
  /**
   * Keep the default execute-api endpoint reachable next to the domain (synth prints a warning:
   * clients could bypass the domain). @default false
   */
  keepExecuteApiEndpoint: z.boolean().default(false),
});

export const edgeSchema = z.strictObject({
  waf: wafSchema.optional(),
  domain: domainSchema.optional(),
});

export type WafSettings = z.output<typeof wafSchema>;
export type DomainSettings = z.output<typeof domainSchema>;
export type EdgeInput = z.input<typeof edgeSchema>;
export type Edge = z.output<typeof edgeSchema>;
export type WafRateLimit = WafSettings['ipRateLimit'];
