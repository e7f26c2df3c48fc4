/**
 * The tenant table as bundled with the authorizer: normalized so that its size and the cost of
 * loading it grow with one short row per tenant, not with tenants x models. A tenant refers to
 * its tier's model list unless it overrides it; every model id, model list and identity-provider
 * list is written once; API key values are derived from the tenant id when a tenant is first
 * looked up (`../shared/api-key.ts`, the same function synth gives Terraform), not carried.
 * The tenant index is a JSON object that `JSON.parse` builds straight into a dictionary (cheaper
 * at cold start than filling a Map), read with own-property checks only, so a lookup is O(1) and
 * a tenant claim such as `__proto__` or `constructor` finds nothing it was not given.
 *
 * The packer is tree-shaken out of the bundle; the reader is all the Lambda carries.
 */
import { deriveApiKeyValue, type ApiKeyScope } from '../shared/api-key';
import type { TenantEntry } from './settings';

/** Wire format (plain JSON) of the tenant table. Built by `packTenantTable`, read by `TenantTable`. */
export interface PackedTenantTable {
  readonly format: 'tenant-table/1';
  /** Derives the API key of every tenant not in `apiKeys`. */
  readonly keyScope?: ApiKeyScope;
  /** Every model id any list mentions, once, sorted. */
  readonly models: readonly string[];
  /** Distinct model lists, as ascending indices into `models` (so each decodes sorted). */
  readonly modelLists: readonly (readonly number[])[];
  /** Distinct identity-provider lists, as configured. */
  readonly idpLists: readonly (readonly string[])[];
  /** Tier names, and each tier's model list (index into `modelLists`). */
  readonly tiers: readonly string[];
  readonly tierModelList: readonly number[];
  /** Tenant id -> row: the tenant's position in the columns below. */
  readonly rows: Readonly<Record<string, number>>;
  /** Index into `tiers`, per row. */
  readonly tier: readonly number[];
  /** Index into `modelLists`, or -1 for the tier's list, per row. */
  readonly modelList: readonly number[];
  /** Index into `idpLists`, per row. */
  readonly idpList: readonly number[];
  /** Rows of disabled tenants: few, so listed rather than one flag per tenant. */
  readonly disabled: readonly number[];
  /** API keys that `keyScope` does not derive (all of them without a `keyScope`): tenant id -> key. */
  readonly apiKeys: Readonly<Record<string, string>>;
}

/** The tier a tenant is on and that tier's models, for `packTenantTable`. */
export type TierModels = Readonly<Record<string, readonly string[]>>;

/** O(1) lookups over a packed table. Built once per container (the handler's setup). */
export class TenantTable {
  private readonly modelLists: readonly (readonly string[])[];
  private readonly idpLists: readonly (readonly string[])[];
  private readonly disabled: ReadonlySet<number>;
  /** Entries built so far (each tenant's key is derived once). */
  private readonly seen = new Map<string, TenantEntry>();

  constructor(private readonly packed: PackedTenantTable) {
    if (packed?.format !== 'tenant-table/1') throw new Error(`unsupported tenant table format: ${String(packed?.format)}`);
    // Each list decoded once and shared by every tenant that uses it.
    this.modelLists = packed.modelLists.map((list) => Object.freeze(list.map((m) => packed.models[m])));
    this.idpLists = packed.idpLists.map((list) => Object.freeze([...list]));
    this.disabled = new Set(packed.disabled);
  }

  get size(): number {
    return this.packed.tier.length;
  }

  /** Tenant ids, sorted. */
  ids(): string[] {
    return Object.keys(this.packed.rows).sort(byCodeUnit);
  }

  get(tenantId: string): TenantEntry | undefined {
    const p = this.packed;
    if (!Object.hasOwn(p.rows, tenantId)) return undefined;
    let entry = this.seen.get(tenantId);
    if (entry === undefined) {
      const row = p.rows[tenantId];
      const own = p.modelList[row];
      const tier = p.tier[row];
      entry = {
        apiKey: Object.hasOwn(p.apiKeys, tenantId) ? p.apiKeys[tenantId] : deriveApiKeyValue(p.keyScope as ApiKeyScope, tenantId),
        tier: p.tiers[tier],
        enabled: !this.disabled.has(row),
        models: this.modelLists[own === -1 ? p.tierModelList[tier] : own],
        identityProviders: this.idpLists[p.idpList[row]],
      };
      this.seen.set(tenantId, entry);
    }
    return entry;
  }

