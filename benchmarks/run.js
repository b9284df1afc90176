#!/usr/bin/env node
// `npm run bench`: every benchmark in this folder, one after another.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const script of ['cli-cold-start.js']) {
  const result = spawnSync(process.execPath, [path.join(here, script)], { stdio: 'inherit' });
  failed ||= result.status !== 0;
}
process.exitCode = failed ? 1 : 0;
