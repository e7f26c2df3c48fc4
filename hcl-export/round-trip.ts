/**
 * The guard of the exit from CDKTF: does the HCL of a stack (`cdktf synth --hcl`) mean exactly
 * what its Terraform JSON (`cdk.tf.json`) means?
 *
 * The HCL is read by HashiCorp's own HCL parser (hashicorp/hcl v2, compiled to WebAssembly in
 * `@cdktf/hcl2json`), which turns every value back into its Terraform JSON form: literal text
 * decoded, `${...}` interpolations and `%{...}` directives as source. That is compared, element
 * by element and attribute by attribute, with the JSON cdktf wrote; every difference and every
 * parse error is reported with the construct path of the element it belongs to, so a construct
 * whose values would not survive the HCL rendering is named, not just "line 493".
 *
 * That parser gives `rule = [{...}]` (an attribute) and `rule { ... }` (a nested block) the same
 * value, and Terraform accepts only the one the provider schema defines. So every resource and
 * data source is also walked in the HCL's own syntax (hcl-structure.ts) against the real provider
 * schema (provider-schema.ts, which runs Terraform once and caches): each name the schema defines
 * as a block must be written as a block, each attribute as an attribute, at every depth.
 */
import { parse } from '@cdktf/hcl2json';
import { type HclItem, hclStructure } from './hcl-structure';
import { type ProviderSchema, providerSchemaFor, type SchemaBlock } from './provider-schema';

/** Terraform JSON as cdktf writes it (`cdk.tf.json`), including its `//` metadata. */
export type TerraformJsonConfig = Record<string, unknown>;

export interface HclExitProblem {
  /** Terraform address: `aws_iam_role_policy.x`, `output.y`, `provider.aws[0]`, `terraform`. */
  readonly address: string;
  /** The construct path from the JSON metadata (`gateway-dev/authorizer/function/logs-policy`), when known. */
  readonly constructPath?: string;
  /** Attribute path inside the element, e.g. `policy` or `rule[0].statement.byte_match_statement.search_string`. */
  readonly attribute?: string;
  readonly message: string;
}

/** Meta-arguments that hold references: a string `"aws_x.y"` in JSON, a bare `aws_x.y` in HCL. */
const REFERENCE_ATTRIBUTES = new Set(['depends_on', 'ignore_changes', 'replace_triggered_by', 'provider']);

/** Renders a problem as one line: `[construct path] address.attribute: message`. */
export function formatProblem(problem: HclExitProblem): string {
  const where = [problem.address, problem.attribute].filter(Boolean).join('.');
  return `${problem.constructPath ? `[${problem.constructPath}] ` : ''}${where}: ${problem.message}`;
}

export interface HclRoundTrip {
  /** Address of every element of the JSON that was compared. */
  readonly checked: string[];
  readonly problems: HclExitProblem[];
}

/**
 * Every way the HCL of one stack differs in meaning from its JSON (empty when it does not).
 * @param hcl the stack's `cdk.tf`
 * @param json the same stack's `cdk.tf.json`
 */
export async function hclRoundTripProblems(hcl: string, json: TerraformJsonConfig, options: HclRoundTripOptions = {}): Promise<HclExitProblem[]> {
  return (await hclRoundTrip(hcl, json, options)).problems;
}

export interface HclRoundTripOptions {
  /** @default read with Terraform for the providers the JSON requires (cached), see provider-schema.ts */
  readonly schema?: ProviderSchema;
}

/** The comparison, with the list of elements it covered. */
export async function hclRoundTrip(hcl: string, json: TerraformJsonConfig, options: HclRoundTripOptions = {}): Promise<HclRoundTrip> {
  const elements = jsonElements(json);
  const checked = elements.map((e) => e.address);
  let parsed: Record<string, unknown>;
  try {
    parsed = (await parse('cdk.tf', hcl)) as Record<string, unknown>;
  } catch (err) {
    return { checked, problems: unique(parseErrorProblems(String(err), hcl, elements)) };
  }
  const problems: HclExitProblem[] = syntaxProblems(hcl, elements, options.schema ?? (await providerSchemaFor(json)));
  const hclByAddress = hclElements(parsed);
  for (const element of elements) {
    const found = hclByAddress.get(element.address);
    if (found === undefined) {
      problems.push({ ...where(element), message: 'missing from the HCL' });
      continue;
    }
    hclByAddress.delete(element.address);
    for (const difference of differences(element.value, found, '')) {
      problems.push({ ...where(element), attribute: difference.path || undefined, message: difference.message });
    }
  }
  for (const address of hclByAddress.keys()) problems.push({ address, message: 'in the HCL but not in the JSON' });
  return { checked, problems };
}