  *entries(): IterableIterator<[string, TenantEntry]> {
    for (const id of this.ids()) yield [id, this.get(id) as TenantEntry];
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Packs tenant entries. A tenant whose models equal its tier's (from `tierModels`) refers to the
 * tier's list; any other list is stored once however many tenants share it. Deterministic: the
 * same entries give the same JSON, whatever order they come in.
 */
export function packTenantTable(
  entries: Readonly<Record<string, TenantEntry>> | Iterable<readonly [string, TenantEntry]>,
  options: { readonly tierModels?: TierModels; readonly keyScope?: ApiKeyScope } = {},
): PackedTenantTable {
  const { tierModels = {}, keyScope } = options;
  const rows = [...(Symbol.iterator in entries ? (entries as Iterable<readonly [string, TenantEntry]>) : Object.entries(entries))].sort(([a], [b]) => byCodeUnit(a, b));
  const sortedModels = (models: readonly string[]) => [...models].sort();
  const tierNames = [...new Set([...Object.keys(tierModels), ...rows.map(([, e]) => e.tier)])].sort();
  const models = [...new Set([...Object.values(tierModels).flat(), ...rows.flatMap(([, e]) => e.models)])].sort();
  const modelIndex = new Map(models.map((m, i) => [m, i]));

  const modelLists: number[][] = [];
  const modelListIndex = new Map<string, number>();
  const internModels = (list: readonly string[]): number => {
    const key = JSON.stringify(sortedModels(list));
    let i = modelListIndex.get(key);
    if (i === undefined) {
      i = modelLists.push(sortedModels(list).map((m) => modelIndex.get(m) as number)) - 1;
      modelListIndex.set(key, i);
    }
    return i;
  };
  const idpLists: string[][] = [];
  const idpListIndex = new Map<string, number>();
  const internIdps = (list: readonly string[]): number => {
    const key = JSON.stringify(list);
    let i = idpListIndex.get(key);
    if (i === undefined) {
      i = idpLists.push([...list]) - 1;
      idpListIndex.set(key, i);
    }
    return i;
  };

  const tierModelList = tierNames.map((name) => internModels(tierModels[name] ?? []));
  const tierOfName = new Map(tierNames.map((name, i) => [name, i]));
  // Keys written in this order, so JSON.stringify is deterministic (integer-like ids aside, which
  // every JavaScript engine orders first: the order is still the same on every synth).
  const index: Record<string, number> = {};
  const apiKeys: Record<string, string> = {};
  const table = {
    format: 'tenant-table/1' as const,
    ...(keyScope ? { keyScope: { salt: keyScope.salt, environment: keyScope.environment } } : {}),
    models,
    modelLists,
    idpLists,
    tiers: tierNames,
    tierModelList,
    rows: index,
    tier: [] as number[],
    modelList: [] as number[],
    idpList: [] as number[],
    disabled: [] as number[],
    apiKeys,
  };
  for (const [id, entry] of rows) {
    const row = table.tier.length;
    const tier = tierOfName.get(entry.tier) as number;
    const list = internModels(entry.models);
    // defineProperty: an id such as `__proto__` must become an own key, not set the prototype.
    Object.defineProperty(index, id, { value: row, enumerable: true, writable: true, configurable: true });
    table.tier.push(tier);
    table.modelList.push(list === tierModelList[tier] ? -1 : list);
    table.idpList.push(internIdps(entry.identityProviders));
    if (!entry.enabled) table.disabled.push(row);
    if (keyScope === undefined || deriveApiKeyValue(keyScope, id) !== entry.apiKey) {
      Object.defineProperty(apiKeys, id, { value: entry.apiKey, enumerable: true, writable: true, configurable: true });
    }
  }
  return table;
}
