import type { Verdict } from '../checks/check.ts';

/** One row of results.json: one host (or, for cross-host checks, the lab) and one check. */
export interface ResultEntry extends Verdict {
  lab: string;
  /** null for a cross-host check of the whole lab. */
  host: string | null;
  check: string;
  title: string;
}

declare module 'vitest' {
  interface TaskMeta {
    labspec?: ResultEntry;
  }
}
