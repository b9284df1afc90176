// The regression guard's verdict on one figure: a ratio measured side by side in one run, against its limit.
// The spread of the run's own per-run ratios is the machine's noise: a figure fails only when even its best
// reading within that spread is over the limit.

/** Half the range of the per-run ratios: how far one run's reading wanders on this machine. */
export function noise(runs) {
  if (!runs?.length) return 0;
  return (Math.max(...runs) - Math.min(...runs)) / 2;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** { name, value, limit: { max?, min? }, runs } → { ok, value, noise, limit, margin } */
export function verdict(figure) {
  const spread = noise(figure.runs);
  const value = figure.runs?.length ? median(figure.runs) : figure.value;
  if (figure.limit.max !== undefined) {
    return { name: figure.name, ok: value - spread <= figure.limit.max, value, noise: spread, limit: `≤ ${figure.limit.max}` };
  }
  return { name: figure.name, ok: value + spread >= figure.limit.min, value, noise: spread, limit: `≥ ${figure.limit.min}` };
}

/** The guarded figures of a set of results: every same-run ratio that has a limit. */
export function guardedFigures(results) {
  const out = [];
  for (const r of results) {
    for (const f of r.figures ?? []) if (f.sameRunRatios && f.limit) out.push({ name: `${r.benchmark}: ${f.name}`, value: f.value, limit: f.limit, runs: f.sameRunRatios });
    for (const f of r.results ?? []) if (f.sameRunRatios && f.ratioLimit) out.push({ name: `${r.benchmark}: ${f.name} ÷ node -e 0`, value: f.ratioToNode, limit: { max: f.ratioLimit }, runs: f.sameRunRatios });
  }
  return out;
}
