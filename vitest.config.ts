import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Tests of the integration folder that need no engine, browser or SSH server: a Hub double, a lock race, the tray without an engine. */
const NO_ENGINE_INTEGRATION = ['model-lookup.test.ts', 'stack-lock.test.ts', 'tray-app-no-engine.test.ts'];

/**
 * Tests that share this machine's Docker Engine, a browser, SSH servers or fixed host resources: they run one file
 * at a time, so they never race for container names, ports or the engine's CPU. A new file in test/integration is
 * one of them unless listed above.
 */
const BROWSER_TESTS = ['test/e2e/**/*.test.ts'];
const ENGINE_TESTS = [
  ...readdirSync('test/integration')
    .filter((f) => f.endsWith('.test.ts') && !NO_ENGINE_INTEGRATION.includes(f))
    .map((f) => `test/integration/${f}`),
  'test/electron/**/*.test.ts',
  'test/cli/bad-input.test.ts',
  'test/cli/export-compose.test.ts',
  'test/cli/facts.test.ts',
  'test/support/browser.test.ts',
];

export default defineConfig({
  // Vite's warnings about sourcemaps of inlined packages are noise in the test output.
  logLevel: 'error',
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The CLI tests run the built CLI: a dist/ older than the sources fails the run at once, with the fix.
    globalSetup: ['./test/support/dist-fresh.ts'],
    // GitHub's workflow parser imports its schema as JSON without an import attribute, which Node 20 refuses;
    // Vite's transform loads it.
    server: { deps: { inline: ['@actions/workflow-parser', '@actions/expressions'] } },
    projects: [
      {
        extends: true,
        // Everything else: pure code, the renderer on happy-dom, the CLI on fixture hosts, doubles in this process.
        test: {
          name: 'unit',
          include: ['electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
          exclude: [...ENGINE_TESTS, ...BROWSER_TESTS],
          fileParallelism: true,
          // Alone (`npm run test:unit`), one worker more than the cores: these files spend much of their time waiting
          // on the CLI processes they spawn. Under `npm test` the engine lane shares the cores, so Vitest's default
          // (cores − 1) stands.
          ...(process.env.BERTH_TEST_LANES ? {} : { maxWorkers: availableParallelism() + 1 }),
        },
      },
      // Vitest runs files that forbid parallelism after the others, one at a time.
      { extends: true, test: { name: 'engine', include: ENGINE_TESTS, fileParallelism: false } },
      // The dashboard in Chromium against berth serve and a stack of its own: one file at a time too, and a project
      // of its own so that `npm test` can run it beside the engine project once the unit tests are done.
      { extends: true, test: { name: 'browser', include: BROWSER_TESTS, fileParallelism: false } },
    ],
  },
});
