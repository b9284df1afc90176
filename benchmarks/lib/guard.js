// The regression guard: every figure of a benchmark run judged against the limit and tolerance declared for it in
// benchmarks/limits.js, committed before the run. A same-run ratio (two timings taken side by side, named with "÷")
// fails when its median is past its limit by more than its tolerance, however noisy the run was; an absolute figure
// past its limit is a warning, since this shared machine moves a timing by up to two thirds between runs of the same
// code while the ratios hold. A declared figure that a run did not produce fails too. Pure functions, so a test can
// plant a regression in recorded results and see the guard catch it.
import { LIMITS } from '../limits.js';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A same-run ratio: the machine's speed moves both of its timings together, so it is what gates a run. */
export function isRatio(name) {
  return name.includes('÷');
}

/** The declared limit of one figure, or undefined for a baseline (measured beside a figure, judged by none). */
export function limitOf(benchmark, name, limits = LIMITS) {
  return limits[benchmark]?.[name];
}

/** "≤ 300 ms (+15)": a limit as the table shows it. */
export function limitText(limit, unit = '') {
  if (!limit) return 'baseline';
  const bound = limit.max !== undefined ? `≤ ${limit.max}` : `≥ ${limit.min}`;
  return `${bound}${unit ? ` ${unit}` : ''} (± ${limit.tolerance})`;
}

/** { ok, value, limit } for one figure: its median against its limit, widened only by the declared tolerance. */
export function verdict(figure, limit) {
  const value = figure.value;
  if (!Number.isFinite(value)) return { ok: false, value, why: 'no value' };
  if (limit.max !== undefined)
    return { ok: value <= limit.max + limit.tolerance, value, why: `${value} > ${limit.max} + ${limit.tolerance}` };
  return { ok: value >= limit.min - limit.tolerance, value, why: `${value} < ${limit.min} − ${limit.tolerance}` };
}

/**
 * Judges a run: results (one object per benchmark, as the scripts write them) against the limits of the
 * benchmarks listed (all of LIMITS by default). Returns one line per figure, the failures (a ratio past its limit, a
 * figure missing or undeclared) and the warnings (an absolute figure past its limit).
 */
export function judgeRun(results, { benchmarks = Object.keys(LIMITS), limits = LIMITS } = {}) {
  const lines = [];
  const failures = [];
  const warnings = [];
  for (const benchmark of benchmarks) {
    const result = results.find((r) => r.benchmark === benchmark);
    if (!result) {
      failures.push(`${benchmark}: no results (the benchmark did not finish)`);
      continue;
    }
    for (const [name, limit] of Object.entries(limits[benchmark] ?? {})) {
      const figure = result.figures.find((f) => f.name === name);
      if (!figure) {
        failures.push(`${benchmark}: ${name}: not measured`);
        continue;
      }
      const v = verdict(figure, limit);
      const gates = isRatio(name) || !Number.isFinite(figure.value);
      lines.push(
        `${v.ok ? 'ok  ' : gates ? 'FAIL' : 'warn'} ${`${benchmark}: ${name}`.padEnd(72)} ${String(figure.value).padStart(9)} ${figure.unit.padEnd(7)} limit ${limitText(limit)}`,
      );
      if (!v.ok) (gates ? failures : warnings).push(`${benchmark}: ${name}: ${v.why} ${figure.unit}`);
    }
    for (const figure of result.figures) {
      if (!limits[benchmark]?.[figure.name] && !figure.baseline)
        failures.push(`${benchmark}: ${figure.name}: no limit declared in benchmarks/limits.js`);
    }
  }
  return { lines, failures, warnings };
}

/**
 * The same results with one figure `fraction` past its declared limit in the direction the limit guards (a planted
 * regression). Past the limit, not past the run's own figure: a run faster than the reference run would hide a
 * regression planted on its figures inside the limit, and the guard judges against the limit.
 */
export function plant(results, benchmark, name, fraction, limits = LIMITS) {
  const limit = limits[benchmark][name];
  return results.map((r) =>
    r.benchmark !== benchmark
      ? r
      : {
          ...r,
          figures: r.figures.map((f) =>
            f.name !== name
              ? f
              : { ...f, value: limit.max !== undefined ? limit.max * (1 + fraction) : limit.min * (1 - fraction) },
          ),
        },
  );
}
