import type { HostRecord } from '../helpers/run-data.ts';

/**
 * globalSetup and the reporter both run in vitest's main process; this hands the host records
 * from one to the other without a file.
 */
const KEY = Symbol.for('labspec.run-state');

interface RunState {
  reportsDir: string;
  hosts: HostRecord[];
}

export function setHostRecords(reportsDir: string, hosts: HostRecord[]): void {
  (globalThis as Record<symbol, RunState>)[KEY] = { reportsDir, hosts };
}

export function getRunState(): RunState | undefined {
  return (globalThis as Record<symbol, RunState | undefined>)[KEY];
}
