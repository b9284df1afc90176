#!/usr/bin/env node
// `npm run bench:check`: the regression guard CI runs. It repeats the quick benchmarks (the CLI's cold start against
// Node's own; `berth up` against docker-compose and against the stack's critical path) into a scratch folder (the
// checked-in results stay as they are) and fails when a script fails or a same-run ratio's median is past its
// declared limit + tolerance (benchmarks/limits.js), whatever the spread of its runs; an absolute figure past its limit
// is a warning (lib/guard.js says why).
// `node benchmarks/check.js --results DIR` judges the results already in DIR (every benchmark found there).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeRun } from './lib/guard.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const given = process.argv.indexOf('--results');
const failed = [];
let dir;
let benchmarks;
if (given >= 0) {
  dir = process.argv[given + 1];
  if (!dir) {
    console.error('bench:check: --results needs a folder of results (benchmarks/results)');
    process.exit(2);
  }
} else {
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-check-'));
  const env = { ...process.env, BENCH_RESULTS_DIR: dir, BENCH_RUN_ID: `check-${Date.now().toString(36)}` };
  const scripts = {
    'cli-cold-start': path.join(here, 'cli-cold-start.js'),
    'engine-up': path.join(root, 'dist-bench', 'benchmarks', 'engine-up-vs-compose.js'),
  };
  benchmarks = Object.keys(scripts);
  for (const script of Object.values(scripts)) {
    const result = spawnSync(process.execPath, [script], { stdio: 'inherit', env });
    if (result.status !== 0) failed.push(`${path.basename(script)} exited ${result.status ?? result.signal}`);
  }
}
const results = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.startsWith('vllm'))
  .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
// With --results, the benchmarks found there are judged; a repeated run must have produced both of its own.
const { lines, failures, warnings } = judgeRun(results, { benchmarks: benchmarks ?? results.map((r) => r.benchmark) });
console.log('\nregression guard: each median against its declared limit + tolerance (benchmarks/limits.js)');
for (const line of lines) console.log(`  ${line}`);
if (warnings.length)
  console.log(`\nbench:check warnings (absolute figures; their same-run ratios gate):\n  ${warnings.join('\n  ')}`);
failed.push(...failures);
if (failed.length) {
  console.error(`\nbench:check failed:\n  ${[...new Set(failed)].join('\n  ')}`);
  process.exitCode = 1;
}
