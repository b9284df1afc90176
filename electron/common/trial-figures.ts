import type { Trial, TrialFigures } from './contracts/upgrade.js';
import { formatBytes } from './units.js';

/** Each figure a trial compares, as people read it; undefined where it was not measured. */
const FIGURES: [string, (f: TrialFigures) => string | undefined][] = [
  ['start to first answer', (f) => (f.startSeconds === undefined ? undefined : `${f.startSeconds.toFixed(1)} s`)],
  ['memory peak', (f) => (f.peakBytes === undefined ? undefined : formatBytes(f.peakBytes))],
  ['KV cache tokens', (f) => f.kvTokens?.toLocaleString('en-US')],
  ['time to first token', (f) => (f.ttftSeconds === undefined ? undefined : `${Math.round(f.ttftSeconds * 1000)} ms`)],
  ['tokens/s', (f) => f.tokensPerSecond?.toFixed(1)],
  ['checks passed', (f) => (f.checks ? String(f.checks.length) : undefined)],
];

/** The questions asked at temperature 0: how many, and how many the candidate answered the same. */
function answersRow({ before, after }: Trial): [string, string | undefined, string | undefined][] {
  if (!before?.answers || !after?.answers) return [];
  const same = after.answers.filter((a, i) => a === before.answers?.[i]).length;
  return [['answers', `${before.answers.length} asked`, `${same} of ${after.answers.length} the same`]];
}

/**
 * A trial's before and after, figure by figure (the figure, the running image's, the candidate's), leaving out what
 * neither measured: the table `berth upgrade` prints and the window's Updates view shows.
 */
export function trialRows(trial: Trial): [string, string | undefined, string | undefined][] {
  return FIGURES.map(([name, show]): [string, string | undefined, string | undefined] => [
    name,
    trial.before && show(trial.before),
    trial.after && show(trial.after),
  ])
    .concat(answersRow(trial))
    .filter(([, before, after]) => before !== undefined || after !== undefined);
}
