import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/repo-root.js';
// @ts-expect-error plain JS module of the benchmark harness
import { LIMITS } from '../../benchmarks/limits.js';
// @ts-expect-error plain JS module of the benchmark harness
import { isRatio, judgeRun, plant, verdict } from '../../benchmarks/lib/guard.js';
// @ts-expect-error plain JS module of the benchmark harness
import { oneRun, renderReadme } from '../../benchmarks/lib/readme.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: boolean;
}
interface Recorded {
  benchmark: string;
  run: string;
  commit: string;
  figures: Figure[];
}
interface Limit {
  max?: number;
  min?: number;
  tolerance: number;
  step?: number;
}

const resultsDir = path.join(repoRoot(), 'benchmarks', 'results');
const recorded = (): Recorded[] =>
  readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('vllm'))
    .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as Recorded);
const limited = Object.entries(LIMITS as Record<string, Record<string, Limit>>).flatMap(([benchmark, figures]) =>
  Object.entries(figures).map(([name, limit]) => ({ benchmark, name, limit })),
);
/** What `npm run bench:check` repeats (benchmarks/check.js). */
const GUARDED = ['cli-cold-start', 'engine-up'];
const checkJs = (dir: string) =>
  spawnSync(process.execPath, [path.join(repoRoot(), 'benchmarks', 'check.js'), '--results', dir], {
    encoding: 'utf8',
  });

