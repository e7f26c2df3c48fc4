/**
 * Runs the machine's Terraform with the AWS provider taken from a local filesystem
 * mirror when one is configured, so nothing is fetched from a registry.
 *
 * Mirror selection: `GATEWAY_PROVIDER_MIRROR=<dir>` (unpacked layout, e.g.
 * `<dir>/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/...`); when unset,
 * `/opt/tf-plugins` is used if it exists; otherwise Terraform's own configuration applies
 * and users with registry access are unaffected.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const DEFAULT_PROVIDER_MIRROR = '/opt/tf-plugins';

export function providerMirrorDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.GATEWAY_PROVIDER_MIRROR;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`GATEWAY_PROVIDER_MIRROR=${configured} does not exist`);
    return path.resolve(configured);
  }
  return existsSync(DEFAULT_PROVIDER_MIRROR) ? DEFAULT_PROVIDER_MIRROR : undefined;
}

/** The CLI config text that installs hashicorp/* providers from `mirror` only. */
export function mirrorCliConfig(mirror: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/hashicorp/*"]',
    '  }',
    '  direct {',
    '    exclude = ["registry.terraform.io/hashicorp/*"]',
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Writes the mirror CLI config (content-addressed, so concurrent writers agree) and returns its
 * path. Written to a temporary name and renamed into place: a Terraform started meanwhile by
 * another process must never read a half-written file (it would fall back to the registry).
 */
export function writeMirrorCliConfig(mirror: string, dir = path.join(tmpdir(), 'bedrock-ai-gateway')): string {
  const text = mirrorCliConfig(mirror);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `terraformrc-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`);
  if (!existsSync(file)) {
    const scratch = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(scratch, text);
    renameSync(scratch, file);
  }
  return file;
}

/** Environment for running Terraform: mirror CLI config when there is a mirror, no checkpoint calls, no prompts. */
export function terraformEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  const mirror = providerMirrorDir(base);
  if (mirror) env.TF_CLI_CONFIG_FILE = writeMirrorCliConfig(mirror);
  return env;
}

/** @throws Error naming the missing tool and how to get it. */
export function requireTool(tool: 'terraform' | 'moto_server', hint: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  const location = found.stdout.trim();
  if (found.status !== 0 || !location) throw new Error(`${tool} not found on PATH: ${hint}`);
  return location;
}

export const TERRAFORM_HINT = 'install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) and put it on PATH';

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each chunk of output, for progress display. */
  readonly onOutput?: (chunk: string) => void;
}

/** Runs `terraform <args>` in `cwd`; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runTerraform(cwd: string, args: readonly string[], options: RunOptions = {}): Promise<TerraformResult> {
  // Fail closed on a missing directory: spawn would run in the current directory instead, and a
  // `destroy` or `apply` there writes a terraform.tfstate into the project root, which cdktf-cli
  // then refuses ("Found 'terraform.tfstate' Terraform state file") on every later command.
  if (typeof cwd !== 'string' || cwd === '') return Promise.reject(new Error(`terraform ${args.join(' ')}: no working directory given`));
  requireTool('terraform', TERRAFORM_HINT);
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', [...args], {
      cwd,
      env: options.env ?? terraformEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      options.onOutput?.(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      options.onOutput?.(d.toString());
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
