import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/repo-root.js';
import { TRAY_READY_LINE } from '../support/app-log-lines.js';

const root = repoRoot();

/** Electron's binary when it is installed, found without triggering the package's download on require. */
function electronBinary(): string | undefined {
  const pathFile = path.join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const required = process.env.BERTH_ELECTRON_SMOKE === 'required';
const why =
  'Electron’s binary is not installed on this machine (it cannot be downloaded here); the release workflow runs this test on macOS and on Linux under xvfb';

describe('the tray app (Electron smoke test)', () => {
  if (!binary && required) {
    it('has an Electron binary to launch', () => {
      expect.fail(
        `BERTH_ELECTRON_SMOKE=required, but ${why.split(';')[0]}: run \`node node_modules/electron/install.js\``,
      );
    });
    return;
  }
  if (!binary) console.warn(`Electron smoke test not run: ${why}.`);

  it.skipIf(!binary)(
    `launches, creates its tray, opens its window and shows the engine's state (not run when ${why})`,
    async () => {
      const home = await mkdtemp(path.join(os.tmpdir(), 'berth-smoke-'));
      const app = await electron.launch({
        executablePath: binary,
        args: [root],
        env: { ...process.env, BERTH_HOME: home, BERTH_TRAY: '1', ELECTRON_ENABLE_LOGGING: '1' },
        timeout: 60_000,
      });
      try {
        const window = await app.firstWindow();
        await expect.poll(() => window.title()).toBe('Berth');
        await window.getByRole('navigation', { name: 'Views' }).waitFor();
        await expect
          .poll(() => window.getByTestId('freshness').textContent(), { timeout: 30_000 })
          .toMatch(/^(live|no engine)$/);
        const log = await readFile(path.join(home, 'logs', 'berth.log'), 'utf8');
        expect(log).toMatch(TRAY_READY_LINE);
        // The page has no Node, and sees only the one bridge the preload exposes.
        expect(
          await window.evaluate(() => [
            typeof (globalThis as { require?: unknown }).require,
            typeof (globalThis as { process?: unknown }).process,
          ]),
        ).toEqual(['undefined', 'undefined']);
        expect(
          await window.evaluate(() => Object.keys((globalThis as { berthBridge?: object }).berthBridge ?? {}).sort()),
        ).toEqual(['call', 'onEvent']);
        expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
      } finally {
        await app.close();
      }
    },
    120_000,
  );
});
