/** The record `npm start -- --keep` leaves of the emulator it kept running, and how to stop it. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';

export const KEPT_EMULATOR_FILE = path.join(__dirname, '..', '..', '.local', 'moto.json');

export interface KeptEmulator {
  readonly pid: number;
  readonly endpoint: string;
  readonly workDir: string;
}

/** The kept emulator, if its record exists and its process is still a moto_server; stale records are removed. */
export function readKeptEmulator(): KeptEmulator | undefined {
  if (!existsSync(KEPT_EMULATOR_FILE)) return undefined;
  const kept = JSON.parse(readFileSync(KEPT_EMULATOR_FILE, 'utf8')) as KeptEmulator;
  if (isMotoProcess(kept.pid)) return kept;
  rmSync(KEPT_EMULATOR_FILE, { force: true });
  return undefined;
}

/** True when `pid` is alive and runs moto_server (so a recycled pid is never signalled). */
export function isMotoProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  // Without /proc (macOS), trust the record.
  if (!existsSync('/proc')) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes('moto_server');
  } catch {
    return false;
  }
}

export function forgetKeptEmulator(): void {
  rmSync(KEPT_EMULATOR_FILE, { force: true });
}
