/**
 * A Lambda function whose TypeScript source is bundled by esbuild at synth into a
 * TerraformAsset. The bundle is minified without paths or timestamps, so the same
 * source and settings give the same bytes and the same asset hash on every machine.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';

export interface BundleOptions {
  /** Entry file (TypeScript), absolute or relative to the working directory. */
  readonly entry: string;
  /** Bare module ids resolved to generated JSON, e.g. `{ 'gateway:authorizer-settings': settings }`. */
  readonly jsonModules?: Readonly<Record<string, unknown>>;
  /**
   * Package entry fields esbuild resolves, in order. `['module', 'main']` takes packages' ES module
   * builds, which esbuild can tree-shake (the AWS SDK's CommonJS builds are one file per package,
   * kept whole). @default esbuild's for platform node: `['main', 'module']`
   */
  readonly mainFields?: readonly string[];
  /**
   * How `jsonModules` are embedded: as one string literal given to `JSON.parse` (V8 parses JSON
   * faster than the equivalent object literal, which matters for a 10,000-tenant table: see
   * `npm run bench:scale`), or as an object literal (esbuild's JSON loader; kept for that benchmark).
   * @default 'json-parse'
   */
  readonly jsonEmbedding?: 'json-parse' | 'object-literal';
}

export interface Bundle {
  /** Directory holding `index.js`, named by its content hash (private to this process, removed at exit). */
  readonly dir: string;
  readonly code: string;
  readonly sha256: string;
}

/**
 * Lambda runtime of every function. Node.js 20 is deprecated on Lambda since 30 April 2026;
 * Node.js 22 (standard support until 30 April 2027) is the newest that hashicorp/aws 5.100.0
 * accepts (it rejects nodejs24.x). Move to nodejs24.x with the provider upgrade.
 */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/**
 * Modification time given to every bundle file. cdktf zips the bundle directory with each
 * file's mtime, so a fixed one makes the archive byte-identical from one synth to the next
 * (the exported Terraform directory is then reproducible; `source_code_hash` never used it).
 */
export const BUNDLE_FILE_MTIME = new Date('2000-01-01T00:00:00Z');

/** How every Lambda bundle is built: one minified CommonJS file, no paths, comments or source maps. */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  write: false,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'silent',
} as const satisfies BuildOptions;

let processBundleRoot: string | undefined;

/**
 * This process's own directory of bundles, removed when it exits. Not shared between
 * processes: cdktf zips the bundle with the file's mtime, and a concurrent synth rewriting a
 * shared file would change it between our `utimesSync` and cdktf's archive.
 */
function bundleRoot(): string {
  if (processBundleRoot === undefined) {
    const root = mkdtempSync(path.join(tmpdir(), 'bag-bundles-'));
    processBundleRoot = root;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return processBundleRoot;
}

/** Bundles `entry` to one minified CommonJS file for the Lambda Node.js runtime. */
export function bundleFunction(options: BundleOptions): Bundle {
  const scratch = mkdtempSync(path.join(tmpdir(), 'bag-json-'));
  try {
    const alias: Record<string, string> = {};
    for (const [id, value] of Object.entries(options.jsonModules ?? {})) {
      const base = path.join(scratch, createHash('sha256').update(id).digest('hex').slice(0, 16));
      const json = JSON.stringify(value);
      const file = options.jsonEmbedding === 'object-literal' ? `${base}.json` : `${base}.cjs`;
      writeFileSync(file, options.jsonEmbedding === 'object-literal' ? json : `module.exports = JSON.parse(${JSON.stringify(json)});\n`);
      alias[id] = file;
    }
    const result = buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [path.resolve(options.entry)], alias, ...(options.mainFields ? { mainFields: [...options.mainFields] } : {}) });
    const code = result.outputFiles[0].text;
    const sha256 = createHash('sha256').update(code).digest('hex');
    const dir = path.join(bundleRoot(), sha256);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'index.js');
    writeFileSync(file, code);
    utimesSync(file, BUNDLE_FILE_MTIME, BUNDLE_FILE_MTIME);
    return { dir, code, sha256 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface NodejsFunctionProps extends BundleOptions {
  readonly functionName: string;
  readonly description: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** Seconds. @default 10 */
  readonly timeout?: number;
  /** Days. */
  readonly logRetentionDays: number;
  readonly environment?: Readonly<Record<string, string>>;
  /** X-Ray active tracing (adds the two X-Ray write actions, which take no resource). @default false */
  readonly tracing?: boolean;
  /** @default 'arm64' */
  readonly architecture?: 'arm64' | 'x86_64';
  /** Concurrent executions reserved for (and capping) the function. @default none */
  readonly reservedConcurrency?: number;
}

/**
 * Bundle + log group + execution role (CloudWatch Logs on its own log group only) + function.
 * The log group is created first and named as Lambda would name it, so retention applies
 * from the first invocation and the role needs no `logs:CreateLogGroup`.
 */
export class NodejsFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly bundle: Bundle;

  constructor(scope: Construct, id: string, props: NodejsFunctionProps) {
    super(scope, id);
    this.bundle = bundleFunction(props);
    const asset = new TerraformAsset(this, 'bundle', { path: this.bundle.dir, type: AssetType.ARCHIVE });

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      name: `${props.functionName}-role`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    new IamRolePolicy(this, 'logs-policy', {
      name: 'write-own-logs',
      role: this.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${this.logGroup.arn}:*` },
          // X-Ray's write actions have no resource type: IAM accepts them only with "*".
          ...(props.tracing ? [{ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }] : []),
        ],
      }),
    });
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: [props.architecture ?? 'arm64'],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: this.bundle.sha256,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? 10,
      ...(props.environment ? { environment: { variables: { ...props.environment } } } : {}),
      loggingConfig: { logFormat: 'Text', logGroup: this.logGroup.name },
      ...(props.tracing ? { tracingConfig: { mode: 'Active' } } : {}),
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      dependsOn: [this.logGroup],
    });
  }
}
