/**
 * The tenant table as bundled with the authorizer: normalized so that its size and the cost of
 * loading it grow with one short row per tenant, not with tenants x models. A tenant refers to
 * its tier's model list unless it overrides it; every model id, model list and identity-provider
 * list is written once. Tenants are stored column by column (few, large arrays: the cheapest
 * shape for `JSON.parse`) and looked up through a `Map`, so a lookup is O(1) and a tenant claim
 * such as `__proto__` or `constructor` finds nothing it was not given.
 *
 * No imports: the packer is tree-shaken out of the bundle, the reader is all the Lambda carries.
 */
import type { TenantEntry } from './settings';

/** Wire format (plain JSON) of the tenant table. Built by `packTenantTable`, read by `TenantTable`. */
export interface PackedTenantTable {
  readonly format: 'tenant-table/1';
  /** Every model id any list mentions, once, sorted. */
  readonly models: readonly string[];
  /** Distinct model lists, as ascending indices into `models` (so each decodes sorted). */
  readonly modelLists: readonly (readonly number[])[];
  /** Distinct identity-provider lists, as configured. */
  readonly idpLists: readonly (readonly string[])[];
  /** Tier names, and each tier's model list (index into `modelLists`). */
  readonly tiers: readonly string[];
  readonly tierModelList: readonly number[];
  /** Tenants, column by column, in `ids` order (sorted). */
  readonly ids: readonly string[];
  readonly apiKeys: readonly string[];
  /** Index into `tiers`. */
  readonly tier: readonly number[];
  /** Index into `modelLists`, or -1 for the tier's list. */
  readonly modelList: readonly number[];
  /** Index into `idpLists`. */
  readonly idpList: readonly number[];
  /** Positions (in `ids`) of disabled tenants: few, so listed rather than one flag per tenant. */
  readonly disabled: readonly number[];
}

/** The tier a tenant is on and that tier's models, for `packTenantTable`. */
export type TierModels = Readonly<Record<string, readonly string[]>>;

/** O(1) lookups over a packed table. Built once per container (the handler's setup). */
export class TenantTable {
  private readonly positions: Map<string, number>;
  private readonly modelLists: readonly (readonly string[])[];
  private readonly idpLists: readonly (readonly string[])[];
  private readonly disabled: ReadonlySet<number>;

  constructor(private readonly packed: PackedTenantTable) {
    if (packed?.format !== 'tenant-table/1') throw new Error(`unsupported tenant table format: ${String(packed?.format)}`);
    const { ids } = packed;
    const positions = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) positions.set(ids[i], i);
    this.positions = positions;
    // Each list decoded once and shared by every tenant that uses it.
    this.modelLists = packed.modelLists.map((list) => Object.freeze(list.map((m) => packed.models[m])));
    this.idpLists = packed.idpLists.map((list) => Object.freeze([...list]));
    this.disabled = new Set(packed.disabled);
  }

  get size(): number {
    return this.positions.size;
  }

  /** Tenant ids, sorted. */
  ids(): readonly string[] {
    return this.packed.ids;
  }

  get(tenantId: string): TenantEntry | undefined {
    const i = this.positions.get(tenantId);
    if (i === undefined) return undefined;
    const p = this.packed;
    const own = p.modelList[i];
    const tier = p.tier[i];
    return {
      apiKey: p.apiKeys[i],
      tier: p.tiers[tier],
      enabled: !this.disabled.has(i),
      models: this.modelLists[own === -1 ? p.tierModelList[tier] : own],
      identityProviders: this.idpLists[p.idpList[i]],
    };
  }

  *entries(): IterableIterator<[string, TenantEntry]> {
    for (const id of this.packed.ids) yield [id, this.get(id) as TenantEntry];
  }
}

/**
 * Packs tenant entries. A tenant whose models equal its tier's (from `tierModels`) refers to the
 * tier's list; any other list is stored once however many tenants share it. Deterministic: the
 * same entries give the same JSON, whatever order they come in.
 */
export function packTenantTable(entries: Readonly<Record<string, TenantEntry>> | Iterable<readonly [string, TenantEntry]>, tierModels: TierModels = {}): PackedTenantTable {
  const rows = [...(Symbol.iterator in entries ? (entries as Iterable<readonly [string, TenantEntry]>) : Object.entries(entries))].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
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
  const table = {
    format: 'tenant-table/1' as const,
    models,
    modelLists,
    idpLists,
    tiers: tierNames,
    tierModelList,
    ids: [] as string[],
    apiKeys: [] as string[],
    tier: [] as number[],
    modelList: [] as number[],
    idpList: [] as number[],
    disabled: [] as number[],
  };
  for (const [id, entry] of rows) {
    const tier = tierOfName.get(entry.tier) as number;
    const list = internModels(entry.models);
    table.ids.push(id);
    table.apiKeys.push(entry.apiKey);
    table.tier.push(tier);
    table.modelList.push(list === tierModelList[tier] ? -1 : list);
    table.idpList.push(internIdps(entry.identityProviders));
    if (!entry.enabled) table.disabled.push(table.ids.length - 1);
  }
  return table;
}
