import type { HostFacts } from '../contracts/host-facts.js';
import type { ModelTuning } from '../contracts/settings.js';
import { about, type PlanWarning, type Reason } from '../contracts/stack-plan.js';
import { InputError } from '../contracts/errors.js';
import type { ModelSpec } from '../catalog/models.js';
import { gpuLayout, kvBytesForRequest } from './kv-cache.js';
import { formatGiB, formatTokens } from '../units.js';
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
  if (cards.length === 1 && card && placed.length > 0) {
    const need = cardNeededGiB([...placed, model]);
    return {
      code: 'gpu-model-left-out',
      service: model.service,
      message: `${model.service} is left out: GPU ${card.index} (${card.model}, ${formatGiB(card.visibleBytes)} as vLLM sees it) holds ${placed.map((m) => m.service).join(' and ')}, and ${placed.length > 1 ? 'all' : 'both'} need a ${need} GiB card at a ${formatTokens(MIN_GPU_CONTEXT)} context with ${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} per model kept outside the shares for its CUDA context: add a card, use one with at least ${need} GiB, or turn off ${placed.map((m) => m.service).join(' and ')} (disabledModels) to run ${model.service} instead.`,
    };
  }
  return {
    code: 'gpu-model-left-out',
    service: model.service,
    message: `${model.service} is left out: no card has room for it beside the others (it needs a ${cardNeededGiB([model])} GiB card of its own at a ${formatTokens(MIN_GPU_CONTEXT)} context): add a card, or turn another model off (disabledModels).`,
  };
}

