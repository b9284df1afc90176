import type { HostFacts } from '../contracts/host-facts.js';
import type { ModelTuning } from '../contracts/settings.js';
import { about, type PlanWarning, type Reason } from '../contracts/stack-plan.js';
import { InputError } from '../contracts/errors.js';
import type { ModelSpec } from '../catalog/models.js';
import { gpuLayout, kvBytesForRequest } from './kv-cache.js';
import { gpuReasons, gpuWarnings } from './gpu-words.js';
import {
  GPU_OUTSIDE_SHARE_BYTES,
  MAX_TUNED_SHARE,
  MIN_GPU_CONTEXT,
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

type Tuned = (m: ModelSpec) => number | undefined;

function shortContext(model: ModelSpec): number {
  return Math.min(model.maxModelLen, MIN_GPU_CONTEXT);
}

/** Whether these models fit on the card together at a short context, each with its headroom outside the shares. */
function holds(card: Card, group: readonly ModelSpec[], tuned: Tuned): boolean {
  const claimed = group.reduce((sum, m) => sum + (tuned(m) ?? shareFor(m, shortContext(m), card)), 0);
  return claimed <= cardBudget(card, group.length) + 1e-9;
}

/**
 * Cards for models, the larger model first: an empty card that holds it (the roomiest), else the card with the most
 * room that still holds it beside the others. A model no card holds is left out, unless settings pin it to a card.
 */
function placeOnCards(
  models: readonly ModelSpec[],
  cards: readonly Card[],
  tuning: Record<string, ModelTuning>,
  tuned: Tuned,
) {
  const onCard = new Map<number, ModelSpec[]>(cards.map((c) => [c.index, []]));
  const leftOut: ModelSpec[] = [];
  const room = (card: Card) =>
    cardBudget(card, (onCard.get(card.index)?.length ?? 0) + 1) * card.visibleBytes -
    (onCard.get(card.index) ?? []).reduce(
      (s, m) => s + (tuned(m) ?? shareFor(m, shortContext(m), card)) * card.visibleBytes,
      0,
    );
  for (const model of [...models].sort((a, b) => b.weightsBytes - a.weightsBytes)) {
    const pinned = tuning[model.service]?.gpus?.[0];
    if (pinned !== undefined) {
      onCard.get(pinned)?.push(model);
      continue;
    }
    const candidates = cards.filter((c) => holds(c, [...(onCard.get(c.index) ?? []), model], tuned));
    const empty = candidates
      .filter((c) => (onCard.get(c.index) ?? []).length === 0)
      .sort((a, b) => b.visibleBytes - a.visibleBytes);
    const chosen = empty[0] ?? [...candidates].sort((a, b) => room(b) - room(a))[0];
    if (chosen) onCard.get(chosen.index)?.push(model);
    else leftOut.push(model);
  }
  return { onCard, leftOut };
}

function leftOutWarning(
  model: ModelSpec,
  cards: readonly Card[],
  onCard: Map<number, ModelSpec[]>,
  models: readonly ModelSpec[],
): PlanWarning {
  const placed = models.filter((m) => m !== model && [...onCard.values()].some((g) => g.includes(m)));
  const card = cards[0];
  if (cards.length === 1 && card && placed.length > 0)
    return gpuWarnings.leftOutOfCard(model, card, placed, cardNeededGiB([...placed, model]));
  return gpuWarnings.leftOutOfAll(model, cardNeededGiB([model]));
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
    const shared = shareCard(card, group, tuned, warnings);
    fits &&= shared.fits;
    const claimed = group.reduce((s, m) => s + (shared.shares.get(m.service) ?? 0), 0);
    group.forEach((model, position) => {
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
        about('gpu', gpuReasons.card(card, group.length, cards.length > 1)),
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
      placements.push({
        service: model.service,
        gpus: [card.index],
        gpuMemoryUtilization: share,
        maxModelLen,
        waitsFor: previous?.service,
        reasons,
      });
    });
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
