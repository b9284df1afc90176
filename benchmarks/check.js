#!/usr/bin/env node
// `npm run bench:check`: the regression guard CI runs. It repeats the quick benchmarks whose limits are ratios
// measured in the same run (the CLI's cold start against Node's own, `berth up` against docker-compose and
// against the stack's critical path), writes their results to a scratch folder (the checked-in results stay as
// they are) and fails when a ratio is over its limit by more than the spread of its own runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { guardedFigures, verdict } from './lib/guard.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-check-'));
const env = { ...process.env, BENCH_RESULTS_DIR: scratch };
for (const script of [path.join(here, 'cli-cold-start.js'), path.join(root, 'dist-bench', 'benchmarks', 'engine-up-vs-compose.js')]) {
  // Each script judges its own absolute limits too; the guard judges only the ratios, with their noise.
  spawnSync(process.execPath, [script], { stdio: 'inherit', env });
}
const results = readdirSync(scratch).map((f) => JSON.parse(readFileSync(path.join(scratch, f), 'utf8')));
const figures = guardedFigures(results);
if (figures.length < 4) {
  console.error(`bench:check: expected the four guarded ratios, found ${figures.length}: a benchmark did not finish`);
  process.exit(1);
}
let failed = false;
console.log('\nregression guard (ratios from the same run; noise = half the range of the per-run ratios)');
for (const figure of figures) {
  const v = verdict(figure);
  failed ||= !v.ok;
  console.log(`  ${v.ok ? 'ok  ' : 'FAIL'} ${v.name.padEnd(58)} ${v.value.toFixed(2)} ± ${v.noise.toFixed(2)}  limit ${v.limit}`);
}
process.exitCode = failed ? 1 : 0;
