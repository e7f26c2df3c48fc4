/**
 * Leaving CDKTF: one stack as a self-contained plain-Terraform directory.
 *
 * The HCL is what `cdktf synth --hcl` writes for the stack, checked against the stack's
 * Terraform JSON by the round-trip guard before anything is written (an export never says
 * something the deployed JSON did not). The directory holds that HCL (backend, provider,
 * resources, outputs), the Lambda bundles it references at the same relative paths (they are
 * recorded in state, so moving them would plan an update), a README and a .gitignore.
 * The output is a function of the config alone: a second export is byte-identical.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, synthesize } from '../scripts/lib/local-deploy';
import { formatProblem, hclRoundTripProblems, type TerraformJsonConfig } from './round-trip';
import { synthesizeHcl } from './synth';

/** Where `cdktf deploy` runs a stack, and so where relative local state paths point. */
export const CDKTF_STACKS_DIR = path.join(REPO_ROOT, 'cdktf.out', 'stacks');
/** Names the stack an export directory was written for; its presence lets a re-export replace it. */
export const EXPORT_MARKER = '.exported-stack';
/** Every file and directory an export writes; a re-export replaces exactly these. */
export const EXPORTED_ENTRIES = ['main.tf', 'assets', 'README.md', '.gitignore', EXPORT_MARKER] as const;

export interface ExportOptions {
  /** Stack id, e.g. `gateway-prod`. */
  readonly stack: string;
  readonly outDir: string;
  /** @default the example config */
  readonly configDir?: string;
  /** Emulator endpoint for emulator environments. @default the config's own */
  readonly endpoint?: string;
}

export interface ExportResult {
  readonly outDir: string;
  /** Files written, relative to `outDir`, sorted. */
  readonly files: string[];
  /** One line saying where the state is. */
  readonly state: string;
}

