import type { ModelSpec } from '../catalog/models.js';
import { OVER_PLAN_RATIO, type Measurement, type VllmFigures } from '../contracts/measurement.js';
import type { PlanWarning } from '../contracts/stack-plan.js';
import { GiB, MiB, formatGiB, formatTokens } from '../units.js';
import { CPU_PROCESSES_FLOOR_BYTES, CPU_RUNTIME_OVERHEAD_BYTES, cpuRuntimeBytes } from './cpu-memory.js';
import { kvBytesAt, overheadInShare, type Card } from './gpu-memory.js';
import { cpuLayout, gpuLayout, kvPool } from './kv-cache.js';

/** "3 December 2026": when a measurement was taken, as a reason says it. */
function day(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : date.toISOString().slice(0, 10);
}

const roundUp = (bytes: number, step: number) => Math.ceil(bytes / step) * step;

/**
 * The model as the next plan sizes it, given what an earlier start of the same image on the same engine measured:
 * vLLM's own weights ("Model loading took"), the CPU server's runtime beside weights and KV (its peak less both, with
 * 15% for requests larger than the warm-up's, never less than vLLM's three processes), a GPU share's activations and
 * CUDA graphs (the share less weights and
 * "Available KV cache memory"). A server killed at its limit gets its runtime raised by a quarter of the limit, a GiB
 * at least.
 */
export function withMeasurement(model: ModelSpec, m: Measurement | undefined): ModelSpec {
  if (!m) return model;
  const weightsBytes =
    m.measured.weightsBytes && m.measured.weightsBytes > 0 ? m.measured.weightsBytes : model.weightsBytes;
  const when = day(m.at);
  if (model.device === 'cpu') {
    const planned = m.planned.overheadBytes ?? CPU_RUNTIME_OVERHEAD_BYTES;
    if (m.measured.oomKilled) {
      const limit = m.measured.limitBytes ?? m.planned.peakBytes ?? 0;
      const runtimeBytes = roundUp(planned + Math.max(GiB, limit / 4), 128 * MiB);
      return {
        ...model,
        weightsBytes,
        measured: {
          at: m.at,
          runtimeBytes,
          why:
            `killed at its ${formatGiB(limit)} limit on ${when}, so its runtime is raised by ` +
            formatGiB(runtimeBytes - planned),
        },
      };
    }
    const kv = m.measured.kvBytes ?? m.planned.kvBytes ?? 0;
    if (m.measured.peakBytes === undefined)
      return { ...model, weightsBytes, measured: { at: m.at, why: `weights measured on ${when}` } };
    const runtimeBytes = roundUp(
      Math.max(CPU_PROCESSES_FLOOR_BYTES, (m.measured.peakBytes - weightsBytes - kv) * 1.15),
      128 * MiB,
    );
    // A start that stayed within its limit and lands within 10% of the runtime it was planned with keeps that figure,
    // so the limit (and with it the container) does not move by a rounding on every start.
    const held =
      m.planned.overheadBytes !== undefined &&
      m.measured.peakBytes <= (m.planned.peakBytes ?? Infinity) &&
      Math.abs(runtimeBytes - m.planned.overheadBytes) <= m.planned.overheadBytes * 0.1;
    if (held)
      return {
        ...model,
        weightsBytes,
        measured: {
          at: m.at,
          runtimeBytes: m.planned.overheadBytes,
          why: `measured on ${when}: a ${formatGiB(m.measured.peakBytes)} peak, within 10% of the plan, which it keeps`,
        },
      };
    return {
      ...model,
      weightsBytes,
      measured: {
        at: m.at,
        runtimeBytes,
        why: `measured on ${when}: a ${formatGiB(m.measured.peakBytes)} peak less weights and KV cache, and 15% more`,
      },
    };
  }
  const overhead = m.measured.overheadBytes;
  return {
    ...model,
    weightsBytes,
    measured: {
      at: m.at,
      ...(overhead !== undefined ? { overheadInShareBytes: roundUp(overhead * 1.1, 64 * MiB) } : {}),
      why: `measured on ${when}`,
    },
  };
}

