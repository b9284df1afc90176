#!/usr/bin/env node
// `npm run bench`: every benchmark, then benchmarks/README.md rebuilt from benchmarks/results/*.json.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReadme } from './lib/readme.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const scripts = [
  path.join(here, 'cli-cold-start.js'),
  ...['engine-up-vs-compose', 'status-latency', 'idle-engine', 'log-ingestion', 'dashboard', 'engine-host', 'metrics-refresh', 'remote-engine'].map((name) => path.join(root, 'dist-bench', 'benchmarks', `${name}.js`)),
];
const only = process.argv.slice(2);
let failed = false;
for (const script of scripts) {
  if (only.length && !only.some((name) => script.includes(name))) continue;
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${path.basename(script)} failed or is over a limit`);
    failed = true;
  }
}

writeReadme();
process.exitCode = failed ? 1 : 0;
