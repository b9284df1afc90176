import { accessSync, constants, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where a Chromium-family browser is on the machines that run these tests, in the order they are tried. */
export const BROWSER_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser the tests drive: BERTH_CHROMIUM when set, then Debian's chromium, then Google Chrome (which GitHub's
 * Ubuntu runners ship, where `apt-get install chromium` gives a snap wrapper). Undefined when there is none.
 */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = BROWSER_CANDIDATES,
): string | undefined {
  if (env.BERTH_CHROMIUM) return env.BERTH_CHROMIUM;
  return candidates.find(executable);
}

export const CHROMIUM = findChromium();

/** The browser, headless, with a fresh profile and nothing that reaches out to the network. */
export function launchChromium(extraArgs: string[] = []): Promise<BrowserContext> {
  if (!CHROMIUM)
    throw new Error(`no Chromium or Chrome found (tried ${BROWSER_CANDIDATES.join(', ')}); set BERTH_CHROMIUM`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'berth-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
}
