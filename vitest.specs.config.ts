import { defineConfig } from 'vitest/config';

/** `npm test`: the lab spec, checked on the hosts of LABSPEC_INVENTORY (or snapshots in LABSPEC_REPLAY). */
export default defineConfig({
  test: {
    include: ['specs/**/*.spec.ts'],
    globalSetup: ['helpers/global-setup.ts'],
    reporters: ['default', './outputs/reporter.ts'],
    // Checks only read gathered facts: no need for isolation, and a failing lab is a result, not a flake.
    isolate: false,
    retry: 0,
  },
});
