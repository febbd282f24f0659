import { defineConfig } from 'vitest/config';
import { labspecPlugin } from './specs/harness/plugin.ts';

/** `npm test`: the lab spec, checked on the hosts of LABSPEC_INVENTORY (or the snapshots in LABSPEC_REPLAY). */
export default defineConfig({
  plugins: [labspecPlugin()],
  test: {
    include: ['specs/**/*.spec.ts'],
    // Checks only read verdicts judged before the tests: no need for isolation, and a failing lab is a result, not a flake.
    isolate: false,
    retry: 0,
    // The spec files only read verdicts: worker threads in vitest's own process hold them for ~100 MiB less than
    // a worker process.
    pool: 'threads',
  },
});
