import type { HostFacts } from '../contracts/host-facts.js';
import type { ModelSpec } from '../catalog/models.js';
import { GiB } from '../units.js';
import { gpuLayout, kvBytesForRequest, longestRequest, type KvLayout } from './kv-cache.js';

/**
 * How vLLM 0.30 and 0.31 spend a card, in their own terms (vllm/v1/worker/gpu_worker.py, determine_available_memory):
 * `--gpu-memory-utilization` is a share of the card's total memory as vLLM sees it, and inside that share sit the
 * weights, the peak activations of a profiling run over max_num_batched_tokens, the non-torch memory that run adds, the
 * CUDA graphs, and then the KV cache from what is left. CUDA graphs moved inside the share in 0.21: vLLM logs "CUDA
 * graph memory profiling is enabled (default since v0.21.0). The current --gpu-memory-utilization=0.8200 is equivalent
 * to --gpu-memory-utilization=0.8048 without CUDA graph memory profiling" (a 0.27.1 log with 0.36 GiB of graphs:
 * https://github.com/gpustack/runner/pull/251). Outside every share stays what the process holds before vLLM's first
 * memory snapshot: its CUDA context and library workspaces.
 */

/**
 * vLLM sees a card a little smaller than NVML reports: 79.19 GiB of an 80 GB H100's 79.65 (the driver's reservation).
 */
export const VLLM_UNSEEN_BYTES = 0.46 * GiB;

/**
 * Peak activations of vLLM's profiling run plus the non-torch memory it adds, inside the share: it grows with
 * max_num_batched_tokens. gpt-oss-20b on an A100 (2048 batched tokens, vLLM 0.19) left 1.19 GiB of its 0.65 share to
 * weights-plus-KV's complement (Model loading took 13.72 GiB, Available KV cache memory: 36.56 GiB:
 * https://myoceane.fr/index.php/ai-vllm-a100-gemma-4/); Berth keeps 0.875 GiB at 2048 and 2 GiB at 8192, and
 * corrects it from what vLLM reports on every start.
 */
export function activationBytes(layout: KvLayout): number {
  return 0.5 * GiB + (layout.batchedTokens / 8192) * 1.5 * GiB;
}

/**
 * CUDA graphs, inside the share since vLLM 0.21: public 0.2x logs estimate 0.17 to 0.36 GiB for models split over cards
 * and 0.52 GiB for a dense 8B on one card (Qwen3-8B, vLLM 0.21.0, "Estimated CUDA graph memory: 0.52 GiB total":
 * https://github.com/LMCache/LMCache/issues/3430). Berth keeps the largest, rounded up to the next eighth of a GiB.
 */
export const CUDA_GRAPH_BYTES = 0.625 * GiB;

/** What each vLLM process holds outside its share: its CUDA context and workspaces, created before vLLM measures. */
export const GPU_OUTSIDE_SHARE_BYTES = 1 * GiB;

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
    .map((g) => ({
      index: g.index,
      memoryBytes: g.memoryBytes as number,
      visibleBytes: Math.max(0, (g.memoryBytes as number) - VLLM_UNSEEN_BYTES),
      model: g.model,
    }));
}

/** Shares as vLLM is given them: two decimals, rounded down (never 0.47000000000000003). */
export function roundShare(share: number): number {
  return Math.floor(share * 100 + 1e-6) / 100;
}

/**
 * What sits in a share besides the weights and the KV cache: activations, non-torch memory, CUDA graphs; measured on
 * an earlier start of the model where there was one.
 */
export function overheadInShare(card: Card | undefined, model?: ModelSpec): number {
  return model?.measured?.overheadInShareBytes ?? activationBytes(gpuLayout(card)) + CUDA_GRAPH_BYTES;
}

/** What a model's share must hold for one request of `tokens`: weights, activations, CUDA graphs, KV cache. */
export function bytesInShare(model: ModelSpec, tokens: number, card: Card | undefined): number {
  return model.weightsBytes + overheadInShare(card, model) + kvBytesForRequest(model, tokens, gpuLayout(card));
}

/** The share that holds the model at this context. */
export function shareFor(model: ModelSpec, tokens: number, card: Card): number {
  return bytesInShare(model, tokens, card) / card.visibleBytes;
}

/** The most that `instances` models may claim together on this card, leaving each its headroom outside the share. */
export function cardBudget(card: Card, instances: number): number {
  return roundShare(Math.min(CARD_BUDGET, 1 - (instances * GPU_OUTSIDE_SHARE_BYTES) / card.visibleBytes));
}

/** KV cache bytes a share leaves the model: vLLM's "Available KV cache memory". */
export function kvBytesAt(model: ModelSpec, share: number, card: Card): number {
  return share * card.visibleBytes - model.weightsBytes - overheadInShare(card, model);
}

/** The longest context (whole thousands of tokens, at most the model's limit) that the share's KV cache holds. */
export function contextAt(model: ModelSpec, share: number, card: Card): number {
  const tokens = longestRequest(model, Math.max(0, kvBytesAt(model, share, card)), gpuLayout(card));
  return Math.max(0, Math.min(model.maxModelLen, Math.floor(tokens / 1024) * 1024));
}

/** The smallest card (as NVML counts it, whole GiB) that holds these models at a short context. */
export function cardNeededGiB(models: readonly ModelSpec[]): number {
  const inShares = models.reduce(
    (sum, m) => sum + bytesInShare(m, Math.min(m.maxModelLen, MIN_GPU_CONTEXT), undefined),
    0,
  );
  const visible = Math.max(inShares / CARD_BUDGET, inShares + models.length * GPU_OUTSIDE_SHARE_BYTES);
  return Math.ceil((visible + VLLM_UNSEEN_BYTES) / GiB);
}
