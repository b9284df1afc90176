import type { ModelSpec } from '../catalog/models.js';
import type { PlanWarning } from '../contracts/stack-plan.js';
import { formatGiB, formatTokens } from '../units.js';
import { GPU_OUTSIDE_SHARE_BYTES, MIN_GPU_CONTEXT, type Card } from './gpu-memory.js';

/**
 * What the GPU planner (gpu.ts) tells people: each warning by its code, each reason by its topic. The arithmetic
 * stays in gpu.ts; a sentence changes here without touching it, and nothing acts on a sentence's words.
 */

const names = (models: readonly ModelSpec[]) => models.map((m) => m.service).join(' and ');
const seen = (card: Card) => `${card.model}, ${formatGiB(card.visibleBytes)} as vLLM sees it`;
const outside = `${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} per model kept outside the shares for its CUDA context`;

export const gpuWarnings = {
  /** One card, full with the others: which model to turn off to run this one. */
  leftOutOfCard(model: ModelSpec, card: Card, placed: readonly ModelSpec[], needGiB: number): PlanWarning {
    return {
      code: 'gpu-model-left-out',
      service: model.service,
      message:
        `${model.service} is left out: GPU ${card.index} (${seen(card)}) holds ${names(placed)}, and ` +
        `${placed.length > 1 ? 'all' : 'both'} need a ${needGiB} GiB card at a ${formatTokens(MIN_GPU_CONTEXT)} ` +
        `context with ${outside}: add a card, use one with at least ${needGiB} GiB, or turn off ${names(placed)} ` +
        `(disabledModels) to run ${model.service} instead.`,
    };
  },

  leftOutOfAll(model: ModelSpec, needGiB: number): PlanWarning {
    return {
      code: 'gpu-model-left-out',
      service: model.service,
      message:
        `${model.service} is left out: no card has room for it beside the others (it needs a ${needGiB} GiB ` +
        `card of its own at a ${formatTokens(MIN_GPU_CONTEXT)} context): add a card, or turn another model off ` +
        `(disabledModels).`,
    };
  },

  cardTooSmall(card: Card, group: readonly ModelSpec[], needGiB: number): PlanWarning {
    const many = group.length > 1;
    return {
      code: 'insufficient-gpu-memory',
      message:
        `GPU ${card.index} (${seen(card)}) cannot hold ${names(group)} as settings place ${many ? 'them' : 'it'}: ` +
        `${many ? 'they need' : 'it needs'} a ${needGiB} GiB card at a ${formatTokens(MIN_GPU_CONTEXT)} context, ` +
        `with ${outside}: change tuning (gpus, gpuMemoryUtilization), turn a model off, or use a card with at ` +
        `least ${needGiB} GiB.`,
      blocking: true,
    };
  },

  noCardFits(largest: Card, models: readonly { service: string; needGiB: number }[]): PlanWarning {
    return {
      code: 'insufficient-gpu-memory',
      message:
        `no GPU model fits on the cards here (the largest, GPU ${largest.index}, ${largest.model}, has ` +
        `${formatGiB(largest.visibleBytes)} as vLLM sees it): ` +
        `${models.map((m) => `${m.service} needs a ${m.needGiB} GiB card`).join(', ')} at a ` +
        `${formatTokens(MIN_GPU_CONTEXT)} context. Use a larger card, or the development profile (CPU models).`,
      blocking: true,
    };
  },

  'gpu-headroom'(card: Card, claimed: number): PlanWarning {
    return {
      code: 'gpu-headroom',
      message:
        `the shares set for GPU ${card.index} (${claimed.toFixed(2)} together) leave less than ` +
        `${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} per model outside them for each process's CUDA context, which vLLM ` +
        `does not count in --gpu-memory-utilization: a model may run out of memory as it starts; lower ` +
        `tuning.<model>.gpuMemoryUtilization.`,
    };
  },

  'context-too-long'(model: ModelSpec, card: Card, share: number, maxModelLen: number, kvBytes: number): PlanWarning {
    return {
      code: 'context-too-long',
      service: model.service,
      message:
        `${model.service}: a ${formatTokens(maxModelLen)}-token request does not fit the ` +
        `${formatGiB(Math.max(0, kvBytes))} of KV cache left in its ${share.toFixed(2)} share of GPU ${card.index}, ` +
        `so vLLM would refuse to start: raise tuning.${model.service}.gpuMemoryUtilization, shorten maxModelLen, ` +
        `or turn another model off.`,
      blocking: true,
    };
  },

  'no-gpu'(platform: string): PlanWarning {
    const where = platform === 'darwin' ? 'Docker on macOS cannot reach a GPU' : 'no NVIDIA GPU was detected';
    return {
      code: 'no-gpu',
      message:
        `${where}: the production profile needs a Linux host with NVIDIA GPUs. Run it there (or export it for ` +
        'that host with berth export compose --facts FILE, from `berth facts --json` run there), and point this ' +
        "machine's Open WebUI at it with LITELLM_URL.",
      blocking: true,
    };
  },
};

