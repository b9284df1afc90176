import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

export function summary(samples: readonly number[]) {
  return { median: round(quantile(samples, 0.5)), p95: round(quantile(samples, 0.95)), min: round(Math.min(...samples)), max: round(Math.max(...samples)), runs: samples.length };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function machine(): string {
  return `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}`;
}

/**
 * One benchmark's results, for benchmarks/results/<name>.json and the tables built from them; `save` adds the
 * date, machine, Node version and commit.
 */
export interface Result {
  benchmark: string;
  command: string;
  /**
   * `sameRunRatios`: for a figure that is a ratio of two things measured side by side, each run's ratio; the
   * regression guard (`npm run bench:check`) reads its spread as the machine's noise.
   */
  figures: { name: string; value: number; unit: string; detail: string; limit?: { max?: number; min?: number }; sameRunRatios?: number[] }[];
}

/** benchmarks/results, or BENCH_RESULTS_DIR (the regression guard writes its runs elsewhere). */
export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? path.join(ROOT, 'benchmarks', 'results');
}

/** The commit the measured code came from, so every figure can be traced to it. */
export function commit(): string {
  return spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || 'unknown';
}

export function save(result: Result): void {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const recorded = { benchmark: result.benchmark, command: result.command, date: new Date().toISOString(), machine: machine(), node: process.version, commit: commit(), figures: result.figures };
  writeFileSync(path.join(dir, `${result.benchmark}.json`), `${JSON.stringify(recorded, null, 2)}\n`);
  console.log(`${result.benchmark} (${recorded.machine})`);
  for (const f of result.figures) {
    const limit = f.limit ? `  limit ${f.limit.max !== undefined ? `≤ ${f.limit.max}` : `≥ ${f.limit.min}`}` : '';
    console.log(`  ${f.name.padEnd(48)} ${String(f.value).padStart(9)} ${f.unit.padEnd(8)} ${f.detail}${limit}`);
  }
}

export function overLimit(result: Result): string[] {
  return result.figures
    .filter((f) => (f.limit?.max !== undefined && f.value > f.limit.max) || (f.limit?.min !== undefined && f.value < f.limit.min))
    .map((f) => `${result.benchmark}: ${f.name} = ${f.value} ${f.unit}`);
}

/** CPU time a process has used, in clock ticks (10 ms on Linux), from /proc. */
export function processCpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}
