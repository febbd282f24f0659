import { DEFAULT_INVENTORY } from '../inventory/load.ts';

/** Run settings shared by `npm test` (environment) and the CLI (which sets the same variables). */
export interface RunSettings {
  inventory: string;
  reports: string;
  /** Snapshot folder to re-grade instead of connecting; null for a live run. */
  replay: string | null;
  concurrency: number;
}

export const EXIT = { ok: 0, checksFailed: 1, usage: 2 } as const;

export function runSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  const concurrency = Number(env.LABSPEC_CONCURRENCY ?? 16);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`LABSPEC_CONCURRENCY: expected a whole number ≥ 1, got ${env.LABSPEC_CONCURRENCY}`);
  }
  return {
    inventory: env.LABSPEC_INVENTORY || DEFAULT_INVENTORY,
    reports: env.LABSPEC_REPORTS || 'reports',
    replay: env.LABSPEC_REPLAY || null,
    concurrency,
  };
}
