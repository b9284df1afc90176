import type { HostFacts } from '../contracts/host-facts.js';
import type { ModelTuning } from '../contracts/settings.js';
import { about, type PlanWarning, type Reason } from '../contracts/stack-plan.js';
import { InputError } from '../contracts/errors.js';
import type { ModelSpec } from '../catalog/models.js';
import { gpuLayout, kvBytesForRequest } from './kv-cache.js';
import { gpuReasons, gpuWarnings } from './gpu-words.js';
import { leftOutWarning, placeOnCards, shortContext, type Tuned } from './gpu-placement.js';
import {
  GPU_OUTSIDE_SHARE_BYTES,
  MAX_TUNED_SHARE,
  cardBudget,
  cardNeededGiB,
  contextAt,
  kvBytesAt,
  nvidiaCards,
  overheadInShare,
  roundShare,
  shareFor,
  type Card,
} from './gpu-memory.js';

export { nvidiaCards } from './gpu-memory.js';

/** The reference setup's numbers, used when no card can be seen. */
export const REFERENCE_SHARED_UTILIZATION = 0.45;
export const REFERENCE_GPU_CONTEXT = 16384;

export interface GpuModelPlacement {
  service: string;
  gpus: number[];
  gpuMemoryUtilization: number;
  maxModelLen: number;
  /** The model placed before it on the same card: start after it is healthy. */
  waitsFor?: string;
  reasons: Reason[];
}

export interface GpuPlan {
  placements: GpuModelPlacement[];
  warnings: PlanWarning[];
  /** Models no card has room for: not planned, and a warning says why. */
  leftOut: string[];
  /** At least one model is placed and every placed one can start. */
  fits: boolean;
}

function checkTunedShares(card: Card, group: readonly ModelSpec[], tuned: Tuned): number {
  const tunedSum = group.reduce((s, m) => s + (tuned(m) ?? 0), 0);
  if (tunedSum > MAX_TUNED_SHARE + 1e-9) {
    throw new InputError(
      `tuning.${group.find((m) => tuned(m) !== undefined)?.service}.gpuMemoryUtilization`,
      `the models on GPU ${card.index} would claim ${tunedSum.toFixed(2)} of it; allowed: shares that add up ` +
        `to ${MAX_TUNED_SHARE} at most`,
    );
  }
  const untuned = group.filter((m) => tuned(m) === undefined);
  if (untuned.length > 0 && MAX_TUNED_SHARE - tunedSum < 0.05 * untuned.length) {
    throw new InputError(
      `tuning.${group.find((m) => tuned(m) !== undefined)?.service}.gpuMemoryUtilization`,
      `leaves GPU ${card.index} no room for ${untuned.map((m) => m.service).join(' and ')}; allowed: shares ` +
        'that leave at least 0.05 per other model',
    );
  }
  return tunedSum;
}

/** Shares of one card for the models placed on it, and the warnings they earn. */
function shareCard(
  card: Card,
  group: readonly ModelSpec[],
  tuned: Tuned,
  warnings: PlanWarning[],
): { shares: Map<string, number>; fits: boolean } {
  const budget = cardBudget(card, group.length);
  const tunedSum = checkTunedShares(card, group, tuned);
  const untuned = group.filter((m) => tuned(m) === undefined);
  const minShare = (m: ModelSpec) => shareFor(m, shortContext(m), card);
  const fullShare = (m: ModelSpec) => shareFor(m, m.maxModelLen, card);
  const needMin = group.reduce((s, m) => s + (tuned(m) ?? minShare(m)), 0);
  const needFull = group.reduce((s, m) => s + (tuned(m) ?? fullShare(m)), 0);
  const shares = new Map<string, number>();
  let fits = true;
  if (needMin > budget + 1e-9) {
    fits = false;
    const each = roundShare(Math.max(budget - tunedSum, 0.05 * untuned.length) / Math.max(1, untuned.length));
    for (const m of group) shares.set(m.service, tuned(m) ?? each);
    warnings.push(gpuWarnings.cardTooSmall(card, group, cardNeededGiB(group)));
  } else {
    const level = needFull <= budget + 1e-9 ? fullShare : minShare;
    const spare = budget - group.reduce((s, m) => s + (tuned(m) ?? level(m)), 0);
    for (const m of group) shares.set(m.service, tuned(m) ?? roundShare(level(m) + spare / untuned.length));
  }
  const claimed = group.reduce((s, m) => s + (shares.get(m.service) ?? 0), 0);
  if (tunedSum > 0 && claimed * card.visibleBytes + group.length * GPU_OUTSIDE_SHARE_BYTES > card.visibleBytes) {
    warnings.push(gpuWarnings['gpu-headroom'](card, claimed));
  }
  return { shares, fits };
}

/**
 * The models one card holds: each one's share and the longest context its KV cache holds, started one after another
 * (each after the one before it answers, so its free memory is counted right).
 */
