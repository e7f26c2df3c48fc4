import type { ModelInput } from '../gateway-config';

/**
 * The Bedrock models the gateway may expose. Nothing outside this list is reachable.
 *
 * Prices are EXAMPLES, in USD per million tokens; check https://aws.amazon.com/bedrock/pricing/ for
 * your region before relying on cost budgets. A cross-region profile is billed at its source
 * region's price; geographic profiles (us., eu.) carry a premium over global ones
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html).
 * - Claude 5.5 (global profiles): Anthropic's list prices as read on 2026-12-01 (model comparison
 *   table, https://platform.claude.com/docs/about-claude/models/whats-new-opus-5). Global profiles are
 *   reported to be billed at list price and geographic ones about 10% above it; the Bedrock pricing
 *   page could not be read here to confirm that.
 *   Haiku 5.5 has two price rows (prompts up to 100K tokens, and larger ones); the budget uses the
 *   higher row so that a budget is never spent later than it should be.
 * - Every other model: on-demand list prices in us-east-1 from the Bedrock pricing page on 2025-11-15.
 *
 * Claude 5.x models have undated ids (anthropic.claude-opus-5-5, no -v1:0 suffix) and, like Claude
 * 4.5, are served on demand only through inference profiles (model cards, e.g.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-opus-5-5.html).
 */
/*
 * Every model here must be callable from every environment's region, and preflight checks each one
 * there. A geographic profile is called from a source region of its own geography (us. from US
 * regions, eu. from EU regions; requests stay in that geography) and a global. profile from its
 * supported source regions, routing to any commercial region (Amazon Bedrock User Guide,
 * "Supported Regions and models for inference profiles",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html, and
 * "Geographic cross-Region inference",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html).
 * The example's environments are in us-east-1 and us-west-2, so it lists us. and global. profiles
 * only; an environment in the EU would list the eu. profile instead, e.g.
 *   { kind: 'inference-profile', id: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0', foundationModel: 'anthropic.claude-haiku-4-5-20251001-v1:0',
 *     regions: ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'], price: { ... } }
 */
const models: ModelInput[] = [
  // Claude 4.5 through cross-region profiles and Amazon Nova (first generation): still served. The
  // current models (late 2026) are the Claude 5.5 profiles at the end of the list.
  {
    // Global profile: may route to any commercial region; lists no regions (IAM uses the region-less model ARN).
    kind: 'inference-profile',
    id: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
    foundationModel: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    price: { inputPerMillionTokens: 3, outputPerMillionTokens: 15, cacheReadPerMillionTokens: 0.3, cacheWritePerMillionTokens: 3.75 },
  },
  {
    kind: 'inference-profile',
    id: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    foundationModel: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    regions: ['us-east-1', 'us-east-2', 'us-west-2'],
    price: { inputPerMillionTokens: 1.1, outputPerMillionTokens: 5.5, cacheReadPerMillionTokens: 0.11, cacheWritePerMillionTokens: 1.375 },
  },
  { kind: 'foundation-model', id: 'amazon.nova-pro-v1:0', price: { inputPerMillionTokens: 0.8, outputPerMillionTokens: 3.2, cacheReadPerMillionTokens: 0.2 } },
  // Older models, still served (legacy pricing).
  { kind: 'foundation-model', id: 'anthropic.claude-3-haiku-20240307-v1:0', price: { inputPerMillionTokens: 0.25, outputPerMillionTokens: 1.25 } },
  { kind: 'foundation-model', id: 'anthropic.claude-3-5-sonnet-20240620-v1:0', price: { inputPerMillionTokens: 3, outputPerMillionTokens: 15 } },
  { kind: 'foundation-model', id: 'amazon.titan-text-express-v1', price: { inputPerMillionTokens: 0.2, outputPerMillionTokens: 0.6 } },
  { kind: 'foundation-model', id: 'meta.llama3-8b-instruct-v1:0', price: { inputPerMillionTokens: 0.3, outputPerMillionTokens: 0.6 } },
  {
    kind: 'inference-profile',
    id: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    foundationModel: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    regions: ['us-east-1', 'us-east-2', 'us-west-2'],
    price: { inputPerMillionTokens: 0.8, outputPerMillionTokens: 4, cacheReadPerMillionTokens: 0.08, cacheWritePerMillionTokens: 1 },
  },
  // Current models (late 2026): Claude 5.5 through global cross-region profiles (a global profile
  // lists no regions: it may route to any commercial region, and IAM uses the region-less model ARN).
  {
    kind: 'inference-profile',
    id: 'global.anthropic.claude-sonnet-5-5',
    foundationModel: 'anthropic.claude-sonnet-5-5',
    price: { inputPerMillionTokens: 2, outputPerMillionTokens: 10, cacheReadPerMillionTokens: 0.2, cacheWritePerMillionTokens: 2.5 },
  },
  {
    kind: 'inference-profile',
    id: 'global.anthropic.claude-opus-5-5',
    foundationModel: 'anthropic.claude-opus-5-5',
    price: { inputPerMillionTokens: 4, outputPerMillionTokens: 20, cacheReadPerMillionTokens: 0.2, cacheWritePerMillionTokens: 5 },
  },
  {
    kind: 'inference-profile',
    id: 'global.anthropic.claude-haiku-5-5',
    foundationModel: 'anthropic.claude-haiku-5-5',
    price: { inputPerMillionTokens: 0.5, outputPerMillionTokens: 2.5, cacheReadPerMillionTokens: 0.05, cacheWritePerMillionTokens: 0.625 },
  },
];

export default models;