function checkTunedShares(card: Card, group: readonly ModelSpec[], tuned: Tuned): number {
  const tunedSum = group.reduce((s, m) => s + (tuned(m) ?? 0), 0);
  if (tunedSum > MAX_TUNED_SHARE + 1e-9) {
    throw new InputError(
      `tuning.${group.find((m) => tuned(m) !== undefined)?.service}.gpuMemoryUtilization`,
      `the models on GPU ${card.index} would claim ${tunedSum.toFixed(2)} of it; allowed: shares that add up to ${MAX_TUNED_SHARE} at most`,
    );
  }
  const untuned = group.filter((m) => tuned(m) === undefined);
  if (untuned.length > 0 && MAX_TUNED_SHARE - tunedSum < 0.05 * untuned.length) {
    throw new InputError(
      `tuning.${group.find((m) => tuned(m) !== undefined)?.service}.gpuMemoryUtilization`,
      `leaves GPU ${card.index} no room for ${untuned.map((m) => m.service).join(' and ')}; allowed: shares that leave at least 0.05 per other model`,
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
    const need = cardNeededGiB(group);
    warnings.push({
      code: 'insufficient-gpu-memory',
      message: `GPU ${card.index} (${card.model}, ${formatGiB(card.visibleBytes)} as vLLM sees it) cannot hold ${group.map((m) => m.service).join(' and ')} as settings place ${group.length > 1 ? 'them' : 'it'}: ${group.length > 1 ? 'they need' : 'it needs'} a ${need} GiB card at a ${formatTokens(MIN_GPU_CONTEXT)} context, with ${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} per model kept outside the shares for its CUDA context: change tuning (gpus, gpuMemoryUtilization), turn a model off, or use a card with at least ${need} GiB.`,
      blocking: true,
    });
  } else {
    const level = needFull <= budget + 1e-9 ? fullShare : minShare;
    const spare = budget - group.reduce((s, m) => s + (tuned(m) ?? level(m)), 0);
    for (const m of group) shares.set(m.service, tuned(m) ?? roundShare(level(m) + spare / untuned.length));
  }
  const claimed = group.reduce((s, m) => s + (shares.get(m.service) ?? 0), 0);
  if (tunedSum > 0 && claimed * card.visibleBytes + group.length * GPU_OUTSIDE_SHARE_BYTES > card.visibleBytes) {
    warnings.push({
      code: 'gpu-headroom',
      message: `the shares set for GPU ${card.index} (${claimed.toFixed(2)} together) leave less than ${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} per model outside them for each process's CUDA context, which vLLM does not count in --gpu-memory-utilization: a model may run out of memory as it starts; lower tuning.<model>.gpuMemoryUtilization.`,
    });
  }
  return { shares, fits };
}

function shareReason(
  model: ModelSpec,
  share: number,
  card: Card,
  group: readonly ModelSpec[],
  tunedShare: boolean,
  claimed: number,
): string {
  if (tunedShare) return `GPU share ${share.toFixed(2)}: set in settings`;
  return [
    `GPU share ${share.toFixed(2)} of the ${formatGiB(card.visibleBytes)} vLLM sees of the card (NVML reports ${formatGiB(card.memoryBytes)}): ${formatGiB(model.weightsBytes)} weights as vLLM loads them + ${formatGiB(overheadInShare(card, model))} for activations, non-torch memory and CUDA graphs (inside the share since vLLM 0.21${model.measured?.overheadInShareBytes ? `; ${model.measured.why}` : ''}) + KV cache`,
    `; ${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} per model stays free outside the shares for its CUDA context, which vLLM does not count in --gpu-memory-utilization`,
    group.length > 1 ? `; the ${group.length} models on this card claim ${claimed.toFixed(2)} together` : '',
  ].join('');
}

function contextReason(model: ModelSpec, maxModelLen: number, kvBytes: number, fixed: boolean, card: Card): string {
  if (fixed) return `context ${formatTokens(maxModelLen)} tokens: set in settings`;
  const batched = gpuLayout(card).batchedTokens;
  const window = model.slidingWindow
    ? ` (vLLM charges its ${model.layers - model.slidingWindow.layers} full-attention layers per token, and reserves ${formatTokens(Math.min(model.slidingWindow.tokens - 1 + batched, maxModelLen))} tokens per request on the other ${model.slidingWindow.layers}: the ${model.slidingWindow.tokens}-token window less one plus the ${formatTokens(batched)} tokens vLLM batches on this card)`
    : '';
  return `context ${formatTokens(maxModelLen)} tokens: ${maxModelLen === model.maxModelLen ? "the model's limit, which" : 'the longest request that'} fits in the ${formatGiB(Math.max(0, kvBytes))} of KV cache left at this share${window} (the reference setup found 16k by trial and error)`;
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
        warnings.push({
          code: 'context-too-long',
          service: model.service,
          message: `${model.service}: a ${formatTokens(maxModelLen)}-token request does not fit the ${formatGiB(Math.max(0, kvBytes))} of KV cache left in its ${share.toFixed(2)} share of GPU ${card.index}, so vLLM would refuse to start: raise tuning.${model.service}.gpuMemoryUtilization, shorten maxModelLen, or turn another model off.`,
          blocking: true,
        });
      }
      const previous = position > 0 ? group[position - 1] : undefined;
      const reasons = [
        about(
          'gpu',
          group.length > 1
            ? `GPU ${card.index} (${card.model}) shared by ${group.length} models`
            : `GPU ${card.index} (${card.model}) to itself${cards.length > 1 ? ': there is a card for each model' : ''}`,
        ),
        about('gpu-share', shareReason(model, share, card, group, tuned(model) !== undefined, claimed)),
        about('context', contextReason(model, maxModelLen, kvBytes, fixed !== undefined, card)),
      ];
      if (previous)
        reasons.push(
          about(
            'start-order',
            `starts after ${previous.service} is healthy: vLLM refuses to start while the card's free memory is below its share, and two models loading at once spike past it`,
          ),
        );
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
    warnings.push({
      code: 'insufficient-gpu-memory',
      message: `no GPU model fits on the cards here (the largest, GPU ${largest.index}, ${largest.model}, has ${formatGiB(largest.visibleBytes)} as vLLM sees it): ${models.map((m) => `${m.service} needs a ${cardNeededGiB([m])} GiB card`).join(', ')} at a ${formatTokens(MIN_GPU_CONTEXT)} context. Use a larger card, or the development profile (CPU models).`,
      blocking: true,
    });
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
      `the models on GPU 0 would claim more than ${MAX_TUNED_SHARE} of it; allowed: shares that add up to ${MAX_TUNED_SHARE} at most, with 0.05 or more per other model`,
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
        about(
          'gpu',
          `no NVIDIA GPU was detected here, so the reference setup's numbers are used: GPU 0, share ${share}, ${formatTokens(maxModelLen)} context; plan on the GPU host (or with --facts from it) to size them to its cards`,
        ),
        ...(previous
          ? [
              about(
                'start-order',
                `starts after ${previous.service} is healthy, so the two never load onto the card at once`,
              ),
            ]
          : []),
      ],
    };
  });
  const where = facts.os.platform === 'darwin' ? 'Docker on macOS cannot reach a GPU' : 'no NVIDIA GPU was detected';
  return {
    placements,
    leftOut: [],
    fits: false,
    warnings: models.length
      ? [
          {
            code: 'no-gpu',
            message: `${where}: the production profile needs a Linux host with NVIDIA GPUs. Run it there (or export it for that host with berth export compose --facts FILE, from \`berth facts --json\` run there), and point this machine's Open WebUI at it with LITELLM_URL.`,
            blocking: true,
          },
        ]
      : [],
  };
}
