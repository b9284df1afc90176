#!/usr/bin/env node
// Cold start of the CLI: each run is a new Node process, as a user's shell starts it. Runs alternate with a
// bare `node -e 0` so the ratio to Node's own start-up is measured side by side on the same machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeRun } from './lib/guard.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'berth.js');
const facts = path.join(root, 'test', 'fixtures', 'hosts', 'gpu-server-1x80gb.json');
const runs = Number(process.env.BENCH_RUNS ?? 9);
const env = { ...process.env, BERTH_HOME: mkdtempSync(path.join(os.tmpdir(), 'berth-bench-')) };

function timeOnce(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    medianMs: Math.round(median),
    minMs: Math.round(sorted[0]),
    maxMs: Math.round(sorted.at(-1)),
    runs: sorted.length,
  };
}

const cases = {
  'node -e 0 (baseline)': ['-e', '0'],
  'berth plan --facts FILE --json': [bin, 'plan', '--facts', facts, '--json'],
  'berth facts --json': [bin, 'facts', '--json'],
};
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const args of Object.values(cases)) timeOnce(args); // warm the file cache once
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(timeOnce(args));

const base = samples['node -e 0 (baseline)'];
const ratios = (name) => samples[name].map((v, i) => v / base[i]);
const median = (values) => stats(values.map((v) => v * 1000)).medianMs / 1000;
const range = (s) => `median of ${s.runs}, ${s.minMs}–${s.maxMs} ms`;
const figures = [
  { name: 'node -e 0 cold start', value: stats(base).medianMs, unit: 'ms', detail: range(stats(base)), baseline: true },
  ...['berth plan --facts FILE --json', 'berth facts --json'].flatMap((name) => [
    {
      name: `${name} cold start`,
      value: stats(samples[name]).medianMs,
      unit: 'ms',
      detail: range(stats(samples[name])),
    },
    {
      name: `${name} ÷ node -e 0, same run`,
      value: Math.round(median(ratios(name)) * 100) / 100,
      unit: '×',
      detail: `per-run ratios ${ratios(name)
        .map((r) => r.toFixed(2))
        .join(', ')}`,
    },
  ]),
];
const commit =
  spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
const engine = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).stdout?.trim();
const machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}, Docker Engine ${engine || 'not answering'}`;
const report = {
  benchmark: 'cli-cold-start',
  command: 'node benchmarks/cli-cold-start.js',
  run: process.env.BENCH_RUN_ID ?? 'single',
  date: new Date().toISOString(),
  machine,
  node: process.version,
  commit,
  figures,
};
const resultsDir = process.env.BENCH_RESULTS_DIR ?? path.join(root, 'benchmarks', 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(path.join(resultsDir, 'cli-cold-start.json'), `${JSON.stringify(report, null, 2)}\n`);

const { lines, failures } = judgeRun([report], { benchmarks: ['cli-cold-start'] });
console.log(`cli-cold-start (${machine}, Node ${process.version})`);
for (const line of lines) console.log(`  ${line}`);
if (failures.length) {
  console.error(failures.join('; '));
  process.exitCode = 1;
}
