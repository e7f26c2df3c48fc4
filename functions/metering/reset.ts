/**
 * The reset function (EventBridge schedule, hourly on the hour): re-enables the API key of every
 * tenant that the config enables and whose current period has budget left. Every period starts
 * at 00:00 UTC, so an hourly run re-enables keys at the boundary itself; it also picks up a raised
 * budget or a tenant re-enabled in config within the hour. Tenants disabled in config are never
 * touched (the authorizer refuses them anyway, and Terraform ignores the key's `enabled`).
 */
import { GetApiKeyCommand, UpdateApiKeyCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { budgetUse, ledgerKey, readApiKeyId, readUsage } from './ledger';
import { periodWindow } from './periods';
import type { MeteringSettings } from './settings';

export interface ResetDeps {
  readonly dynamodb: DynamoDBClient;
  readonly apiGateway: APIGatewayClient;
  readonly tableName: string;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

export interface ResetSummary {
  /** Keys this run re-enabled. */
  readonly enabled: readonly string[];
  /** Disabled keys left disabled: the budget of the current period is spent. */
  readonly stillSpent: readonly string[];
  /** Tenants disabled in config: never re-enabled here. */
  readonly disabledInConfig: readonly string[];
  /** Tenants without a key id in the ledger (not deployed yet). */
  readonly missingKey: readonly string[];
}

export function createResetHandler(settings: MeteringSettings, deps: ResetDeps) {
  const log = deps.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = deps.now ?? Date.now;
  return async (): Promise<ResetSummary> => {
    const nowMs = now();
    const enabled: string[] = [];
    const stillSpent: string[] = [];
    const disabledInConfig: string[] = [];
    const missingKey: string[] = [];
    for (const [tenant, entry] of Object.entries(settings.tenants).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!entry.enabled) {
        disabledInConfig.push(tenant);
        continue;
      }
      const apiKeyId = await readApiKeyId(deps.dynamodb, deps.tableName, tenant);
      if (apiKeyId === null) {
        missingKey.push(tenant);
        continue;
      }
      const key = await deps.apiGateway.send(new GetApiKeyCommand({ apiKey: apiKeyId, includeValue: false }));
      if (key.enabled !== false) continue;
      const window = periodWindow(entry.budget?.period ?? 'MONTH', nowMs);
      if (entry.budget) {
        const usage = await readUsage(deps.dynamodb, deps.tableName, ledgerKey.usage(tenant, window));
        if (budgetUse(entry.budget, usage, settings.unpricedModel === 'disable-key').spent) {
          stillSpent.push(tenant);
          continue;
        }
      }
      await deps.apiGateway.send(new UpdateApiKeyCommand({ apiKey: apiKeyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] }));
      log(JSON.stringify({ audit: 'metering', event: 'key-enabled', environment: settings.environment, tenant, apiKeyId, period: window.period, periodStart: window.start, resetsAt: new Date(window.endMs).toISOString() }));
      enabled.push(tenant);
    }
    return { enabled, stillSpent, disabledInConfig, missingKey };
  };
}
