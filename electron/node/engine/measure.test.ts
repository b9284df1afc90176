import { describe, expect, it } from 'vitest';
import { figuresFromLog } from './measure.js';

const GiB = 1024 ** 3;

describe("what a start says of itself, from vLLM's log", () => {
  it("V1's refusal: the context asked, the cache it had, and the longest context that fits, which is what it holds", () => {
    // Llama-3.2-3B on the CPU with 2 GiB of KV cache: config.json gives 2 × 28 layers × 8 KV heads × 128 × 2 bytes =
    // 114,688 bytes a token; 128-token blocks of 14,680,064 bytes, 146 of them in 2 GiB, so 18,688 tokens; a
    // 36,864-token request needs 288 blocks, 3.94 GiB. Worded as vllm/v1/core/kv_cache_utils.py words it.
    const line =
      "ValueError: To serve at least one request with the model's max seq len (36864), (3.94 GiB KV cache is needed, " +
      'which is larger than the available KV cache memory (2.0 GiB). Based on the available memory, the estimated ' +
      'maximum model length is 18688. Try increasing `gpu_memory_utilization` (which also controls CPU memory on the ' +
      'CPU backend) or decreasing `max_model_len` when initializing the engine. See ' +
      'https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.';
    expect(figuresFromLog(['INFO Model loading took 6.0000 GiB memory and 3.2 seconds', line])).toEqual({
      weightsBytes: 6 * GiB,
      kvBytes: 2 * GiB,
      kvTokens: 18_688,
      maxModelLen: 36_864,
      // 18,688 / 36,864 = 0.507, floored to two places as vLLM prints its concurrency.
      maxConcurrency: 0.5,
    });
  });

  it('V1 with no context that fits at all: nothing held', () => {
    const line =
      "ValueError: To serve at least one request with the models's max seq len (8192), (0.88 GiB KV cache is needed, " +
      'which is larger than the available KV cache memory (0.0 GiB). Try increasing `gpu_memory_utilization` or ' +
      'decreasing `max_model_len` when initializing the engine.';
    expect(figuresFromLog([line])).toEqual({ kvBytes: 0, kvTokens: 0, maxModelLen: 8192, maxConcurrency: 0 });
  });

  it("V0's refusal, counted in tokens", () => {
    const line =
      "ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be stored in " +
      'KV cache (16832). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing ' +
      'the engine.';
    // 16,832 / 32,768 = 0.514.
    expect(figuresFromLog([line])).toEqual({ kvTokens: 16_832, maxModelLen: 32_768, maxConcurrency: 0.51 });
  });

  it('a start that answered: its own lines, and no refusal read into them', () => {
    expect(
      figuresFromLog([
        'INFO 12-07 10:00:01 [kv_cache_utils.py:1311] GPU KV cache size: 74,752 tokens',
        'INFO 12-07 10:00:01 [kv_cache_utils.py:1315] Maximum concurrency for 36,864 tokens per request: 2.03x',
      ]),
    ).toEqual({ kvTokens: 74_752, maxModelLen: 36_864, maxConcurrency: 2.03 });
  });
});
