import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child-process CLI tests and SQLite files: two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