/** Meta-arguments Terraform itself defines for every resource / data source (not in provider schemas). */
const META_ATTRIBUTES = new Set(['count', 'for_each', 'provider', 'depends_on']);
const META_BLOCKS: Record<'resource' | 'data', ReadonlySet<string>> = {
  resource: new Set(['lifecycle', 'provisioner', 'connection']),
  data: new Set(['lifecycle']),
};

/**
 * Every name in a resource or data source body written in the other syntax than the provider
 * schema defines (block vs attribute), or not defined at all, with its construct path.
 */
function syntaxProblems(hcl: string, elements: readonly Element[], schema: ProviderSchema): HclExitProblem[] {
  let items: HclItem[];
  try {
    items = hclStructure(hcl);
  } catch (err) {
    // The HashiCorp parser accepted it, so this is the guard's own limit: fail closed.
    return [{ address: 'cdk.tf', message: `the round-trip guard could not read the block structure: ${(err as Error).message}` }];
  }
  const byAddress = new Map(elements.map((e) => [e.address, e]));
  const problems: HclExitProblem[] = [];
  for (const item of items) {
    if (item.kind !== 'block' || (item.name !== 'resource' && item.name !== 'data') || item.labels.length !== 2) continue;
    const kind = item.name;
    const [type, name] = item.labels;
    const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
    const element = byAddress.get(address);
    const at = element ? where(element) : { address };
    const typeSchema = schema[kind][type];
    if (typeSchema === undefined) {
      problems.push({ ...at, message: `${type} is not a ${kind === 'data' ? 'data source' : 'resource type'} of the provider schema (${schema.providers.join(', ')})` });
      continue;
    }
    problems.push(...bodyProblems(item.body ?? [], typeSchema, '', type, kind).map((p) => ({ ...at, ...p })));
  }
  return problems;
}

function bodyProblems(
  items: readonly HclItem[],
  schema: SchemaBlock,
  path: string,
  type: string,
  topLevel?: 'resource' | 'data',
): Array<{ attribute: string; message: string }> {
  const out: Array<{ attribute: string; message: string }> = [];
  // `dynamic "rule" { content { ... } }` writes blocks of `rule`.
  const named = items.map((item) =>
    item.kind === 'block' && item.name === 'dynamic' && item.labels.length === 1
      ? { ...item, name: item.labels[0], body: item.body?.find((c) => c.kind === 'block' && c.name === 'content')?.body ?? [] }
      : item,
  );
  const counts = new Map<string, number>();
  for (const item of named) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const item of named) {
    if (topLevel && (META_ATTRIBUTES.has(item.name) || META_BLOCKS[topLevel].has(item.name))) continue;
    const index = seen.get(item.name) ?? 0;
    seen.set(item.name, index + 1);
    const attribute = `${path ? `${path}.` : ''}${item.name}${(counts.get(item.name) ?? 0) > 1 ? `[${index}]` : ''}`;
    const block = schema.blocks[item.name];
    if (block !== undefined) {
      if (item.kind === 'attribute') {
        out.push({ attribute, message: `the provider schema of ${type} has a nested block here, but the HCL writes an attribute (\`${item.name} = ...\`), which Terraform rejects` });
      } else out.push(...bodyProblems(item.body ?? [], block, attribute, type));
    } else if (schema.attributes.includes(item.name)) {
      if (item.kind === 'block') {
        out.push({ attribute, message: `the provider schema of ${type} has an attribute here, but the HCL writes a block (\`${item.name} { ... }\`), which Terraform rejects` });
      }
    } else {
      out.push({ attribute, message: `the provider schema of ${type} has no attribute or block of this name here` });
    }
  }
  return out;
}

/** One problem per element and message (the parser repeats a diagnostic per bad character). */
function unique(problems: HclExitProblem[]): HclExitProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Element {
  readonly address: string;
  readonly constructPath?: string;
  /** The element's JSON body without metadata. */
  readonly value: unknown;
  /** The header that opens it in HCL (`resource "t" "n"`), to attribute parse errors. */
  readonly header: string;
}

