#!/usr/bin/env node
// Cold start of the CLI: each run is a new Node process, as a user's shell starts it. Runs alternate with a
// bare `node -e 0` so the ratio to Node's own start-up is measured side by side on the same machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  return { medianMs: Math.round(median), minMs: Math.round(sorted[0]), maxMs: Math.round(sorted.at(-1)), runs: sorted.length };
}

const cases = {
  'node -e 0 (baseline)': ['-e', '0'],
  'berth plan --facts FILE --json': [bin, 'plan', '--facts', facts, '--json'],
  'berth facts --json': [bin, 'facts', '--json'],
};
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const args of Object.values(cases)) timeOnce(args); // warm the file cache once
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(timeOnce(args));

const baseline = stats(samples['node -e 0 (baseline)']).medianMs;
const limits = { 'berth plan --facts FILE --json': 300, 'berth facts --json': 1000 };
// The regression guard's limits: ratios to Node's own start, measured in the same run, so a slower machine
// does not fail them.
const ratioLimits = { 'berth plan --facts FILE --json': 4, 'berth facts --json': 8 };
const results = Object.entries(samples).map(([name, values]) => {
  const s = stats(values);
  const perRun = values.map((v, i) => Math.round((v / samples['node -e 0 (baseline)'][i]) * 100) / 100);
  return { name, ...s, ratioToNode: Math.round((s.medianMs / baseline) * 10) / 10, limitMs: limits[name] ?? null, ...(ratioLimits[name] ? { ratioLimit: ratioLimits[name], sameRunRatios: perRun } : {}) };
});
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
const report = { benchmark: 'cli-cold-start', date: new Date().toISOString(), commit, machine: `${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}`, node: process.version, results };
const resultsDir = process.env.BENCH_RESULTS_DIR ?? path.join(root, 'benchmarks', 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(path.join(resultsDir, 'cli-cold-start.json'), `${JSON.stringify(report, null, 2)}\n`);

console.log(`CLI cold start, median of ${runs} runs (min–max), ${report.machine}, Node ${process.version}`);
for (const r of results) console.log(`  ${r.name.padEnd(34)} ${String(r.medianMs).padStart(5)} ms (${r.minMs}–${r.maxMs})  ×${r.ratioToNode} node${r.limitMs ? `  limit ${r.limitMs} ms` : ''}`);
const over = results.filter((r) => r.limitMs && r.medianMs > r.limitMs);
if (over.length) {
  console.error(`over the limit: ${over.map((r) => r.name).join(', ')}`);
  process.exitCode = 1;
}
