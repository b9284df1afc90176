import type { Measurement, VllmFigures } from '../contracts/measurement.js';
import { formatGiB, formatTokens } from '../units.js';

/** What the plan and vLLM's own figures say of a model, in words: its fit, the plan beside what was measured. */

export interface FitWords {
  verdict: 'fits' | 'shorter' | 'no';
  words: string;
}

/**
 * Whether a model fits, in vLLM's terms: "fits: 32k context, 4 requests at once" where the cache holds two or more
 * requests of the planned context, "fits 9k context" where it holds one, "does not fit: needs 7.1 GiB, the engine has
 * 6" where it cannot start. The what-if view says the same words.
 */
export function fitWords(args: {
  expected: VllmFigures;
  maxModelLen: number;
  modelLimit: number;
  /** The model's memory limit. */
  needsBytes?: number;
  /** What the engine has for this model beside the other services and the other models. */
  hasBytes?: number;
  /** What the engine has for this model beside the other services alone. */
  aloneBytes?: number;
}): FitWords {
  const { expected, maxModelLen, modelLimit, needsBytes, hasBytes, aloneBytes } = args;
  const gib = (bytes: number) => formatGiB(Math.max(0, bytes)).replace(/ GiB$/, '');
  if (needsBytes !== undefined && aloneBytes !== undefined && needsBytes > aloneBytes) {
    return { verdict: 'no', words: `does not fit: needs ${formatGiB(needsBytes)}, the engine has ${gib(aloneBytes)}` };
  }
  if (needsBytes !== undefined && hasBytes !== undefined && needsBytes > hasBytes) {
    return {
      verdict: 'no',
      words: `does not fit beside the other models: needs ${formatGiB(needsBytes)}, they leave ${gib(hasBytes)}`,
    };
  }
  const concurrency = expected.maxConcurrency ?? 0;
  if (concurrency < 1)
    return {
      verdict: 'no',
      words:
        `does not fit: a ${formatTokens(maxModelLen)} request needs more KV cache than the ` +
        `${formatGiB(expected.kvBytes ?? 0)} there is`,
    };
  const verdict = maxModelLen < modelLimit ? 'shorter' : 'fits';
  if (concurrency < 2) return { verdict, words: `fits ${formatTokens(maxModelLen)} context` };
  return { verdict, words: `fits: ${formatTokens(maxModelLen)} context, ${Math.floor(concurrency)} requests at once` };
}

/**
 * "planned 4 GiB KV → vLLM holds 36,864 tokens: 4 requests of 9k" — the plan and what vLLM reported, side by side.
 */
export function plannedBesideMeasured(
  expected: VllmFigures,
  measured: VllmFigures | undefined,
  maxModelLen: number,
): string {
  const requestsOf = (count: number) => {
    const n = Math.floor(count);
    return `${n} request${n === 1 ? '' : 's'} of ${formatTokens(maxModelLen)}`;
  };
  const planned = `planned ${formatGiB(expected.kvBytes ?? 0)} KV`;
  const held = measured?.kvTokens;
  // What vLLM held counts in requests of the context planned now, where its cache was the one planned now.
  if (held !== undefined && (measured?.kvBytes === undefined || measured.kvBytes === expected.kvBytes))
    return `${planned} → vLLM holds ${held.toLocaleString('en-US')} tokens: ${requestsOf(held / maxModelLen)}`;
  const expectedLine =
    `${planned} → vLLM should hold ${(expected.kvTokens ?? 0).toLocaleString('en-US')} tokens: ` +
    requestsOf(expected.maxConcurrency ?? 0);
  if (held === undefined) return expectedLine;
  // The plan gives another cache than the start had: what it should hold, then what the start held in its own.
  return `${expectedLine}; its last start held ${held.toLocaleString('en-US')} in ${formatGiB(measured?.kvBytes ?? 0)}`;
}

/** One line for what a start measured, beside its plan, as the CLI prints it and the tray notifies it. */
export function describeMeasurement(m: Measurement): string {
  const parts: string[] = [];
  if (m.measured.oomKilled)
    return (
      `${m.service} was killed at its ${formatGiB(m.measured.limitBytes ?? 0)} memory limit: the next plan ` +
      'raises it'
    );
  if (m.measured.weightsBytes !== undefined)
    parts.push(`weights ${formatGiB(m.measured.weightsBytes)} (planned ${formatGiB(m.planned.weightsBytes ?? 0)})`);
  if (m.measured.peakBytes !== undefined)
    parts.push(`peak ${formatGiB(m.measured.peakBytes)} of a ${formatGiB(m.planned.peakBytes ?? 0)} limit`);
  if (m.measured.kvTokens !== undefined)
    parts.push(
      `KV cache ${m.measured.kvTokens.toLocaleString('en-US')} tokens ` +
        `(planned ${(m.planned.kvTokens ?? 0).toLocaleString('en-US')})`,
    );
  return `${m.service} measured: ${parts.join(', ') || 'no figures in its log'}`;
}
