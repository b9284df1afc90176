import { existsSync, readFileSync } from 'node:fs';

/** The nearest package.json above this file: the repository's when run from source, the app's in dist/ or an asar. */
function findPackageJson(): { version: string } {
  for (let url = new URL('../', import.meta.url); ; url = new URL('../', url)) {
    const candidate = new URL('package.json', url);
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')) as { version: string };
    if (url.pathname === '/' || url.pathname === new URL('../', url).pathname)
      throw new Error('Berth cannot find its package.json');
  }
}

/** Berth's version, for migrations, the CLI's --version and the updater. */
export const BERTH_VERSION: string = findPackageJson().version;