export async function exportStack(options: ExportOptions): Promise<ExportResult> {
  const outDir = path.resolve(options.outDir);
  checkOutDir(outDir, options.stack);
  const scratch = mkdtempSync(path.join(tmpdir(), 'bag-export-'));
  try {
    const jsonOut = path.join(scratch, 'json');
    const hclOut = path.join(scratch, 'hcl');
    const common = { ...(options.configDir ? { configDir: options.configDir } : {}), ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
    // JSON first: it names the stacks, so a wrong name fails before cdktf-cli runs.
    await synthesize({ outdir: jsonOut, ...common });
    if (!existsSync(path.join(jsonOut, 'stacks', options.stack, 'cdk.tf.json'))) {
      const stacks = readdirSync(path.join(jsonOut, 'stacks')).sort();
      throw new Error(`no stack named ${options.stack}; the config synthesizes: ${stacks.join(', ')}`);
    }
    await synthesizeHcl({ outdir: hclOut, ...common });
    const hclStackDir = path.join(hclOut, 'stacks', options.stack);
    const hcl = readFileSync(path.join(hclStackDir, 'cdk.tf'), 'utf8');
    const json = JSON.parse(readFileSync(path.join(jsonOut, 'stacks', options.stack, 'cdk.tf.json'), 'utf8')) as TerraformJsonConfig;
    const problems = await hclRoundTripProblems(hcl, json);
    if (problems.length > 0) {
      throw new Error(
        `the HCL of ${options.stack} does not mean what its Terraform JSON means; nothing was written:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`,
      );
    }

    const backend = backendOf(json);
    const localState = backend.type === 'local' ? localStatePath(String(backend.settings.path ?? 'terraform.tfstate'), hclStackDir, hclOut, options.stack) : undefined;
    const mainTf = header(options.stack) + (localState ? repointLocalState(hcl, path.relative(outDir, localState).split(path.sep).join('/')) : hcl);

    const assets = referencedAssets(json);
    for (const asset of assets) {
      if (!existsSync(path.join(hclStackDir, asset))) throw new Error(`${options.stack} references ${asset}, which synth did not write`);
    }

    mkdirSync(outDir, { recursive: true });
    for (const entry of EXPORTED_ENTRIES) rmSync(path.join(outDir, entry), { recursive: true, force: true });
    writeFileSync(path.join(outDir, 'main.tf'), mainTf);
    if (assets.length > 0) cpSync(path.join(hclStackDir, 'assets'), path.join(outDir, 'assets'), { recursive: true });
    const state = describeState(backend, localState ? path.relative(outDir, localState) : undefined);
    writeFileSync(path.join(outDir, 'README.md'), readme(options.stack, state, assets.length > 0));
    writeFileSync(path.join(outDir, '.gitignore'), ['.terraform/', '*.tfstate', '*.tfstate.*', '*.tfplan', ''].join('\n'));
    writeFileSync(path.join(outDir, EXPORT_MARKER), `${options.stack}\n`);
    return { outDir, files: listFiles(outDir).filter((f) => EXPORTED_ENTRIES.some((e) => f === e || f.startsWith(`${e}/`))), state };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** An export directory is empty, new, or a previous export of the same stack (never someone's other files). */
function checkOutDir(outDir: string, stack: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new Error(`${outDir} exists and is not a directory`);
  const entries = readdirSync(outDir);
  if (entries.length === 0) return;
  const marker = path.join(outDir, EXPORT_MARKER);
  if (!existsSync(marker)) {
    throw new Error(`${outDir} is not empty and is not an export (no ${EXPORT_MARKER}); choose an empty directory with --out`);
  }
  const exported = readFileSync(marker, 'utf8').trim();
  if (exported !== stack) throw new Error(`${outDir} holds the export of ${exported}, not ${stack}; choose another directory with --out`);
}

export interface Backend {
  readonly type: string;
  readonly settings: Record<string, unknown>;
}

function backendOf(json: TerraformJsonConfig): Backend {
  const terraform = (json.terraform ?? {}) as { backend?: Record<string, Record<string, unknown>>; cloud?: Record<string, unknown> };
  if (terraform.cloud) return { type: 'cloud', settings: terraform.cloud };
  const [type, settings] = Object.entries(terraform.backend ?? {})[0] ?? ['local', {}];
  return { type, settings };
}

/**
 * The file a local backend's `path` names, as an absolute path. A relative path is relative
 * to the directory Terraform runs in; if it lands inside the (fresh, empty) synth directory,
 * the state lives where `cdktf deploy` ran the stack (`cdktf.out/stacks/<stack>`); otherwise
 * synth already aimed it outside (the bootstrap stacks' `.local/bootstrap/<id>.tfstate`).
 */
export function localStatePath(statePath: string, synthStackDir: string, synthOutdir: string, stack: string): string {
  if (path.isAbsolute(statePath)) return statePath;
  const resolved = path.resolve(synthStackDir, statePath);
  const inside = !path.relative(synthOutdir, resolved).startsWith('..');
  return inside ? path.resolve(CDKTF_STACKS_DIR, stack, statePath) : resolved;
}

/** Replaces the `path` of the `backend "local"` block. */
export function repointLocalState(hcl: string, statePath: string): string {
  const block = /(backend "local" \{\n(?:[^\n]*\n)*?\s*path\s*=\s*)"(?:[^"\\\n]|\\.)*"/;
  if (!block.test(hcl)) throw new Error('the HCL has a local backend without a path line');
  return hcl.replace(block, (_match, head: string) => `${head}${hclQuoted(statePath)}`);
}

/** A string literal in HCL: quoted, escaped, with `${` and `%{` kept literal. */
export function hclQuoted(text: string): string {
  const escaped = text.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  // Replacement functions: in a replacement string, "$$" would mean one "$".
  return `"${escaped.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')}"`;
}

/** Every `assets/...` path the stack's JSON mentions (Lambda `filename`s). */
function referencedAssets(json: TerraformJsonConfig): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.startsWith('assets/')) found.add(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(json.resource);
  return [...found].sort();
}

/** The README's one line on where the state is, from the backend of the stack's Terraform JSON. */
export function describeState(backend: Backend, localPath?: string): string {
  const s = backend.settings;
  switch (backend.type) {
    case 's3':
      return `S3 bucket \`${s.bucket}\`, key \`${s.key}\` (region ${s.region}, native lock file): the same state object the CDKTF stack uses; nothing to migrate.`;
    case 'cloud': {
      const workspaces = (s.workspaces ?? {}) as { name?: string; tags?: string[]; project?: string };
      const organization = `Terraform Cloud organization \`${s.organization}\`${s.hostname ? ` on \`${s.hostname}\`` : ''}`;
      const project = workspaces.project ? `project \`${workspaces.project}\`` : "the organization's default project";
      if (workspaces.name !== undefined) {
        return `${organization}, workspace \`${workspaces.name}\` in ${project}: the same workspace the CDKTF stack uses; nothing to migrate.`;
      }
      const tags = (workspaces.tags ?? []).map((t) => `\`${t}\``).join(', ');
      return `${organization}, the workspaces tagged ${tags} in ${project} (pick one with \`terraform workspace select\`): the same workspaces the CDKTF stack uses; nothing to migrate.`;
    }
    case 'local':
      return `a local file, \`${localPath}\` from this directory: the file the CDKTF stack wrote. Consider moving it to a remote backend (\`terraform init -migrate-state\`).`;
    default:
      return `backend \`${backend.type}\`, as the CDKTF stack configured it.`;
  }
}

function header(stack: string): string {
  return [
    `# Stack ${stack} of bedrock-ai-gateway as plain Terraform, written by \`npm run export:hcl -- ${stack}\``,
    '# (cdktf synth --hcl, CDKTF 0.21.0). It manages the same resources in the same state; see README.md.',
    '',
    '',
  ].join('\n');
}

function readme(stack: string, state: string, hasAssets: boolean): string {
  return [
    `# ${stack}: plain Terraform`,
    '',
    `Written by \`npm run export:hcl -- ${stack}\` in bedrock-ai-gateway. This directory is the whole`,
    'Terraform configuration of the stack, as `cdktf synth --hcl` renders it and checked to mean',
    'exactly what the stack\'s Terraform JSON means:',
    '',
    '- `main.tf`: the `terraform` block (backend and required provider), the `aws` provider, every',
    '  resource, data source and output, under the same addresses as in the CDKTF stack.',
    ...(hasAssets ? ['- `assets/`: the Lambda bundles the functions deploy (`filename` in `main.tf`).'] : []),
    '',
    '## Continue with plain Terraform',
    '',
    'Needs Terraform >= 1.10 and the provider `hashicorp/aws` 5.100.0.',
    '',
    '```sh',
    'terraform init',
    'terraform plan    # against the deployed stack: "No changes."',
    'terraform apply   # from now on, changes are made here',
    '```',
    '',
    `State: ${state}`,
    '',
    'Once you apply from this directory, stop deploying the stack with CDKTF: both would write the',
    'same state. Commit `.terraform.lock.hcl` after `terraform init`.',
    ...(hasAssets
      ? [
          '',
          'The bundle paths are relative to the directory Terraform runs in and are recorded in state, as',
          'they were under CDKTF: run Terraform from this directory (or with `-chdir`), and keep the paths;',
          'moving a bundle plans an update of its function. A bundle is built code (the authorizer carries',
          'the tenant table it was synthesized with): to change it, build a new zip and update `filename`',
          'and `source_code_hash` together.',
        ]
      : []),
    '',
    'Without access to the Terraform registry, point Terraform at a provider mirror with a CLI',
    'config file (`TF_CLI_CONFIG_FILE`):',
    '',
    '```hcl',
    'provider_installation {',
    '  filesystem_mirror {',
    '    path    = "/opt/tf-plugins"',
    '    include = ["registry.terraform.io/hashicorp/*"]',
    '  }',
    '  direct {',
    '    exclude = ["registry.terraform.io/hashicorp/*"]',
    '  }',
    '}',
    '```',
    '',
  ].join('\n');
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relative) : [relative];
    })
    .sort();
}