function where(element: Element): Pick<HclExitProblem, 'address' | 'constructPath'> {
  return { address: element.address, ...(element.constructPath ? { constructPath: element.constructPath } : {}) };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withoutMetadata(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '//'));
}

function metadataPath(value: Json): string | undefined {
  const meta = value['//'];
  if (!isObject(meta) || !isObject(meta.metadata)) return undefined;
  return typeof meta.metadata.path === 'string' ? meta.metadata.path : undefined;
}

/** The top-level elements of a Terraform JSON config, each with its address and construct path. */
function jsonElements(json: TerraformJsonConfig): Element[] {
  const elements: Element[] = [];
  for (const kind of ['resource', 'data'] as const) {
    const byType = json[kind];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        if (!isObject(body)) continue;
        elements.push({
          address: `${kind === 'data' ? 'data.' : ''}${type}.${name}`,
          constructPath: metadataPath(body),
          value: withoutMetadata(body),
          header: `${kind} "${type}" "${name}"`,
        });
      }
    }
  }
  if (isObject(json.provider)) {
    for (const [name, instances] of Object.entries(json.provider)) {
      (Array.isArray(instances) ? instances : [instances]).forEach((instance, index) => {
        elements.push({ address: `provider.${name}[${index}]`, value: instance, header: `provider "${name}"` });
      });
    }
  }
  if (isObject(json.output)) {
    for (const [name, body] of Object.entries(json.output)) {
      elements.push({ address: `output.${name}`, value: body, header: `output "${name}"` });
    }
  }
  if (isObject(json.locals)) elements.push({ address: 'locals', value: json.locals, header: 'locals' });
  if (isObject(json.terraform)) elements.push({ address: 'terraform', value: json.terraform, header: 'terraform' });
  return elements;
}

/** The parser's output, keyed by the same addresses, each unwrapped from its one-block list. */
function hclElements(parsed: Json): Map<string, unknown> {
  const found = new Map<string, unknown>();
  const single = (blocks: unknown) => (Array.isArray(blocks) && blocks.length === 1 ? blocks[0] : blocks);
  for (const kind of ['resource', 'data'] as const) {
    const byType = parsed[kind];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, blocks] of Object.entries(byName)) found.set(`${kind === 'data' ? 'data.' : ''}${type}.${name}`, single(blocks));
    }
  }
  if (isObject(parsed.provider)) {
    for (const [name, instances] of Object.entries(parsed.provider)) {
      (Array.isArray(instances) ? instances : [instances]).forEach((instance, index) => found.set(`provider.${name}[${index}]`, instance));
    }
  }
  if (isObject(parsed.output)) {
    for (const [name, blocks] of Object.entries(parsed.output)) found.set(`output.${name}`, single(blocks));
  }
  if (parsed.locals !== undefined) found.set('locals', mergeBlocks(parsed.locals));
  if (parsed.terraform !== undefined) found.set('terraform', mergeBlocks(parsed.terraform));
  return found;
}

/** `locals` and `terraform` may be split over several blocks; their attributes form one body. */
function mergeBlocks(blocks: unknown): unknown {
  return Array.isArray(blocks) ? Object.assign({}, ...blocks.filter(isObject)) : blocks;
}