describe('the regression guard', () => {
  it('judges a median against limit + tolerance, whatever the spread of the runs', () => {
    expect(verdict({ value: 1.04 }, { max: 1, tolerance: 0.05 }).ok).toBe(true);
    expect(verdict({ value: 1.06 }, { max: 1, tolerance: 0.05 }).ok).toBe(false);
    expect(verdict({ value: 40_500 }, { min: 50_000, tolerance: 10_000 }).ok).toBe(true);
    expect(verdict({ value: 39_000 }, { min: 50_000, tolerance: 10_000 }).ok).toBe(false);
    expect(verdict({ value: Number.NaN }, { max: 1, tolerance: 0 }).ok).toBe(false);
  });

  it('holds one whole run on one commit, and the README is that run as the table renders it', () => {
    const results = recorded();
    expect(new Set(results.map((r) => r.run)).size).toBe(1);
    expect(new Set(results.map((r) => r.commit)).size).toBe(1);
    expect(oneRun(results)).toHaveLength(Object.keys(LIMITS).length);
    const all = readdirSync(resultsDir).map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')));
    expect(readFileSync(path.join(repoRoot(), 'benchmarks', 'README.md'), 'utf8')).toBe(renderReadme(all));
  });

  it("quotes the Metrics view's cost in the project's README as the run measured it, end to end", () => {
    const figure = recorded()
      .find((r) => r.benchmark === 'dashboard')
      ?.figures.find((f) => f.name === 'berth serve process CPU while Metrics is open, per model') as Figure;
    const readme = readFileSync(path.join(repoRoot(), 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`uses about ${figure.value} ms of CPU a minute per model, measured end to end`);
  });

  it('refuses a table stitched from two runs', () => {
    const results = recorded();
    const stitched = results.map((r, i) => (i === 0 ? { ...r, run: 'an-older-run', commit: 'abc1234' } : r));
    expect(() => oneRun(stitched)).toThrow(/more than one run/);
  });

  it("declares a limit for every figure of the recorded run that is not a baseline, and bench:check's ratios are within theirs", () => {
    const { failures } = judgeRun(recorded());
    expect(failures.filter((f: string) => /no limit declared|not measured|no results/.test(f))).toEqual([]);
    // Judged against the limits committed before the run: its ratios gate, its absolute figures may only warn.
    expect(judgeRun(recorded(), { benchmarks: GUARDED }).failures).toEqual([]);
  });

  it('gates on same-run ratios: a ratio past its limit fails, an absolute figure past its limit warns', () => {
    const ratio = 'berth up ÷ docker-compose up, same run';
    const absolute = 'berth up, process start to all healthy';
    expect([isRatio(ratio), isRatio(absolute)]).toEqual([true, false]);
    const slower = judgeRun(plant(recorded(), 'engine-up', absolute, 0.5), { benchmarks: GUARDED });
    expect(slower.failures).toEqual([]);
    expect(slower.warnings).toEqual([expect.stringContaining(`engine-up: ${absolute}`)]);
    const worse = judgeRun(plant(recorded(), 'engine-up', ratio, 0.5), { benchmarks: GUARDED });
    expect(worse.failures).toEqual([expect.stringContaining(`engine-up: ${ratio}`)]);
  });

  it.each(limited)(
    'catches a figure planted 20 per cent past its limit in $benchmark: $name (a ratio fails, an absolute figure warns)',
    ({ benchmark, name, limit }) => {
      const results = recorded();
      if (limit.step) {
        // A figure counted in coarse steps (CPU time in 10 ms ticks a minute) cannot show 20% of one tick: it fails at
        // two steps past what was measured, the smallest regression its counter can tell from one tick of noise.
        expect(limit.tolerance).toBeLessThan(2 * limit.step);
        const worse = results.map((r) =>
          r.benchmark !== benchmark
            ? r
            : {
                ...r,
                figures: r.figures.map((f) =>
                  f.name === name ? { ...f, value: f.value + 2 * (limit.step as number) } : f,
                ),
              },
        );
        const caught = judgeRun(worse);
        expect((isRatio(name) ? caught.failures : caught.warnings).join('\n')).toContain(name);
        return;
      }
      // Planted past the limit, so a figure measured at or below zero (a heap V8 shrank during the window) is judged
      // as any other: 20% of nothing would be no regression.
      // Caught once: a ratio as a failure, an absolute figure as a warning; what the run says of every other figure
      // stays as it was.
      const before = judgeRun(results);
      const caught = judgeRun(plant(results, benchmark, name, 0.2));
      const mine = (lines: string[]) => lines.filter((line) => line.startsWith(`${benchmark}: ${name}:`));
      const others = (lines: string[]) => lines.filter((line) => !line.startsWith(`${benchmark}: ${name}:`));
      expect(mine(isRatio(name) ? caught.failures : caught.warnings)).toHaveLength(1);
      expect(mine(isRatio(name) ? caught.warnings : caught.failures)).toEqual([]);
      expect(others(caught.failures)).toEqual(others(before.failures));
    },
  );

  it('bench:check exits 0 on the recorded run and 1 on one with a planted regression, naming the figure', () => {
    const write = (results: Recorded[]) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-check-'));
      for (const r of results.filter((x) => GUARDED.includes(x.benchmark)))
        writeFileSync(path.join(dir, `${r.benchmark}.json`), JSON.stringify(r));
      return dir;
    };
    expect(checkJs(write(recorded())).status).toBe(0);
    const failed = checkJs(
      write(plant(recorded(), 'engine-up', 'berth up ÷ docker-compose up, same run', 0.2) as Recorded[]),
    );
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('engine-up: berth up ÷ docker-compose up, same run');
  });

  it('fails a figure that no limit was declared for, and a declared one a run did not produce', () => {
    const results = recorded().map((r) =>
      r.benchmark === 'log-ingestion'
        ? { ...r, figures: [...r.figures, { name: 'ring buffer held', value: 5000, unit: 'lines' }] }
        : r,
    );
    expect(judgeRun(results).failures).toContain(
      'log-ingestion: ring buffer held: no limit declared in benchmarks/limits.js',
    );
    const dropped = recorded().map((r) => (r.benchmark === 'idle-engine' ? { ...r, figures: r.figures.slice(1) } : r));
    expect(judgeRun(dropped).failures.join('\n')).toMatch(/idle-engine: .*: not measured/);
  });
});
