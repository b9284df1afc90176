import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite's warnings about sourcemaps of inlined packages are noise in the test output.
  logLevel: 'error',
  test: {
    include: ['electron/**/*.test.ts', 'test/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one Docker engine; files run one at a time so they never race for names.
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // GitHub's workflow parser imports its schema as JSON without an import attribute, which Node 20 refuses;
    // Vite's transform loads it.
    server: { deps: { inline: ['@actions/workflow-parser', '@actions/expressions'] } },
  },
});
