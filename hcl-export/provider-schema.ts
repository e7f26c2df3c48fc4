/**
 * Which names of each resource and data source are nested blocks and which are attributes, read
 * from the real provider schema (`terraform providers schema -json`), for the round-trip guard:
 * the parser it compares with gives `rule = [{...}]` (an attribute) and `rule { ... }` (a block)
 * the same value, and Terraform rejects the wrong one.
 *
 * The schema comes from `terraform init -backend=false` in a scratch directory that requires the
 * stack's own providers (through the project's CLI config, so the local provider mirror when
 * there is one: scripts/lib/terraform.ts), then `terraform providers schema -json` (13 MB for
 * hashicorp/aws 5.100.0). Only the names are kept, cached under `node_modules/.cache` per set
 * of required providers, so a test run or an export pays the two Terraform calls once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTerraform, terraformEnv } from '../scripts/lib/terraform';

/** The names of one block's body. */
export interface SchemaBlock {
  readonly attributes: readonly string[];
  readonly blocks: Readonly<Record<string, SchemaBlock>>;
}

export interface ProviderSchema {
  readonly resource: Readonly<Record<string, SchemaBlock>>;
  readonly data: Readonly<Record<string, SchemaBlock>>;
  /** The providers it was read from (`registry.terraform.io/hashicorp/aws`), for messages. */
  readonly providers: readonly string[];
}

/** Bump when the cached form changes. */
const CACHE_FORMAT = 1;
export const SCHEMA_CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'bedrock-ai-gateway', 'provider-schema');

interface RawBlock {
  attributes?: Record<string, unknown>;
  block_types?: Record<string, { block: RawBlock }>;
}
interface RawSchemas {
  provider_schemas?: Record<string, { resource_schemas?: Record<string, { block: RawBlock }>; data_source_schemas?: Record<string, { block: RawBlock }> }>;
}

function derive(block: RawBlock): SchemaBlock {
  return {
    attributes: Object.keys(block.attributes ?? {}).sort(),
    blocks: Object.fromEntries(Object.entries(block.block_types ?? {}).map(([name, nested]) => [name, derive(nested.block)])),
  };
}

/** The names of every resource and data source in the output of `terraform providers schema -json`. */
export function deriveProviderSchema(raw: RawSchemas): ProviderSchema {
  const resource: Record<string, SchemaBlock> = {};
  const data: Record<string, SchemaBlock> = {};
  for (const provider of Object.values(raw.provider_schemas ?? {})) {
    for (const [type, schema] of Object.entries(provider.resource_schemas ?? {})) resource[type] = derive(schema.block);
    for (const [type, schema] of Object.entries(provider.data_source_schemas ?? {})) data[type] = derive(schema.block);
  }
  return { resource, data, providers: Object.keys(raw.provider_schemas ?? {}).sort() };
}

/**
 * The providers a Terraform JSON config needs: its `required_providers`, plus the implied
 * `hashicorp/<prefix>` of any resource or data source type whose prefix is not listed (Terraform's own rule).
 */
export function requiredProviders(json: Record<string, unknown>): Record<string, unknown> {
  const terraform = (json.terraform ?? {}) as { required_providers?: Record<string, unknown> };
  const required: Record<string, unknown> = { ...(terraform.required_providers ?? {}) };
  for (const kind of ['resource', 'data']) {
    for (const type of Object.keys((json[kind] ?? {}) as Record<string, unknown>)) {
      const prefix = type.split('_')[0];
      if (prefix !== 'terraform' && !(prefix in required)) required[prefix] = { source: `hashicorp/${prefix}` };
    }
  }
  return Object.fromEntries(Object.entries(required).sort(([a], [b]) => a.localeCompare(b)));
}

const loading = new Map<string, Promise<ProviderSchema>>();

/** The schema of the providers `json` requires (cached; Terraform runs on a cache miss). */
export function providerSchemaFor(json: Record<string, unknown>): Promise<ProviderSchema> {
  const required = requiredProviders(json);
  const key = createHash('sha256')
    .update(JSON.stringify({ CACHE_FORMAT, required }))
    .digest('hex')
    .slice(0, 16);
  let schema = loading.get(key);
  if (!schema) {
    schema = loadProviderSchema(required, path.join(SCHEMA_CACHE_DIR, `${key}.json`));
    loading.set(key, schema);
    schema.catch(() => loading.delete(key));
  }
  return schema;
}

async function loadProviderSchema(required: Record<string, unknown>, cacheFile: string): Promise<ProviderSchema> {
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as ProviderSchema;
  const dir = mkdtempSync(path.join(tmpdir(), 'bag-provider-schema-'));
  try {
    // A terraform_remote_state data source brings in the built-in provider's schema too.
    const config = { terraform: { required_providers: required }, data: { terraform_remote_state: { schema: { backend: 'local', config: { path: 'none' } } } } };
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
    const env = terraformEnv();
    const init = await runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
    if (init.code !== 0) {
      throw new Error(`reading the provider schema for the round-trip guard: terraform init failed for ${JSON.stringify(required)}:\n${init.stdout}${init.stderr}`);
    }
    const run = await runTerraform(dir, ['providers', 'schema', '-json'], { env });
    if (run.code !== 0) throw new Error(`reading the provider schema for the round-trip guard: terraform providers schema -json failed:\n${run.stderr}`);
    const schema = deriveProviderSchema(JSON.parse(run.stdout) as RawSchemas);
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    // Renamed into place: a concurrent reader never sees half a file.
    const scratch = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(scratch, JSON.stringify(schema));
    renameSync(scratch, cacheFile);
    return schema;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
