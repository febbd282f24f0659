import { EXIT } from './exit-codes.ts';

/**
 * Ends this process the way a signal should, whoever sent it: SIGINT exits 130, SIGTERM 143. The
 * previous complete report set stays at the top level, since a run publishes only at its end.
 * npm and npx do not pass signals on to the process they start, so a labspec whose parent is
 * gone (reparented) ends as if terminated; checked every `pollMs`, without keeping the process alive.
 */
export function endOnInterruption(beforeExit: (code: number) => void = () => {}, pollMs = 250): void {
  const end = (code: number) => {
    beforeExit(code);
    process.exit(code);
  };
  process.once('SIGINT', () => end(EXIT.interrupted));
  process.once('SIGTERM', () => end(EXIT.terminated));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) end(EXIT.terminated);
  }, pollMs).unref();
}
