/**
 * Usage plans as API Gateway applies them to the API key the authorizer returns
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html):
 * the key must exist, be enabled and belong to a plan of the stage (else INVALID_API_KEY); the
 * plan's throttle is a token bucket (refilled at `rateLimit` per second, holding at most
 * `burstLimit`; empty = THROTTLED); its quota counts requests per period in UTC (QuotaSettings:
 * DAY, WEEK or MONTH, `offset` = the day a period starts: WEEK offset 0 is Sunday, MONTH offset 0
 * the 1st; spent = QUOTA_EXCEEDED).
 *
 * A key's enabled state is read per request from an `ApiKeyStates` source: the emulator's API
 * Gateway (so a key disabled there by budget enforcement refuses the very next request), or the
 * stack's own `enabled` flags when no emulator is attached.
 */
import { APIGatewayClient, GetApiKeyCommand, GetApiKeysCommand } from '@aws-sdk/client-api-gateway';
import type { ApiKeyModel, StackModel, UsagePlanModel } from './stack-model';

export type UsageDecision =
  | { readonly ok: true; readonly apiKeyId: string; readonly plan: string; readonly remainingQuota?: number }
  | { readonly ok: false; readonly responseType: 'INVALID_API_KEY' | 'THROTTLED' | 'QUOTA_EXCEEDED'; readonly message: string; readonly apiKeyId?: string };

export interface ApiKeyState {
  readonly id: string;
  readonly enabled: boolean;
}

/** Where the enabled state of a key (by value) comes from. */
export interface ApiKeyStates {
  get(value: string): Promise<ApiKeyState | undefined>;
}

/** The stack's own flags: what a fresh deployment would have. */
export class StackApiKeyStates implements ApiKeyStates {
  constructor(private readonly keys: ReadonlyMap<string, ApiKeyModel>) {}
  async get(value: string): Promise<ApiKeyState | undefined> {
    const key = this.keys.get(value);
    return key ? { id: key.address, enabled: key.enabled } : undefined;
  }
}

/**
 * The emulator's API Gateway: the key id by value (GetApiKeys with values, refreshed on a miss),
 * then GetApiKey for its current enabled state on every request.
 */
export class EmulatorApiKeyStates implements ApiKeyStates {
  private ids = new Map<string, string>();

  constructor(private readonly client: APIGatewayClient) {}

  async get(value: string): Promise<ApiKeyState | undefined> {
    let id = this.ids.get(value);
    if (id === undefined) {
      await this.refresh();
      id = this.ids.get(value);
      if (id === undefined) return undefined;
    }
    try {
      const key = await this.client.send(new GetApiKeyCommand({ apiKey: id }));
      return { id, enabled: key.enabled === true };
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundException') {
        this.ids.delete(value);
        return undefined;
      }
      throw err;
    }
  }

  private async refresh(): Promise<void> {
    const ids = new Map<string, string>();
    let position: string | undefined;
    do {
      const page = await this.client.send(new GetApiKeysCommand({ includeValues: true, limit: 500, ...(position ? { position } : {}) }));
      for (const item of page.items ?? []) if (item.value && item.id) ids.set(item.value, item.id);
      position = page.position;
    } while (position);
    this.ids = ids;
  }
}

/** Start (epoch ms) of the quota period containing `now`, in UTC. */
export function quotaPeriodStart(period: 'DAY' | 'WEEK' | 'MONTH', offset: number, now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  if (period === 'WEEK') {
    const back = (d.getUTCDay() - offset + 7) % 7;
    return day - back * 86_400_000;
  }
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1 + offset);
  return start <= now ? start : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1 + offset);
}

interface Bucket {
  tokens: number;
  at: number;
}

export class UsagePlanEnforcer {
  private readonly planOfKey = new Map<string, UsagePlanModel>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly quotas = new Map<string, { start: number; used: number }>();

  constructor(
    stack: StackModel,
    private readonly states: ApiKeyStates,
    private readonly now: () => number = Date.now,
  ) {
    const valueOfAddress = new Map([...stack.apiKeys.values()].map((k) => [k.address, k.value]));
    for (const plan of stack.usagePlans) {
      for (const address of plan.keyAddresses) {
        const value = valueOfAddress.get(address);
        if (value !== undefined) this.planOfKey.set(value, plan);
      }
    }
  }

  /** Checks and counts one request made with `apiKey`. */
  async admit(apiKey: string | undefined): Promise<UsageDecision> {
    if (apiKey === undefined || apiKey === '') return { ok: false, responseType: 'INVALID_API_KEY', message: 'Forbidden' };
    const state = await this.states.get(apiKey);
    const plan = this.planOfKey.get(apiKey);
    if (!state || !state.enabled || !plan) return { ok: false, responseType: 'INVALID_API_KEY', message: 'Forbidden', ...(state ? { apiKeyId: state.id } : {}) };
    const now = this.now();
    if (plan.throttle) {
      const { rateLimit, burstLimit } = plan.throttle;
      const bucket = this.buckets.get(apiKey) ?? { tokens: burstLimit, at: now };
      bucket.tokens = Math.min(burstLimit, bucket.tokens + ((now - bucket.at) / 1000) * rateLimit);
      bucket.at = now;
      this.buckets.set(apiKey, bucket);
      if (bucket.tokens < 1) return { ok: false, responseType: 'THROTTLED', message: 'Too Many Requests', apiKeyId: state.id };
      bucket.tokens -= 1;
    }
    let remainingQuota: number | undefined;
    if (plan.quota) {
      const start = quotaPeriodStart(plan.quota.period, plan.quota.offset, now);
      const counter = this.quotas.get(apiKey);
      const current = counter && counter.start === start ? counter : { start, used: 0 };
      if (current.used >= plan.quota.limit) return { ok: false, responseType: 'QUOTA_EXCEEDED', message: 'Limit Exceeded', apiKeyId: state.id };
      current.used++;
      this.quotas.set(apiKey, current);
      remainingQuota = plan.quota.limit - current.used;
    }
    return { ok: true, apiKeyId: state.id, plan: plan.name, ...(remainingQuota !== undefined ? { remainingQuota } : {}) };
  }

  /** Spends the rest of a key's quota for the current period (tests and demos of QUOTA_EXCEEDED). */
  exhaustQuota(apiKey: string): void {
    const plan = this.planOfKey.get(apiKey);
    if (!plan?.quota) throw new Error('the key has no quota');
    this.quotas.set(apiKey, { start: quotaPeriodStart(plan.quota.period, plan.quota.offset, this.now()), used: plan.quota.limit });
  }

  /** Refills every bucket (tests). */
  resetThrottles(): void {
    this.buckets.clear();
  }
}
