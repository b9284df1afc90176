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
  const sized = sizedByMeasurement(model, m);
  const kv = measuredKvScale(model, m);
  if (!kv || !sized.measured) return sized;
  return {
    ...sized,
    measured: {
      ...sized.measured,
      kvScale: kv.scale,
      why:
        `${sized.measured.why}; vLLM held ${kv.tokens.toLocaleString('en-US')} tokens in its KV cache, ` +
        `${Math.round(100 / kv.scale)}% of the ${kv.arithmetic.toLocaleString('en-US')} its config.json gives, so ` +
        'contexts follow what it held',
    },
  };
}

/**
 * What a start says of the KV cache's cost per token against config.json's arithmetic: the tokens vLLM held ("KV cache
 * size: N tokens") in the cache it was given, against the arithmetic's whole blocks of that cache. Undefined unless
 * it held fewer, by more than 2% (a plan is not remade for a rounding), and for models with a sliding window, whose
 * token count vLLM reports per group.
 */
export function measuredKvScale(
  model: ModelSpec,
  m: Measurement,
): { scale: number; tokens: number; arithmetic: number } | undefined {
  const tokens = m.measured.kvTokens;
  const bytes = m.measured.kvBytes ?? m.planned.kvBytes;
  if (!tokens || !bytes || model.slidingWindow) return undefined;
  const layout = model.device === 'cpu' ? cpuLayout() : gpuLayout(undefined);
  const blockTokens = m.measured.blockTokens ?? layout.blockTokens;
  const arithmetic = kvPool(model, bytes, model.maxModelLen, { ...layout, blockTokens }).blocks * blockTokens;
  if (arithmetic <= 0 || tokens >= arithmetic * 0.98) return undefined;
  return { scale: arithmetic / tokens, tokens, arithmetic };
}

/** The model's weights and runtime as the start measured them (withMeasurement's first half). */
function sizedByMeasurement(model: ModelSpec, m: Measurement): ModelSpec {
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

/** Whether a start's cache held less than one request of the context it was started with. */
export function heldLessThanOneRequest(measured: VllmFigures): boolean {
  const { kvTokens, maxModelLen, maxConcurrency } = measured;
  return (
    (maxConcurrency !== undefined && maxConcurrency < 1) ||
    (kvTokens !== undefined && maxModelLen !== undefined && kvTokens < maxModelLen)
  );
}

/**
 * A start whose KV cache held less than one request of its context: said at once, beside the context this plan gives
 * instead (which fits what vLLM held, ModelSpec.measured.kvScale).
 */
export function kvShortWarning(service: string, m: Measurement | undefined, context: number): PlanWarning | undefined {
  if (!m || !heldLessThanOneRequest(m.measured)) return undefined;
  const held = m.measured.kvTokens;
  const length = m.measured.maxModelLen;
  const what = held === undefined ? 'less than one request' : `${held.toLocaleString('en-US')} tokens`;
  return {
    code: 'measured-kv-short',
    service,
    message:
      `${service}'s KV cache held ${what}${length ? `, less than one ${formatTokens(length)} request,` : ''} when ` +
      `it started on ${day(m.at)}: this plan gives it ${formatTokens(context)} of context, what vLLM's figures hold.`,
  };
}