interface Difference {
  readonly path: string;
  readonly message: string;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** A reference as JSON writes it (`aws_x.y`) from the parser's form of a bare traversal (`${aws_x.y}`). */
function unwrapReference(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /^\$\{([^${}"]+)\}$/.exec(value);
  return match ? match[1] : value;
}

/**
 * What differs between a JSON value and the parser's reading of the HCL. Blocks are the one
 * representational difference: JSON may write a single block as an object, and the parser
 * always gives a list of blocks.
 */
function differences(json: unknown, hcl: unknown, path: string, referenceList = false): Difference[] {
  if (referenceList) {
    hcl = Array.isArray(hcl) ? hcl.map(unwrapReference) : unwrapReference(hcl);
  }
  if (isObject(json) && Array.isArray(hcl) && hcl.length === 1 && isObject(hcl[0])) {
    return differences(json, hcl[0], path);
  }
  if (isObject(json) && isObject(hcl)) {
    const out: Difference[] = [];
    const keys = [...new Set([...Object.keys(json), ...Object.keys(hcl)])].filter((k) => k !== '//');
    for (const key of keys) {
      const child = path ? `${path}.${key}` : key;
      out.push(...differences(json[key], hcl[key], child, REFERENCE_ATTRIBUTES.has(key)));
    }
    return out;
  }
  if (Array.isArray(json) && Array.isArray(hcl) && json.length === hcl.length) {
    return json.flatMap((item, index) => differences(item, hcl[index], `${path}[${index}]`, referenceList));
  }
  if (json === hcl) return [];
  if (typeof json === 'string' && typeof hcl === 'string' && normalizeTemplate(json) === normalizeTemplate(hcl)) return [];
  return [{ path, message: `the JSON means ${describe(json)}, the HCL means ${describe(hcl)}` }];
}

/**
 * A template with the whitespace of its `${...}` / `%{...}` sequences normalized: the HCL
 * formatter (hclwrite, run by `cdktf synth --hcl`) respaces expressions (`%{ if x }` becomes
 * `%{if x}`), which changes no meaning. Literal text and quoted strings inside expressions are
 * compared exactly; whitespace elsewhere in an expression only counts between two word characters.
 */
export function normalizeTemplate(template: string): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if ((c === '$' || c === '%') && template[i + 1] === c && template[i + 2] === '{') {
      out += template.slice(i, i + 3);
      i += 3;
    } else if ((c === '$' || c === '%') && template[i + 1] === '{') {
      const end = sequenceEnd(template, i + 2);
      if (end < 0) return out + template.slice(i);
      out += normalizeExpression(template.slice(i, end));
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index after the `}` closing a sequence whose body starts at `start` (nesting and quoted strings skipped), or -1. */
function sequenceEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = quotedEnd(text, i + 1) - 1;
      if (i < 0) return -1;
    } else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
  }
  return -1;
}

/** Index after the quote closing a quoted string that starts at `start`, or -1. */
function quotedEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if ((c === '$' || c === '%') && text[i + 1] === '{' && text[i - 1] !== c) {
      i = sequenceEnd(text, i + 2) - 1;
      if (i < 0) return -1;
    }
  }
  return -1;
}

function normalizeExpression(sequence: string): string {
  let out = '';
  let i = 0;
  while (i < sequence.length) {
    const c = sequence[i];
    if (c === '"') {
      const end = quotedEnd(sequence, i + 1);
      const stop = end < 0 ? sequence.length : end;
      out += sequence.slice(i, stop);
      i = stop;
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < sequence.length && /\s/.test(sequence[j])) j++;
      if (/\w/.test(out.slice(-1)) && /\w/.test(sequence[j] ?? '')) out += ' ';
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Parse errors, each attributed to the top-level element whose lines hold it. The parser
 * reports `cdk.tf:<line>,<columns>: <summary>; <detail>`, several joined in one message.
 */
function parseErrorProblems(message: string, hcl: string, elements: readonly Element[]): HclExitProblem[] {
  const headers = elementStartLines(hcl);
  const byHeader = new Map(elements.map((e) => [e.header, e]));
  const diagnostics = [...message.matchAll(/cdk\.tf:(\d+),[\d-]+: ([^\]]*?)(?= cdk\.tf:\d+,|\]|$)/g)];
  if (diagnostics.length === 0) return [{ address: 'cdk.tf', message: `HCL parse failed: ${message}` }];
  return diagnostics.map(([, line, text]) => {
    const header = [...headers].reverse().find((h) => h.line <= Number(line));
    const element = header ? byHeader.get(header.header) : undefined;
    const detail = `line ${line}: ${text.trim()}`;
    if (element) return { ...where(element), message: `the HCL does not parse: ${detail}` };
    return { address: header?.header ?? 'cdk.tf', message: `the HCL does not parse: ${detail}` };
  });
}

/** Lines (1-based) where top-level blocks open, skipping heredoc bodies. */
function elementStartLines(hcl: string): Array<{ line: number; header: string }> {
  const starts: Array<{ line: number; header: string }> = [];
  const lines = hcl.split('\n');
  let heredocMarker: string | undefined;
  lines.forEach((text, index) => {
    if (heredocMarker !== undefined) {
      if (text.trim() === heredocMarker) heredocMarker = undefined;
      return;
    }
    const opened = /<<-?([A-Za-z_][A-Za-z0-9_-]*)\s*$/.exec(text);
    if (opened) heredocMarker = opened[1];
    const header = /^((?:resource|data) "[^"]+" "[^"]+"|(?:provider|output) "[^"]+"|terraform|locals) \{/.exec(text);
    if (header) starts.push({ line: index + 1, header: header[1] });
  });
  return starts;
}
