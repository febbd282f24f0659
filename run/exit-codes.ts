import type { Summary } from '../outputs/report.ts';

/** labspec's exit codes, for both `labspec run` and `npm test`; documented in README and `--help`. */
export const EXIT = {
  /** Every selected check passed (skips allowed), or a shard had nothing to check. */
  ok: 0,
  /** A check failed. */
  checksFailed: 1,
  /** Usage, inventory or snapshot error, a filter that selects nothing, or a check ID or glob that matches none: nothing was checked. */
  usage: 2,
  /** No check failed, but some could not be evaluated (unreachable host, unreadable output). */
  checksErrored: 3,
  /** The reports could not be written. */
  reportsUnwritable: 4,
  /** labspec itself failed: a bug, with its stack trace on stderr. */
  internal: 70,
  interrupted: 130,
  terminated: 143,
} as const;

export function exitCodeOf(summary: Summary): number {
  if (summary.fail > 0) return EXIT.checksFailed;
  if (summary.error > 0) return EXIT.checksErrored;
  return EXIT.ok;
}