export const gpuReasons = {
  card(card: Card, sharedBy: number, cardEach: boolean): string {
    return sharedBy > 1
      ? `GPU ${card.index} (${card.model}) shared by ${sharedBy} models`
      : `GPU ${card.index} (${card.model}) to itself${cardEach ? ': there is a card for each model' : ''}`;
  },

  share(args: {
    model: ModelSpec;
    share: number;
    card: Card;
    overheadBytes: number;
    sharedBy: number;
    claimed: number;
    tuned: boolean;
  }): string {
    const { model, share, card } = args;
    if (args.tuned) return `GPU share ${share.toFixed(2)}: set in settings`;
    const measured = model.measured?.overheadInShareBytes ? `; ${model.measured.why}` : '';
    return (
      `GPU share ${share.toFixed(2)} of the ${formatGiB(card.visibleBytes)} vLLM sees of the card (NVML reports ` +
      `${formatGiB(card.memoryBytes)}): ${formatGiB(model.weightsBytes)} weights as vLLM loads them + ` +
      `${formatGiB(args.overheadBytes)} for activations, non-torch memory and CUDA graphs (inside the share since ` +
      `vLLM 0.21${measured}) + KV cache; ${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} per model stays free outside the ` +
      'shares for its CUDA context, which vLLM does not count in --gpu-memory-utilization' +
      (args.sharedBy > 1 ? `; the ${args.sharedBy} models on this card claim ${args.claimed.toFixed(2)} together` : '')
    );
  },

  context(args: {
    model: ModelSpec;
    maxModelLen: number;
    kvBytes: number;
    batchedTokens: number;
    fixed: boolean;
  }): string {
    const { model, maxModelLen, batchedTokens } = args;
    if (args.fixed) return `context ${formatTokens(maxModelLen)} tokens: set in settings`;
    const sliding = model.slidingWindow;
    const window = sliding
      ? ` (vLLM charges its ${model.layers - sliding.layers} full-attention layers per token, and reserves ` +
        `${formatTokens(Math.min(sliding.tokens - 1 + batchedTokens, maxModelLen))} tokens per request on the ` +
        `other ${sliding.layers}: the ${sliding.tokens}-token window less one plus the ` +
        `${formatTokens(batchedTokens)} tokens vLLM batches on this card)`
      : '';
    const which = maxModelLen === model.maxModelLen ? "the model's limit, which" : 'the longest request that';
    return (
      `context ${formatTokens(maxModelLen)} tokens: ${which} fits in the ${formatGiB(Math.max(0, args.kvBytes))} ` +
      `of KV cache left at this share${window} (the reference setup found 16k by trial and error)`
    );
  },

  startsAfter(previous: string): string {
    return (
      `starts after ${previous} is healthy: vLLM refuses to start while the card's free memory is below its ` +
      'share, and two models loading at once spike past it'
    );
  },

  reference(share: number, maxModelLen: number): string {
    return (
      `no NVIDIA GPU was detected here, so the reference setup's numbers are used: GPU 0, share ${share}, ` +
      `${formatTokens(maxModelLen)} context; plan on the GPU host (or with --facts from it) to size them to its cards`
    );
  },

  referenceStartsAfter(previous: string): string {
    return `starts after ${previous} is healthy, so the two never load onto the card at once`;
  },
};
