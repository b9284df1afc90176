import { describe, expect, it } from 'vitest';
import { metalFiguresFromLog } from './log.js';

describe("vllm-metal's start lines", () => {
  it("reads its memory breakdown (GB of 10⁹ bytes) and vLLM's own lines", () => {
    // The format of vllm_metal/v1/cache_policy.py's setup_paged_attention, with figures of its M2 Max test.
    const lines = [
      'INFO 12-07 06:03:47 [model_lifecycle.py:312] MLX-LM model loaded in 3.10s: mlx-community/GLM-4.7-Flash-4bit',
      'INFO 12-07 06:03:47 [cache_policy.py:1091] Paged attention memory breakdown: metal_limit=22.90GB, ' +
        'fraction=0.9, usable_metal=20.61GB, model_memory=16.85GB, overhead=0.21GB, kv_budget=3.55GB, ' +
        'per_block_bytes=1835008, num_blocks=1934, max_tokens_cached=30944',
      'INFO 12-07 06:03:47 [kv_cache_utils.py:1311] GPU KV cache size: 30,944 tokens',
      'INFO 12-07 06:03:47 [kv_cache_utils.py:1315] Maximum concurrency for 8,192 tokens per request: 3.78x',
    ];
    expect(metalFiguresFromLog(lines)).toEqual({
      weightsBytes: 16.85e9,
      overheadBytes: 0.21e9,
      kvBytes: 3.55e9,
      metalLimitBytes: 22.9e9,
      kvTokens: 30_944,
      maxModelLen: 8192,
      maxConcurrency: 3.78,
    });
  });

  it('reads its refusal as a cache of no tokens', () => {
    const refusal =
      'ValueError: Paged attention: not enough Metal memory for KV cache. metal_limit=11.45GB, fraction=0.1, ' +
      'usable_metal=1.15GB, model_memory=1.81GB, overhead=0.21GB, kv_budget=-0.87GB. Mitigations: increase ' +
      'VLLM_METAL_MEMORY_FRACTION; use a smaller or more quantized model.';
    expect(metalFiguresFromLog([refusal])).toMatchObject({ kvBytes: 0, kvTokens: 0, weightsBytes: 1.81e9 });
  });
});
