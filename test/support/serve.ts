import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { BIN } from './cli.js';
import { repoRoot } from './repo-root.js';

export const SCREENSHOTS = path.join(repoRoot(), 'test-results', 'screenshots');

export interface Serve {
  url: string;
  process: ChildProcess;
}

/** `berth serve` on a free port, as a user starts it; resolves with the link it prints. */
export async function startServe(env: Record<string, string>): Promise<Serve> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, DOCKER_HOST: '', LITELLM_URL: '', LITELLM_ENVIRONMENT: '', ...env },
  });
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /Berth dashboard: (\S+)/.exec(line);
      if (match) resolve(match[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`berth serve exited with ${code}`)));
  });
  return { url, process: child };
}

export async function stopServe(serve: Serve): Promise<void> {
  if (serve.process.exitCode !== null) return;
  serve.process.kill('SIGINT');
  await new Promise((resolve) => serve.process.once('exit', resolve));
}

/** A whole-page screenshot in test-results/screenshots. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The view scrolls inside the window (the header and the rail stay): make the window as tall as the view for the shot.
  const size = page.viewportSize() ?? { width: 1280, height: 720 };
  const height = await page.evaluate(() => {
    const main = document.querySelector('.shell-main');
    return main ? main.scrollHeight + (main.getBoundingClientRect().top || 0) : document.documentElement.scrollHeight;
  });
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, Math.min(6000, Math.ceil(height))) });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize(size);
}

/** The page in the OS's light or dark appearance; the dashboard follows it (Mantine's "auto"). */
export async function useScheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForFunction((s) => document.documentElement.getAttribute('data-mantine-color-scheme') === s, scheme);
}

/** axe-core's serious and critical findings (WCAG 2 A and AA) on the page as it is now, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')

    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${n.target.join(' ')} [${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}]`)
          .join(', ')}`,
    );
}

/** Fails the test on a script error or a style or script the CSP refused. */
export function watchPage(page: Page, problems: string[]): void {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED|WebSocket/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
}
