import type { HostFacts } from '../contracts/host-facts.js';
import type { ModelTuning } from '../contracts/settings.js';
import type { PlanWarning } from '../contracts/stack-plan.js';
import { InputError } from '../contracts/errors.js';
import { kvBytesPerToken, type ModelSpec } from '../catalog/models.js';
import { GiB, formatGiB, formatTokens } from '../units.js';

/** Activations at the profiling batch, CUDA graphs and the CUDA context, beside weights and KV cache. */
export const GPU_RUNTIME_OVERHEAD_BYTES = 3 * GiB;
/** Share of a card all Berth's models together may claim (vLLM's own default for one model). */
export const CARD_BUDGET = 0.9;
/** The reference setup's numbers, used when no card can be seen. */
export const REFERENCE_SHARED_UTILIZATION = 0.45;
export const REFERENCE_GPU_CONTEXT = 16384;
const MIN_GPU_CONTEXT = 4096;

export interface Card {
  index: number;
  memoryBytes: number;
  model: string;
}

export interface GpuModelPlacement {
  service: string;
  gpus: number[];
  gpuMemoryUtilization: number;
  maxModelLen: number;
  /** The model placed before it on the same card: start after it is healthy. */
  waitsFor?: string;
  reasons: string[];
}

export interface GpuPlan {
  placements: GpuModelPlacement[];
  warnings: PlanWarning[];
  /** Every model fits on the cards at its minimum context. */
  fits: boolean;
}

export function nvidiaCards(facts: HostFacts): Card[] {
  return facts.gpus
    .filter((g) => /nvidia/i.test(g.vendor) && g.memoryBytes !== null)
    .map((g) => ({ index: g.index, memoryBytes: g.memoryBytes as number, model: g.model }));
}

function bytesForContext(model: ModelSpec, tokens: number): number {
  return model.weightsBytes + GPU_RUNTIME_OVERHEAD_BYTES + kvBytesPerToken(model) * tokens;
}

function floorTo(value: number, step: number): number {
  return Math.floor(value / step + 1e-9) * step;
}

/** What the card would hold for this model, in the same terms vLLM uses: utilization × total memory. */
function contextAt(model: ModelSpec, utilization: number, card: Card): number {
  const kvBytes = utilization * card.memoryBytes - model.weightsBytes - GPU_RUNTIME_OVERHEAD_BYTES;
  return Math.max(0, Math.min(model.maxModelLen, floorTo(kvBytes / kvBytesPerToken(model), 1024)));
}

/** Cards for models: one card each while there are enough; otherwise the card with the most memory left. */
function placeOnCards(models: readonly ModelSpec[], cards: readonly Card[], tuning: Record<string, ModelTuning>): Map<number, ModelSpec[]> {
  const onCard = new Map<number, ModelSpec[]>(cards.map((c) => [c.index, []]));
  const left = new Map(cards.map((c) => [c.index, c.memoryBytes * CARD_BUDGET]));
  const bySize = [...models].sort((a, b) => b.weightsBytes - a.weightsBytes);
  for (const model of bySize) {
    const pinned = tuning[model.service]?.gpus?.[0];
    let chosen: number | undefined = pinned;
    if (chosen === undefined) {
      const empty = cards.filter((c) => (onCard.get(c.index) ?? []).length === 0).sort((a, b) => b.memoryBytes - a.memoryBytes);
      chosen = empty[0]?.index ?? [...cards].sort((a, b) => (left.get(b.index) ?? 0) - (left.get(a.index) ?? 0))[0]?.index;
    }
    if (chosen === undefined) continue;
    onCard.get(chosen)?.push(model);
    left.set(chosen, (left.get(chosen) ?? 0) - bytesForContext(model, MIN_GPU_CONTEXT));
  }
  return onCard;
}

/**
 * Cards, memory shares and contexts for the GPU models. Shares are of the card's total memory, as vLLM's
 * --gpu-memory-utilization is: first what each model needs at a short context, then at its full context,
 * then the rest split evenly. The largest context that the share's KV cache holds is picked.
 */
