import { defineConfig } from 'vitest/config';

/** `npm run selftest`: labspec's own tests — parsers on the corpus, units, and integration against real sshd and the local lab. */
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/scratch.ts'],
    // Integration tests boot real hosts and share the one lab network namespace: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
