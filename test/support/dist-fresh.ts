import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The newest modification time of the TypeScript under `dir`. */
function newestSource(dir: string): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(file);
    if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

/**
 * Vitest's global setup: the CLI tests run `bin/berth.js`, which runs dist/. A dist/ that is missing or older than
 * the sources under electron/ would test yesterday's code, so the run stops at once and says what to do.
 */
export default function distFresh(): void {
  const built = path.join('dist', 'electron', 'node', 'cli', 'main.js');
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    throw new Error(`${built} is missing: run npm run build (npm test builds first)`);
  }
  const newest = newestSource('electron');
  if (newest.mtimeMs > builtAt)
    throw new Error(`dist/ is older than ${newest.file}: run npm run build (npm test builds first)`);
}
