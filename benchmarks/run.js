#!/usr/bin/env node
// `npm run bench`: every quick benchmark in one run on one commit, then benchmarks/README.md rebuilt from that run
// alone. Exits 1 when a script fails or a figure is past its declared limit + tolerance (benchmarks/limits.js).
// `npm run bench -- dashboard` runs one script for a look at it: its result is kept apart and the README is left as it is.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeRun } from './lib/guard.js';
import { read, writeReadme } from './lib/readme.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const scripts = [
  path.join(here, 'cli-cold-start.js'),
  ...[
    'engine-up-vs-compose',
    'idle-engine',
    'log-ingestion',
    'dashboard',
    'remote-engine',
    'wake',
    'upgrade-trial',
  ].map((name) => path.join(root, 'dist-bench', 'benchmarks', `${name}.js`)),
];
const only = process.argv.slice(2);
const resultsDir = only.length ? mkdtempSync(path.join(os.tmpdir(), 'berth-bench-')) : path.join(here, 'results');
const commit =
  spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
const env = { ...process.env, BENCH_RESULTS_DIR: resultsDir, BENCH_RUN_ID: `${commit}-${Date.now().toString(36)}` };
if (!only.length) {
  // No row may survive from an earlier run: the quick results are all rewritten (vLLM's come from bench:vllm).
  for (const file of readdirSync(resultsDir))
    if (file.endsWith('.json') && !file.startsWith('vllm')) rmSync(path.join(resultsDir, file));
}
const failed = [];
for (const script of scripts) {
  if (only.length && !only.some((name) => script.includes(name))) continue;
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit', env });
  if (result.status !== 0) failed.push(`${path.basename(script)} exited ${result.status ?? result.signal}`);
}
if (only.length) {
  console.log(`results in ${resultsDir}; benchmarks/README.md is rebuilt only from a whole run`);
} else {
  const { failures, warnings } = judgeRun(read());
  failed.push(...failures);
  if (warnings.length) console.log(`\nnpm run bench: absolute figures past their limits:\n  ${warnings.join('\n  ')}`);
  try {
    writeReadme();
  } catch (error) {
    // A run that lost a benchmark leaves the README as it was rather than stitching rows from two runs.
    failed.push(`benchmarks/README.md not rewritten: ${error.message}`);
  }
}
if (failed.length) {
  console.error(`\nnpm run bench: ${failed.length} failure(s)\n  ${[...new Set(failed)].join('\n  ')}`);
  process.exitCode = 1;
}
