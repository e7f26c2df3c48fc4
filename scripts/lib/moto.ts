/**
 * Starts and stops `moto_server` (a local AWS API emulator), always bound to 127.0.0.1 on a
 * free port, and makes sure it is stopped when the process exits or is interrupted unless
 * the caller explicitly keeps it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { EMULATOR_CREDENTIALS } from '../../stacks/constructs/provider-and-backend';
import { requireTool } from './terraform';

export const LOOPBACK = '127.0.0.1';
export const MOTO_HINT = "install moto's server (pip install 'moto[server]>=5') and put moto_server on PATH";

/** Credentials and region for AWS SDK clients and Terraform pointed at the emulator. */
export const EMULATOR_SDK_CREDENTIALS = { accessKeyId: EMULATOR_CREDENTIALS.accessKey, secretAccessKey: EMULATOR_CREDENTIALS.secretKey } as const;

/** Asks the kernel for a free TCP port on the loopback interface. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface MotoOptions {
  /** @default a free port */
  readonly port?: number;
  /** File receiving the server's output. @default discarded */
  readonly logFile?: string;
  /**
   * Let the server outlive this process (for `--keep`): it runs in its own process group and
   * is not stopped on exit. @default false
   */
  readonly detached?: boolean;
  /** @default 30000 */
  readonly startTimeoutMs?: number;
}

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s); resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
  /** Do not stop the server when this process exits (it must have been started `detached`). */
  keep(): void;
}

const running = new Set<ChildProcess>();
let exitHooksInstalled = false;

/** Kills every server this process started and still owns; runs on exit and on SIGINT/SIGTERM. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    running.clear();
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Starts moto_server on 127.0.0.1 and resolves once it answers HTTP. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  requireTool('moto_server', MOTO_HINT);
  installExitHooks();
  const port = options.port ?? (await freeLoopbackPort());
  const endpoint = `http://${LOOPBACK}:${port}`;
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn('moto_server', ['-H', LOOPBACK, '-p', String(port)], {
    stdio: ['ignore', out, out],
    detached: options.detached ?? false,
    // ACM certificates are issued at once (moto's default is 60 s after the request; AWS issues
    // once the DNS validation record resolves, which nothing resolves here).
    // No Lambda containers: moto runs a subscribed function in Docker inside PutLogEvents (when a
    // Docker daemon answers), e.g. the metering function when the Bedrock stand-in writes to the
    // invocation log group. The project runs functions in process instead (the local gateway meters
    // what the stack's subscription filter passes), so moto's attempt must fail at once, the same
    // on every machine, whether Docker runs there or not (moto logs "error running docker").
    env: { ...process.env, MOTO_ACM_VALIDATION_WAIT: '0', DOCKER_HOST: 'unix:///nonexistent/no-lambda-containers-in-moto.sock' },
  });
  if (typeof out === 'number') closeSync(out);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
    running.delete(child);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));

  const stop = async () => {
    if (exitCode !== undefined || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (exitCode !== undefined) throw new Error(`moto_server exited with code ${exitCode} before answering on ${endpoint}${options.logFile ? ` (see ${options.logFile})` : ''}`);
      if (await answers(endpoint)) break;
      if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within ${options.startTimeoutMs ?? 30_000} ms`);
      await Promise.race([sleep(200), spawnError]);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    port,
    pid: child.pid!,
    stop,
    keep: () => {
      if (!options.detached) throw new Error('only a server started with detached: true can outlive this process');
      running.delete(child);
      child.unref();
    },
  };
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
