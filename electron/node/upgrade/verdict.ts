import { imageTag } from '../../common/catalog/images.js';
import type { TrialFigures } from '../../common/contracts/upgrade.js';

/**
 * What a trial decides: the candidate is kept only when no figure is worse than the running image's by more than the
 * margin, no answer differs and no check that passed before fails. Below these floors a difference is what two starts
 * of one image differ by, not a regression: a second of start, 50 ms to a first token, 64 MiB of a peak.
 */
const FLOORS = { startSeconds: 1, ttftSeconds: 0.05, peakBytes: 64 * 1024 ** 2 } as const;
const GiB = 1024 ** 3;

export interface Verdict {
  keep: boolean;
  /** Each way the candidate was worse, as words. */
  worse: string[];
  reason: string;
}

/** An image as people name it: its tag, or its whole reference where the two images share a tag. */
export function imageLabels(from: string, to: string): { from: string; to: string } {
  const [a, b] = [imageTag(from), imageTag(to)];
  return a === b ? { from, to } : { from: a, to: b };
}

const gib = (bytes: number) => `${(Math.round((bytes / GiB) * 100) / 100).toString()} GiB`;
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** Where both figures are known: the words when `after` is worse than `before` past the margin (and the floor). */
function higherIsWorse(before?: number, after?: number, margin = 0, floor = 0): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  return after > before * (1 + margin) && after - before > floor ? after - before : undefined;
}

function lowerIsWorse(before?: number, after?: number, margin = 0): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  return after < before * (1 - margin) ? before - after : undefined;
}

function figureWords(before: TrialFigures, after: TrialFigures, margin: number): string[] {
  const worse: string[] = [];
  const start = higherIsWorse(before.startSeconds, after.startSeconds, margin, FLOORS.startSeconds);
  if (start !== undefined) worse.push(`took ${round(start, 1)} s longer to answer its first chat`);
  const peak = higherIsWorse(before.peakBytes, after.peakBytes, margin, FLOORS.peakBytes);
  if (peak !== undefined) worse.push(`used ${gib(peak)} more at its peak`);
  const kv = lowerIsWorse(before.kvTokens, after.kvTokens, margin);
  if (kv !== undefined) worse.push(`held ${kv.toLocaleString('en-US')} fewer KV cache tokens`);
  const ttft = higherIsWorse(before.ttftSeconds, after.ttftSeconds, margin, FLOORS.ttftSeconds);
  if (ttft !== undefined) worse.push(`took ${Math.round(ttft * 1000)} ms longer to its first token`);
  const rate = lowerIsWorse(before.tokensPerSecond, after.tokensPerSecond, margin);
  if (rate !== undefined && before.tokensPerSecond && after.tokensPerSecond)
    worse.push(
      `decoded ${Math.round((rate / before.tokensPerSecond) * 100)}% slower ` +
        `(${round(after.tokensPerSecond, 1)} tokens/s against ${round(before.tokensPerSecond, 1)})`,
    );
  return worse;
}

function answerWords(before: TrialFigures, after: TrialFigures): string[] {
  if (!before.answers || !after.answers) return [];
  const asked = Math.min(before.answers.length, after.answers.length);
  let differing = 0;
  for (let i = 0; i < asked; i++) if (before.answers[i] !== after.answers[i]) differing += 1;
  return differing ? [`answered ${differing} of ${asked} questions differently`] : [];
}

function checkWords(before: TrialFigures, after: TrialFigures): string[] {
  const failed = (before.checks ?? []).filter((c) => !(after.checks ?? []).includes(c));
  return failed.length ? [`failed what the running image passed: ${failed.join('; ')}`] : [];
}

function joined(words: readonly string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}

/** The decision on a candidate's figures against the running image's, with its reason in one sentence. */
export function judge(before: TrialFigures, after: TrialFigures, margin: number): Verdict {
  const labels = imageLabels(before.image, after.image);
  const worse = [...figureWords(before, after, margin), ...answerWords(before, after), ...checkWords(before, after)];
  if (worse.length) return { keep: false, worse, reason: `${labels.to} ${joined(worse)}: kept ${labels.from}` };
  return {
    keep: true,
    worse,
    reason:
      `${labels.to} was no worse than ${labels.from} by more than ${Math.round(margin * 100)}%: ` + `kept ${labels.to}`,
  };
}
