import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'test/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one Docker engine; files run one at a time so they never race for names.
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
