import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temp directory per run, removed at its end (test/support/tmp-sandbox.ts).
    globalSetup: ['./test/support/tmp-sandbox.ts'],
    // Differential tests start real PostgreSQL and PgBouncer servers.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
