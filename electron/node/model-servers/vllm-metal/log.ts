import type { VllmFigures } from '../../../common/contracts/measurement.js';
import { figuresFromLog } from '../../engine/measure.js';

/**
 * What vllm-metal reports as it starts, beside vLLM's own lines ("GPU KV cache size", "Maximum concurrency"): its
 * "Paged attention memory breakdown: metal_limit=…GB, fraction=…, usable_metal=…GB, model_memory=…GB, overhead=…GB, …
 * kv_budget=…GB, per_block_bytes=N, num_blocks=N, max_tokens_cached=N" (vllm_metal/v1/cache_policy.py,
 * setup_paged_attention; GB there are 10⁹ bytes), and its refusal, "Paged attention: not enough Metal memory for KV
 * cache. metal_limit=…" with the same breakdown.
 */
export function metalFiguresFromLog(lines: readonly string[]): VllmFigures & { metalLimitBytes?: number } {
  const figures: VllmFigures & { metalLimitBytes?: number } = figuresFromLog(lines);
  const breakdown = lines
    .filter((l) => /Paged attention memory breakdown:|not enough Metal memory for KV cache/.test(l))
    .at(-1);
  if (!breakdown) return figures;
  const gb = (name: string) => {
    const match = new RegExp(`\\b${name}=(-?[\\d.]+)GB`).exec(breakdown);
    return match ? Math.round(Number(match[1]) * 1e9) : undefined;
  };
  const count = (name: string) => {
    const match = new RegExp(`\\b${name}=(\\d+)`).exec(breakdown);
    return match ? Number(match[1]) : undefined;
  };
  const weights = gb('model_memory');
  const overhead = gb('overhead');
  const kv = gb('kv_budget');
  const limit = gb('metal_limit');
  const tokens = count('max_tokens_cached');
  if (weights !== undefined) figures.weightsBytes = weights;
  if (overhead !== undefined) figures.overheadBytes = overhead;
  if (kv !== undefined) figures.kvBytes = Math.max(0, kv);
  if (limit !== undefined) figures.metalLimitBytes = limit;
  if (tokens !== undefined && figures.kvTokens === undefined) figures.kvTokens = tokens;
  if (/not enough Metal memory/.test(breakdown)) figures.kvTokens = 0;
  return figures;
}