export function planGpuModels(models: readonly ModelSpec[], facts: HostFacts, tuning: Record<string, ModelTuning>): GpuPlan {
  const cards = nvidiaCards(facts);
  const warnings: PlanWarning[] = [];
  if (cards.length === 0) return referencePlacement(models, facts, tuning);

  for (const model of models) {
    const wanted = tuning[model.service]?.gpus ?? [];
    const bad = wanted.find((index) => !cards.some((c) => c.index === index));
    if (bad !== undefined) {
      throw new InputError(`tuning.${model.service}.gpus`, `there is no NVIDIA GPU ${bad}; allowed: ${cards.map((c) => c.index).join(', ')}`);
    }
  }

  const onCard = placeOnCards(models, cards, tuning);
  const placements: GpuModelPlacement[] = [];
  let fits = true;
  for (const card of cards) {
    const group = (onCard.get(card.index) ?? []).sort((a, b) => models.indexOf(a) - models.indexOf(b));
    if (group.length === 0) continue;
    const minShare = (m: ModelSpec) => bytesForContext(m, Math.min(m.maxModelLen, MIN_GPU_CONTEXT)) / card.memoryBytes;
    const fullShare = (m: ModelSpec) => bytesForContext(m, m.maxModelLen) / card.memoryBytes;
    const tuned = (m: ModelSpec) => tuning[m.service]?.gpuMemoryUtilization;
    const needMin = group.reduce((s, m) => s + (tuned(m) ?? minShare(m)), 0);
    const needFull = group.reduce((s, m) => s + (tuned(m) ?? fullShare(m)), 0);
    const tunedSum = group.reduce((s, m) => s + (tuned(m) ?? 0), 0);
    if (tunedSum > 0.95) {
      throw new InputError(`tuning.${group[0]?.service}.gpuMemoryUtilization`, `the models on GPU ${card.index} would claim ${tunedSum.toFixed(2)} of it; allowed: shares that add up to 0.95 at most`);
    }

    const untuned = group.filter((m) => tuned(m) === undefined);
    if (untuned.length > 0 && 0.95 - tunedSum < 0.05 * untuned.length) {
      const first = group.find((m) => tuned(m) !== undefined);
      throw new InputError(
        `tuning.${first?.service}.gpuMemoryUtilization`,
        `leaves GPU ${card.index} no room for ${untuned.map((m) => m.service).join(' and ')}; allowed: shares that leave at least 0.05 per other model`,
      );
    }
    const shares = new Map<string, number>();
    if (needMin > CARD_BUDGET) {
      fits = false;
      const each = floorTo(Math.max(CARD_BUDGET - tunedSum, 0.05 * untuned.length) / Math.max(1, untuned.length), 0.01);
      for (const m of group) shares.set(m.service, tuned(m) ?? each);
      const biggest = [...group].sort((a, b) => b.weightsBytes - a.weightsBytes)[0];
      warnings.push({
        code: 'insufficient-gpu-memory',
        message: `GPU ${card.index} (${card.model}, ${formatGiB(card.memoryBytes)}) cannot hold ${group.map((m) => m.service).join(' and ')}: they need ${formatGiB(needMin * card.memoryBytes)} at a ${formatTokens(MIN_GPU_CONTEXT)} context, ${formatGiB(CARD_BUDGET * card.memoryBytes)} is usable: ${group.length > 1 && biggest ? `turn off ${biggest.service}, or ` : ''}use a card with at least ${Math.ceil((needMin * card.memoryBytes) / CARD_BUDGET / GiB)} GiB.`,
      });
    } else {
      const level = needFull <= CARD_BUDGET ? fullShare : minShare;
      const spare = CARD_BUDGET - group.reduce((s, m) => s + (tuned(m) ?? level(m)), 0);
      for (const m of group) shares.set(m.service, tuned(m) ?? floorTo(level(m) + spare / untuned.length, 0.01));
    }

    group.forEach((model, position) => {
      const share = shares.get(model.service) ?? CARD_BUDGET;
      const fixed = tuning[model.service]?.maxModelLen;
      const maxModelLen = fixed ?? Math.max(Math.min(model.maxModelLen, 256), contextAt(model, share, card));
      const kvBytes = share * card.memoryBytes - model.weightsBytes - GPU_RUNTIME_OVERHEAD_BYTES;
      if (kvBytes < kvBytesPerToken(model) * maxModelLen) {
        fits = false;
        warnings.push({
          code: 'context-too-long',
          message: `${model.service}: a ${formatTokens(maxModelLen)}-token request does not fit the ${formatGiB(Math.max(0, kvBytes))} of KV cache left in its ${share.toFixed(2)} share of GPU ${card.index}: raise tuning.${model.service}.gpuMemoryUtilization, shorten maxModelLen, or turn another model off.`,
        });
      }
      const previous = position > 0 ? group[position - 1] : undefined;
      const reasons = [
        group.length > 1
          ? `GPU ${card.index} (${card.model}, ${formatGiB(card.memoryBytes)}) shared by ${group.length} models`
          : `GPU ${card.index} (${card.model}, ${formatGiB(card.memoryBytes)}) to itself${cards.length > 1 ? ': there is a card for each model' : ''}`,
        tuned(model) !== undefined
          ? `GPU share ${share.toFixed(2)}: set in settings`
          : `GPU share ${share.toFixed(2)} of the card's total memory: ${formatGiB(model.weightsBytes)} weights + ${formatGiB(GPU_RUNTIME_OVERHEAD_BYTES)} activations and CUDA graphs + KV cache${group.length > 1 ? `; the models on this card claim ${CARD_BUDGET} together` : ''}`,
        fixed !== undefined
          ? `context ${formatTokens(maxModelLen)} tokens: set in settings`
          : `context ${formatTokens(maxModelLen)} tokens: ${maxModelLen === model.maxModelLen ? "the model's limit, which" : 'the longest request that'} fits in the ${formatGiB(Math.max(0, kvBytes))} of KV cache left at this share (the reference setup found 16k by trial and error)`,
      ];
      if (previous) reasons.push(`starts after ${previous.service} is healthy: vLLM refuses to start while the card's free memory is below its share, and two models loading at once spike past it`);
      placements.push({ service: model.service, gpus: [card.index], gpuMemoryUtilization: share, maxModelLen, waitsFor: previous?.service, reasons });
    });
  }
  placements.sort((a, b) => models.findIndex((m) => m.service === a.service) - models.findIndex((m) => m.service === b.service));
  return { placements, warnings, fits };
}