function placeOnCard(
  card: Card,
  group: readonly ModelSpec[],
  how: { tuning: Record<string, ModelTuning>; tuned: Tuned; manyCards: boolean },
  warnings: PlanWarning[],
): { placements: GpuModelPlacement[]; fits: boolean } {
  const { tuning, tuned } = how;
  const shared = shareCard(card, group, tuned, warnings);
  let fits = shared.fits;
  const claimed = group.reduce((s, m) => s + (shared.shares.get(m.service) ?? 0), 0);
  const placements = group.map((model, position): GpuModelPlacement => {
    const share = shared.shares.get(model.service) ?? cardBudget(card, group.length);
    const fixed = tuning[model.service]?.maxModelLen;
    const maxModelLen = fixed ?? Math.max(Math.min(model.maxModelLen, 256), contextAt(model, share, card));
    const kvBytes = kvBytesAt(model, share, card);
    if (shared.fits && kvBytes < kvBytesForRequest(model, maxModelLen, gpuLayout(card))) {
      fits = false;
      warnings.push(gpuWarnings['context-too-long'](model, card, share, maxModelLen, kvBytes));
    }
    const previous = position > 0 ? group[position - 1] : undefined;
    const reasons = [
      about('gpu', gpuReasons.card(card, group.length, how.manyCards)),
      about(
        'gpu-share',
        gpuReasons.share({
          model,
          share,
          card,
          overheadBytes: overheadInShare(card, model),
          sharedBy: group.length,
          claimed,
          tuned: tuned(model) !== undefined,
        }),
      ),
      about(
        'context',
        gpuReasons.context({
          model,
          maxModelLen,
          kvBytes,
          batchedTokens: gpuLayout(card).batchedTokens,
          fixed: fixed !== undefined,
        }),
      ),
    ];
    if (previous) reasons.push(about('start-order', gpuReasons.startsAfter(previous.service)));
    return {
      service: model.service,
      gpus: [card.index],
      gpuMemoryUtilization: share,
      maxModelLen,
      waitsFor: previous?.service,
      reasons,
    };
  });
  return { placements, fits };
}

/**
 * Cards, memory shares and contexts for the GPU models. Shares are of the card's total memory as vLLM sees it, as
 * --gpu-memory-utilization is: first what each model needs at a short context, then at its full context, then the
 * rest split evenly. The largest context that the share's KV cache holds is picked. Models no card can hold are
 * left out with a warning; a plan that cannot start is marked blocking.
 */
export function planGpuModels(
  models: readonly ModelSpec[],
  facts: HostFacts,
  tuning: Record<string, ModelTuning>,
): GpuPlan {
  const cards = nvidiaCards(facts);
  if (cards.length === 0) return referencePlacement(models, facts, tuning);
  for (const model of models) {
    const bad = (tuning[model.service]?.gpus ?? []).find((index) => !cards.some((c) => c.index === index));
    if (bad !== undefined)
      throw new InputError(
        `tuning.${model.service}.gpus`,
        `there is no NVIDIA GPU ${bad}; allowed: ${cards.map((c) => c.index).join(', ')}`,
      );
  }

  const tuned: Tuned = (m) => tuning[m.service]?.gpuMemoryUtilization;
  const warnings: PlanWarning[] = [];
  const { onCard, leftOut } = placeOnCards(models, cards, tuning, tuned);
  const placements: GpuModelPlacement[] = [];
  let fits = true;
  for (const card of cards) {
    const group = (onCard.get(card.index) ?? []).sort((a, b) => models.indexOf(a) - models.indexOf(b));
    if (group.length === 0) continue;
    const placed = placeOnCard(card, group, { tuning, tuned, manyCards: cards.length > 1 }, warnings);
    fits &&= placed.fits;
    placements.push(...placed.placements);
  }
  if (placements.length > 0) for (const model of leftOut) warnings.push(leftOutWarning(model, cards, onCard, models));
  else if (models.length > 0) {
    fits = false;
    const largest = [...cards].sort((a, b) => b.memoryBytes - a.memoryBytes)[0] as Card;
    warnings.push(
      gpuWarnings.noCardFits(
        largest,
        models.map((m) => ({ service: m.service, needGiB: cardNeededGiB([m]) })),
      ),
    );
  }
  placements.sort(
    (a, b) => models.findIndex((m) => m.service === a.service) - models.findIndex((m) => m.service === b.service),
  );
  return { placements, warnings, leftOut: leftOut.map((m) => m.service), fits };
}

/** No card to size against: the reference setup's proven numbers, on one shared card. */
function referencePlacement(
  models: readonly ModelSpec[],
  facts: HostFacts,
  tuning: Record<string, ModelTuning>,
): GpuPlan {
  const tunedSum = models.reduce((s, m) => s + (tuning[m.service]?.gpuMemoryUtilization ?? 0), 0);
  const untuned = models.filter((m) => tuning[m.service]?.gpuMemoryUtilization === undefined).length;
  if (tunedSum > MAX_TUNED_SHARE + 1e-9 || (untuned > 0 && MAX_TUNED_SHARE - tunedSum < 0.05 * untuned)) {
    const first = models.find((m) => tuning[m.service]?.gpuMemoryUtilization !== undefined);
    throw new InputError(
      `tuning.${first?.service}.gpuMemoryUtilization`,
      `the models on GPU 0 would claim more than ${MAX_TUNED_SHARE} of it; allowed: shares that add up to ` +
        `${MAX_TUNED_SHARE} at most, with 0.05 or more per other model`,
    );
  }
  const share =
    untuned === 0
      ? 0.9
      : models.length > 1
        ? Math.min(REFERENCE_SHARED_UTILIZATION, roundShare(Math.max(0.9 - tunedSum, 0.05 * untuned) / untuned))
        : 0.9;
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
        about('gpu', gpuReasons.reference(share, maxModelLen)),
        ...(previous ? [about('start-order', gpuReasons.referenceStartsAfter(previous.service))] : []),
      ],
    };
  });
  return {
    placements,
    leftOut: [],
    fits: false,
    warnings: models.length ? [gpuWarnings['no-gpu'](facts.os.platform)] : [],
  };
}
