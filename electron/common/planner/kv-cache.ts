import type { ModelSpec } from '../catalog/models.js';
import { GiB } from '../units.js';

/**
 * How vLLM counts a KV cache, as its V1 engine does at 0.30.0, where these were read (the pinned 0.31.0's release notes
 * list no change to them, and its CPU logs show the same 128-token blocks):
 * - the cache is paged in blocks of `block_size` tokens: 16 on CUDA (vllm/config/cache.py, CacheConfig.block_size),
 *   128 on the CPU backend (vllm/platforms/cpu.py sets it when none is given);
 * - a full-attention layer holds every token of a request, rounded up to whole blocks
 *   (vllm/v1/kv_cache_interface.py, FullAttentionSpec.max_memory_usage_bytes: `cdiv(max_model_len, block_size) ×
 *   page_size_bytes`);
 * - a sliding-window layer admits a request against `min(window − 1 + max_num_batched_tokens, max_model_len)` tokens,
 *   rounded up to blocks, plus one block since the window may start inside one (SlidingWindowSpec);
 * - vLLM refuses to start unless one request of max_model_len fits (vllm/v1/core/kv_cache_utils.py,
 *   _check_enough_kv_cache_memory), and reports the pool as `GPU KV cache size: N tokens`, N = max concurrency ×
 *   max_model_len, and `Maximum concurrency for L tokens per request: C×`, C = blocks in the pool ÷ blocks one
 *   request of L takes (get_max_concurrency_for_kv_cache_config).
 */
export const GPU_BLOCK_TOKENS = 16;
export const CPU_BLOCK_TOKENS = 128;

/**
 * vLLM's default max_num_batched_tokens for `vllm serve` (vllm/engine/arg_utils.py, EngineArgs.get_batch_defaults,
 * UsageContext.OPENAI_API_SERVER): 16384 on a card of 160 GiB or more ("for GPUs like B200/B300 with >= 160GB memory,
 * use the largest defaults", new in 0.28.0: https://github.com/vllm-project/vllm/blob/v0.28.0/vllm/engine/arg_utils.py),
 * 8192 on a card of 70 GiB or more that is not an A100, 2048 on every other card and on the CPU backend. It sizes a
 * sliding window's reservation and the activations in a share. No tier between 40 and 70 GiB was found upstream.
 */
export function defaultBatchedTokens(device: 'cpu' | 'gpu', card?: { memoryBytes: number; model: string }): number {
  if (device !== 'gpu' || !card) return 2048;
  if (card.memoryBytes >= 160 * GiB) return 16384;
  if (card.memoryBytes >= 70 * GiB && !/a100/i.test(card.model)) return 8192;
  return 2048;
}

/** The parameters of vLLM's KV accounting that depend on the device. */
export interface KvLayout {
  blockTokens: number;
  batchedTokens: number;
  /** Bytes per element of the cache: 2 for bf16/fp16, vLLM's default for these models. */
  dtypeBytes: number;
}

export function cpuLayout(dtypeBytes = 2): KvLayout {
  return { blockTokens: CPU_BLOCK_TOKENS, batchedTokens: defaultBatchedTokens('cpu'), dtypeBytes };
}

export function gpuLayout(card: { memoryBytes: number; model: string } | undefined, dtypeBytes = 2): KvLayout {
  return { blockTokens: GPU_BLOCK_TOKENS, batchedTokens: defaultBatchedTokens('gpu', card), dtypeBytes };
}

const cdiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * One token of one layer: K and V, every KV head, each head_dim elements; times what a start of this model measured
 * over that arithmetic (ModelSpec.measured.kvScale), so a plan follows the tokens vLLM actually held.
 */
function bytesPerTokenPerLayer(model: ModelSpec, dtypeBytes: number): number {
  return 2 * model.kvHeads * model.headDim * dtypeBytes * (model.measured?.kvScale ?? 1);
}

function fullLayers(model: ModelSpec): number {
  return model.layers - (model.slidingWindow?.layers ?? 0);
}

/**
 * KV cache bytes each token of a request costs on the full-attention layers: 2 (K and V) × full-attention layers × KV
 * heads × head dim × bytes per element. Sliding-window layers cost a fixed reservation instead (kvBytesForRequest).
 */
export function kvBytesPerToken(model: ModelSpec, dtypeBytes = 2): number {
  return fullLayers(model) * bytesPerTokenPerLayer(model, dtypeBytes);
}

/** Blocks one request of `tokens` takes on one full-attention layer and on one sliding-window layer. */
function blocksPerRequest(model: ModelSpec, tokens: number, layout: KvLayout): { full: number; sliding: number } {
  const window = model.slidingWindow;
  const full = cdiv(tokens, layout.blockTokens);
  const sliding = window ? cdiv(Math.min(window.tokens - 1 + layout.batchedTokens, tokens), layout.blockTokens) + 1 : 0;
  return { full, sliding };
}

/** The KV cache vLLM needs free for one request of `tokens` before it starts (what it checks at start). */
export function kvBytesForRequest(model: ModelSpec, tokens: number, layout: KvLayout): number {
  const blocks = blocksPerRequest(model, tokens, layout);
  const page = layout.blockTokens * bytesPerTokenPerLayer(model, layout.dtypeBytes);
  return (blocks.full * fullLayers(model) + blocks.sliding * (model.slidingWindow?.layers ?? 0)) * page;
}

/**
 * The pool vLLM makes of `bytes`: its blocks (each holding one block of every layer of a KV cache group; a hybrid
 * model's groups share them), and what it reports for requests of `maxModelLen`.
 */
export function kvPool(
  model: ModelSpec,
  bytes: number,
  maxModelLen: number,
  layout: KvLayout,
): { blocks: number; concurrency: number; tokens: number } {
  const sliding = model.slidingWindow?.layers ?? 0;
  const full = fullLayers(model);
  // vLLM groups layers of the same kind into groups of equal size; a block of the pool holds one page per layer of a
  // group (vllm/v1/core/kv_cache_utils.py, _get_kv_cache_config_uniform_page_size).
  const groupLayers = sliding > 0 ? Math.max(full, sliding) : full;
  const page = layout.blockTokens * bytesPerTokenPerLayer(model, layout.dtypeBytes);
  const blocks = Math.max(0, Math.floor(bytes / (page * groupLayers)));
  const perRequest = blocksPerRequest(model, maxModelLen, layout);
  const need =
    sliding > 0
      ? perRequest.full * Math.ceil(full / groupLayers) + perRequest.sliding * Math.ceil(sliding / groupLayers)
      : perRequest.full;
  const concurrency = need > 0 ? blocks / need : 0;
  return { blocks, concurrency, tokens: Math.floor(concurrency * maxModelLen) };
}

/**
 * The longest request whose KV cache fits in `bytes`, as vLLM estimates it when it refuses to start ("the estimated
 * maximum model length is M"): the largest length whose need fits, found by bisection.
 */
export function longestRequest(model: ModelSpec, bytes: number, layout: KvLayout, limit = model.maxModelLen): number {
  if (kvBytesForRequest(model, 1, layout) > bytes) return 0;
  let low = 1;
  let high = Math.max(1, limit);
  if (kvBytesForRequest(model, high, layout) <= bytes) return high;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (kvBytesForRequest(model, mid, layout) <= bytes) low = mid;
    else high = mid;
  }
  return low;
}