/** No card to size against: the reference setup's proven numbers, on one shared card. */
function referencePlacement(models: readonly ModelSpec[], facts: HostFacts, tuning: Record<string, ModelTuning>): GpuPlan {
  const tunedSum = models.reduce((s, m) => s + (tuning[m.service]?.gpuMemoryUtilization ?? 0), 0);
  const untuned = models.filter((m) => tuning[m.service]?.gpuMemoryUtilization === undefined).length;
  if (tunedSum > 0.95 || (untuned > 0 && 0.95 - tunedSum < 0.05 * untuned)) {
    const first = models.find((m) => tuning[m.service]?.gpuMemoryUtilization !== undefined);
    throw new InputError(`tuning.${first?.service}.gpuMemoryUtilization`, 'the models on GPU 0 would claim more than 0.95 of it; allowed: shares that add up to 0.95 at most, with 0.05 or more per other model');
  }
  const share =
    untuned === 0
      ? CARD_BUDGET
      : models.length > 1
        ? Math.min(REFERENCE_SHARED_UTILIZATION, floorTo(Math.max(CARD_BUDGET - tunedSum, 0.05 * untuned) / untuned, 0.01))
        : CARD_BUDGET;
  const placements = models.map((model, position): GpuModelPlacement => {
    const previous = position > 0 ? models[position - 1] : undefined;
    const maxModelLen = tuning[model.service]?.maxModelLen ?? Math.min(model.maxModelLen, REFERENCE_GPU_CONTEXT);
    return {
      service: model.service,
      gpus: tuning[model.service]?.gpus ?? [0],
      gpuMemoryUtilization: tuning[model.service]?.gpuMemoryUtilization ?? share,
      maxModelLen,
      waitsFor: previous?.service,
      reasons: [
        `no NVIDIA GPU was detected here, so the reference setup's numbers are used: GPU 0, share ${share}, ${formatTokens(maxModelLen)} context; plan on the GPU host (or with --facts from it) to size them to its cards`,
        ...(previous ? [`starts after ${previous.service} is healthy, so the two never load onto the card at once`] : []),
      ],
    };
  });
  const where = facts.os.platform === 'darwin' ? 'Docker on macOS cannot reach a GPU' : 'no NVIDIA GPU was detected';
  return {
    placements,
    fits: false,
    warnings: models.length
      ? [{ code: 'no-gpu', message: `${where}: the production profile needs a Linux host with NVIDIA GPUs. Run it there (export it with berth export compose --facts FILE), and point this machine's Open WebUI at it with LITELLM_URL.` }]
      : [],
  };
}
