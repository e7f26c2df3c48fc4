/**
 * Runs a stack's Lambda deployment package in process: the zip Terraform would upload is
 * unpacked into a private temporary directory and its handler module is `require`d, as the
 * Node.js runtime would load it (`<file>.<export>`). One module instance per function, so its
 * module-scope state (JWKS caches, clients) lives as long as a warm container would.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { LambdaFunctionModel } from './stack-model';

/** The files of a zip archive (stored or deflated entries; what esbuild + cdktf produce). */
export function readZip(buffer: Buffer): Map<string, Buffer> {
  // End of central directory: the last 0x06054b50 signature.
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 65557); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = buffer.readUInt16LE(at + 10);
    const compressedSize = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const localHeader = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    const dataStart = localHeader + 30 + buffer.readUInt16LE(localHeader + 26) + buffer.readUInt16LE(localHeader + 28);
    const data = buffer.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) files.set(name, Buffer.from(data));
    else if (method === 8) files.set(name, inflateRawSync(data));
    else throw new Error(`zip entry ${name} uses compression method ${method}; only stored and deflated are supported`);
  }
  return files;
}

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

export interface LambdaContext {
  readonly functionName: string;
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  getRemainingTimeInMillis(): number;
}

export interface LoadedFunction {
  readonly model: LambdaFunctionModel;
  readonly handler: LambdaHandler;
  /** Removes the unpacked files. */
  dispose(): void;
}

/**
 * Unpacks `model.archive` and loads its handler. `environment` overrides the function's own
 * variables while its module loads (values the stack only knows after apply, an emulator endpoint),
 * then the process's values come back: for functions that read their environment at cold start.
 */
export function loadLambdaFunction(model: LambdaFunctionModel, environment: Readonly<Record<string, string>> = {}): LoadedFunction {
  const dot = model.handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`${model.address}: handler ${JSON.stringify(model.handler)} is not <file>.<export>`);
  const moduleName = model.handler.slice(0, dot);
  const exportName = model.handler.slice(dot + 1);
  const dir = mkdtempSync(path.join(tmpdir(), `bag-lambda-${model.functionName}-`));
  for (const [name, data] of readZip(readFileSync(model.archive))) {
    const target = path.resolve(dir, name);
    if (!target.startsWith(dir + path.sep)) throw new Error(`${model.archive}: entry ${name} escapes the package`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  // The function's environment, as the runtime sets it before the module loads.
  for (const [key, value] of Object.entries(model.environment)) if (!Object.hasOwn(environment, key)) process.env[key] ??= value;
  const saved = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
  Object.assign(process.env, environment);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path.join(dir, moduleName)) as Record<string, unknown>;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const handler = mod[exportName];
  if (typeof handler !== 'function') throw new Error(`${model.address}: ${model.handler} exports no function ${exportName}`);
  return {
    model,
    handler: handler as LambdaHandler,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A Lambda-shaped context for one invocation. */
export function lambdaContext(model: LambdaFunctionModel, requestId: string, region: string): LambdaContext {
  const deadline = Date.now() + model.timeoutSeconds * 1000;
  return {
    functionName: model.functionName,
    awsRequestId: requestId,
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${model.functionName}`,
    memoryLimitInMB: '256',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
