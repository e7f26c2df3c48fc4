/**
 * Runs a stack's Lambda deployment package in process: the zip Terraform would upload is
 * unpacked into a private temporary directory and its handler module is `require`d, as the
 * Node.js runtime would load it (`<file>.<export>`). One module instance per function, so its
 * module-scope state (JWKS caches, clients) lives as long as a warm container would.
 *
 * Two ways to load it: `loadLambdaFunction` on the gateway's own thread (the authorizer: its
 * variables are added to the process's environment where unset), and `startIsolatedFunction` in
 * a worker thread whose `process.env` is exactly the function's environment as Lambda would set
 * it, credentials included (the forwarder: what it signs with never leaks into, or comes from, the
 * environment of the process that serves it).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
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
  /** Removes the unpacked files (and stops the worker of an isolated function). */
  dispose(): void | Promise<void>;
}

/** `<file>.<export>` of a function's handler setting. */
function handlerParts(model: LambdaFunctionModel): { moduleName: string; exportName: string } {
  const dot = model.handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`${model.address}: handler ${JSON.stringify(model.handler)} is not <file>.<export>`);
  return { moduleName: model.handler.slice(0, dot), exportName: model.handler.slice(dot + 1) };
}

/** Unpacks the deployment package into a new private directory and returns it. */
function unpack(model: LambdaFunctionModel): string {
  const dir = mkdtempSync(path.join(tmpdir(), `bag-lambda-${model.functionName}-`));
  for (const [name, data] of readZip(readFileSync(model.archive))) {
    const target = path.resolve(dir, name);
    if (!target.startsWith(dir + path.sep)) throw new Error(`${model.archive}: entry ${name} escapes the package`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return dir;
}

/**
 * Unpacks `model.archive` and loads its handler on this thread. `environment` overrides the
 * function's own variables while its module loads (values the stack only knows after apply, an
 * emulator endpoint), then the process's values come back: for functions that read their
 * environment at cold start.
 */
export function loadLambdaFunction(model: LambdaFunctionModel, environment: Readonly<Record<string, string>> = {}): LoadedFunction {
  const { moduleName, exportName } = handlerParts(model);
  const dir = unpack(model);
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

/** Temporary credentials of the function's execution role, as Lambda puts them in its environment. */
export interface FunctionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The environment Lambda gives a function: its reserved variables (region, name, memory, the
 * execution role's credentials; AWS Lambda developer guide, "Defined runtime environment
 * variables": https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * then the function's own variables from the stack, then `extra` (the local gateway's additions,
 * e.g. a loopback endpoint override). Nothing from the serving process's environment.
 */
export function lambdaEnvironment(model: LambdaFunctionModel, region: string, credentials: FunctionCredentials | undefined, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: model.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(model.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    TZ: ':UTC',
    ...(credentials
      ? { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}) }
      : {}),
    ...model.environment,
    ...extra,
  };
}

/** Runs in the worker: loads the handler, then answers `{ id, event, context }` messages. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const handler = require(workerData.modulePath)[workerData.exportName];
if (typeof handler !== 'function') throw new Error(workerData.address + ': ' + workerData.handler + ' exports no function ' + workerData.exportName);
parentPort.on('message', async ({ id, event, context }) => {
  const deadline = Date.now() + context.remainingMs;
  const ctx = { functionName: context.functionName, awsRequestId: context.awsRequestId, invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  try {
    parentPort.postMessage({ id, result: await handler(event, ctx) });
  } catch (err) {
    parentPort.postMessage({ id, error: { name: err && err.name, message: String(err && err.message !== undefined ? err.message : err) } });
  }
});
parentPort.postMessage({ ready: true });
`;

/**
 * Unpacks `model.archive` and loads its handler in a worker thread with exactly `env` as its
 * `process.env` (see `lambdaEnvironment`). Resolves once the module has loaded (the cold start);
 * rejects with the module's own error when it fails to load, as a Lambda init error.
 */
export async function startIsolatedFunction(model: LambdaFunctionModel, env: Readonly<Record<string, string>>): Promise<LoadedFunction> {
  const { moduleName, exportName } = handlerParts(model);
  const dir = unpack(model);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    env: { ...env },
    workerData: { modulePath: path.join(dir, moduleName), exportName, address: model.address, handler: model.handler },
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    for (const call of pending.values()) call.reject(err);
    pending.clear();
  };
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`${model.address}: the function's worker exited (code ${code}) while loading`)));
      worker.once('message', () => resolve());
    });
  } catch (err) {
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`${model.address}: the function's worker exited (code ${code})`)));
  worker.on('message', (message: { id: number; result?: unknown; error?: { name?: string; message: string } }) => {
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.error) call.reject(Object.assign(new Error(message.error.message), { name: message.error.name ?? 'Error' }));
    else call.resolve(message.result);
  });
  // The worker does not keep the serving process alive on its own.
  worker.unref();
  return {
    model,
    handler: (event, context) => {
      if (failure) return Promise.reject(failure);
      const id = ++next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const { functionName, awsRequestId, invokedFunctionArn, memoryLimitInMB } = context;
        worker.postMessage({ id, event, context: { functionName, awsRequestId, invokedFunctionArn, memoryLimitInMB, remainingMs: context.getRemainingTimeInMillis() } });
      });
    },
    dispose: async () => {
      worker.removeAllListeners('exit');
      fail(new Error(`${model.address}: stopped`));
      await worker.terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Lambda-shaped context for one invocation. */
export function lambdaContext(model: LambdaFunctionModel, requestId: string, region: string): LambdaContext {
  const deadline = Date.now() + model.timeoutSeconds * 1000;
  return {
    functionName: model.functionName,
    awsRequestId: requestId,
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${model.functionName}`,
    memoryLimitInMB: String(model.memoryMb),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
