import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  return {
    median: round(quantile(samples, 0.5)),
    p95: round(quantile(samples, 0.95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    runs: samples.length,
  };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The machine a run measured: CPU, cores, memory, OS and the Docker Engine's version. */
export function machine(): string {
  const engine = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
  }).stdout?.trim();
  return `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}, Docker Engine ${engine || 'not answering'}`;
}

/**
 * One benchmark's results, for benchmarks/results/<name>.json and the table built from them; `save` adds the
 * run (its id, date and commit) and the machine. Every figure is judged against the limit and tolerance
 * benchmarks/limits.js declares for it; a baseline is measured beside a figure (Node's own start, docker-compose)
 * and judged by none.
 */
export interface Result {
  benchmark: string;
  command: string;
  figures: { name: string; value: number; unit: string; detail: string; baseline?: boolean }[];
}

/** benchmarks/results, or BENCH_RESULTS_DIR (the regression guard writes its runs elsewhere). */
export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? path.join(ROOT, 'benchmarks', 'results');
}

/** The commit the measured code came from, so every figure can be traced to it. */
export function commit(): string {
  return (
    spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || 'unknown'
  );
}

export function save(result: Result): void {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  // BENCH_RUN_ID ties the results of one `npm run bench` together; the table refuses results of another run.
  const recorded = {
    benchmark: result.benchmark,
    command: result.command,
    run: process.env.BENCH_RUN_ID ?? 'single',
    date: new Date().toISOString(),
    machine: machine(),
    node: process.version,
    commit: commit(),
    figures: result.figures,
  };
  writeFileSync(path.join(dir, `${result.benchmark}.json`), `${JSON.stringify(recorded, null, 2)}\n`);
}

/** Saves the result, prints each figure against its declared limit, and sets the exit code when one fails. */
export async function finish(result: Result): Promise<void> {
  save(result);
  const { judgeRun } = (await import(pathToFileURL(path.join(ROOT, 'benchmarks', 'lib', 'guard.js')).href)) as {
    judgeRun: (results: unknown[], options: { benchmarks: string[] }) => { lines: string[]; failures: string[] };
  };
  const { lines, failures } = judgeRun([result], { benchmarks: [result.benchmark] });
  console.log(`${result.benchmark} (${machine()})`);
  for (const f of result.figures.filter((x) => x.baseline))
    console.log(`     ${f.name.padEnd(72)} ${String(f.value).padStart(9)} ${f.unit.padEnd(7)} baseline: ${f.detail}`);
  for (const line of lines) console.log(`  ${line}`);
  if (failures.length) {
    console.error(failures.join('; '));
    process.exitCode = 1;
  }
}

/** CPU time a process has used, in clock ticks (10 ms on Linux), from /proc. */
export function processCpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}
