import type { HostFacts } from '../contracts/host-facts.js';
import { kvBytesForRequest, tokensForKvBytes, type ModelSpec } from '../catalog/models.js';
import { GiB } from '../units.js';

/**
 * How current vLLM spends a card, in the terms it uses (vLLM's docs on --gpu-memory-utilization and its worker's
 * memory profiling; measured on an 80 GB card):
 * - `--gpu-memory-utilization` is a share of the card's total memory as vLLM sees it, a little below what NVML reports
 *   (79.19 GiB against 79.65 on an 80 GB H100: the driver's own reservation);
 * - inside a share: the weights, the profiling run's peak activations, and the KV cache from what is left;
 * - outside every share: CUDA graphs and non-torch memory, which current vLLM allocates after sizing the KV cache
 *   (0.7–2.4 GiB measured on large cards), so each instance needs that headroom free on the card.
 */
export const VLLM_UNSEEN_BYTES = 0.46 * GiB;
export const GPU_ACTIVATION_BYTES = 2 * GiB;
export const GPU_OUTSIDE_SHARE_BYTES = 2.5 * GiB;
/** The most all Berth's models together may claim of a card (vLLM's own default for one model). */
export const CARD_BUDGET = 0.9;
/** Shares users may set add up to this at most. */
export const MAX_TUNED_SHARE = 0.95;
/** The shortest context worth starting a GPU model with. */
export const MIN_GPU_CONTEXT = 4096;

export interface Card {
  index: number;
  /** As NVML reports it. */
  memoryBytes: number;
  /** As vLLM sees it: what --gpu-memory-utilization is a share of. */
  visibleBytes: number;
  model: string;
}

export function nvidiaCards(facts: HostFacts): Card[] {
  return facts.gpus
    .filter((g) => /nvidia/i.test(g.vendor) && g.memoryBytes !== null)
    .map((g) => ({ index: g.index, memoryBytes: g.memoryBytes as number, visibleBytes: Math.max(0, (g.memoryBytes as number) - VLLM_UNSEEN_BYTES), model: g.model }));
}

/** Shares as vLLM is given them: two decimals, rounded down (never 0.47000000000000003). */
export function roundShare(share: number): number {
  return Math.floor(share * 100 + 1e-6) / 100;
}

/** What a model's share must hold for one request of `tokens`: weights, activations, KV cache. */
export function bytesInShare(model: ModelSpec, tokens: number): number {
  return model.weightsBytes + GPU_ACTIVATION_BYTES + kvBytesForRequest(model, tokens);
}

/** The share that holds the model at this context. */
export function shareFor(model: ModelSpec, tokens: number, card: Card): number {
  return bytesInShare(model, tokens) / card.visibleBytes;
}

/** The most that `instances` models may claim together on this card, leaving each its headroom outside the share. */
export function cardBudget(card: Card, instances: number): number {
  return roundShare(Math.min(CARD_BUDGET, 1 - (instances * GPU_OUTSIDE_SHARE_BYTES) / card.visibleBytes));
}

/** KV cache bytes a share leaves the model. */
export function kvBytesAt(model: ModelSpec, share: number, card: Card): number {
  return share * card.visibleBytes - model.weightsBytes - GPU_ACTIVATION_BYTES;
}

/** The longest context (whole thousands of tokens, at most the model's limit) that the share's KV cache holds. */
export function contextAt(model: ModelSpec, share: number, card: Card): number {
  const tokens = tokensForKvBytes(model, kvBytesAt(model, share, card));
  return Math.max(0, Math.min(model.maxModelLen, Math.floor(tokens / 1024) * 1024));
}

/** The smallest card (as NVML counts it, whole GiB) that holds these models at a short context. */
export function cardNeededGiB(models: readonly ModelSpec[]): number {
  const inShares = models.reduce((sum, m) => sum + bytesInShare(m, Math.min(m.maxModelLen, MIN_GPU_CONTEXT)), 0);
  const visible = Math.max(inShares / CARD_BUDGET, inShares + models.length * GPU_OUTSIDE_SHARE_BYTES);
  return Math.ceil((visible + VLLM_UNSEEN_BYTES) / GiB);
}