/** What the plan expects a CPU server to report: its KV cache as vLLM pages it, and its runtime. */
export function expectedCpu(
  model: ModelSpec,
  kvCacheGiB: number,
  maxModelLen: number,
  memoryBytes: number,
  dtypeBytes = 2,
): VllmFigures {
  const kvBytes = kvCacheGiB * GiB;
  const pool = kvPool(model, kvBytes, maxModelLen, cpuLayout(dtypeBytes));
  return {
    weightsBytes: model.weightsBytes,
    kvBytes,
    kvTokens: pool.tokens,
    maxConcurrency: Math.floor(pool.concurrency * 100) / 100,
    overheadBytes: cpuRuntimeBytes(model),
    peakBytes: memoryBytes,
    blockTokens: cpuLayout(dtypeBytes).blockTokens,
  };
}

/** What the plan expects a GPU server to report at its share: "Available KV cache memory" and what it holds. */
export function expectedGpu(model: ModelSpec, share: number, card: Card | undefined, maxModelLen: number): VllmFigures {
  const kvBytes = card ? Math.max(0, kvBytesAt(model, share, card)) : 0;
  const pool = kvPool(model, kvBytes, maxModelLen, gpuLayout(card));
  return {
    weightsBytes: model.weightsBytes,
    kvBytes,
    kvTokens: pool.tokens,
    maxConcurrency: Math.floor(pool.concurrency * 100) / 100,
    overheadBytes: overheadInShare(card, model),
    blockTokens: gpuLayout(card).blockTokens,
  };
}

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
  const source = measured?.kvTokens !== undefined ? measured : expected;
  const tokens = source.kvTokens ?? 0;
  const requests = Math.floor(source.maxConcurrency ?? 0);
  const who = measured?.kvTokens !== undefined ? 'vLLM holds' : 'vLLM should hold';
  return (
    `planned ${formatGiB(expected.kvBytes ?? 0)} KV → ${who} ${tokens.toLocaleString('en-US')} tokens: ${requests}` +
    ` request${requests === 1 ? '' : 's'} of ${formatTokens(maxModelLen)}`
  );
}

/** A measured start that went past what its plan expected by more than 10%: the plan was wrong for this machine. */
export function overPlanWarning(service: string, m: Measurement | undefined): PlanWarning | undefined {
  if (!m) return undefined;
  const over = (measured?: number, planned?: number) =>
    measured !== undefined && planned !== undefined && planned > 0 && measured > planned * OVER_PLAN_RATIO;
  const when = day(m.at);
  if (m.measured.oomKilled) {
    return {
      code: 'measured-above-plan',
      service,
      message:
        `${service} was killed for running out of memory at its ` +
        `${formatGiB(m.measured.limitBytes ?? m.planned.peakBytes ?? 0)} limit on ${when}: this plan raises its ` +
        'limit (turn another model off if the engine has no room).',
    };
  }
  const parts: string[] = [];
  if (over(m.measured.peakBytes, m.planned.peakBytes))
    parts.push(`peak ${formatGiB(m.measured.peakBytes ?? 0)} against ${formatGiB(m.planned.peakBytes ?? 0)} planned`);
  if (over(m.measured.weightsBytes, m.planned.weightsBytes))
    parts.push(
      `weights ${formatGiB(m.measured.weightsBytes ?? 0)} against ${formatGiB(m.planned.weightsBytes ?? 0)} planned`,
    );
  if (over(m.measured.overheadBytes, m.planned.overheadBytes))
    parts.push(
      `overhead ${formatGiB(m.measured.overheadBytes ?? 0)} against ${formatGiB(m.planned.overheadBytes ?? 0)} planned`,
    );
  if (!parts.length) return undefined;
  return {
    code: 'measured-above-plan',
    service,
    message:
      `${service} measured more than its plan on ${when} (${parts.join(', ')}): this plan uses the measured ` +
      'figures.',
  };
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
