import { describe, expect, it } from 'vitest';
import { explainExit, explainFailure } from './failures.js';

describe("explaining a failed start from vLLM's log", () => {
  it('no memory for the cache blocks names the KV cache and the fix', () => {
    const explanation = explainFailure('vllm-qwen3', [
      'INFO loading',
      'ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.',
    ]);
    expect(explanation).toEqual({
      message: 'vllm-qwen3 found no memory left for its KV cache after loading the weights',
      fix: 'lower the KV cache (tuning.vllm-qwen3.kvCacheGiB) or the GPU share, give the engine more memory, or turn another model off',
    });
  });

  it("vllm-metal's refusal of a share with no room for a cache says the share and the weights", () => {
    // vllm_metal/v1/cache_policy.py, _validate_paged_attention_plan, with its breakdown.
    const line =
      'ValueError: Paged attention: not enough Metal memory for KV cache. metal_limit=11.45GB, fraction=0.1, ' +
      'usable_metal=1.15GB, model_memory=1.81GB, overhead=0.21GB, kv_budget=-0.87GB. Mitigations: increase ' +
      'VLLM_METAL_MEMORY_FRACTION; use a smaller or more quantized model.';
    expect(explainFailure('vllm-llama3', [line])?.message).toBe(
      "vllm-llama3's share of the Mac's GPU (0.1 of 11.45 GB) leaves -0.87 GB for its KV cache after 1.81 GB of weights",
    );
  });

  it('a context too long for the KV cache suggests the length vLLM estimated', () => {
    const line =
      "ValueError: To serve at least one request with the models's max seq len (131072), (14.00 GiB KV cache is needed, which is larger than the available KV cache memory (4.00 GiB). Based on the available memory, the estimated maximum model length is 37440. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.";
    expect(explainFailure('vllm-llama3', [line])).toEqual({
      message: "vllm-llama3's KV cache holds 4.00 GiB, but one 131072-token request needs 14.00 GiB",
      fix: 'berth up again: the next plan gives it the context vLLM holds (37440 tokens at most); or raise tuning.vllm-llama3.kvCacheGiB',
    });
  });

  it('the refusal counted in tokens says how many the cache holds, and the context that fits', () => {
    // As users report it from vLLM's log (a Mistral 7B in a docker-compose stack).
    const line =
      "ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be stored in KV cache (16832). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.";
    expect(explainFailure('vllm-mistral', [line])).toEqual({
      message: "vllm-mistral's KV cache holds 16,832 tokens, fewer than one 32,768-token request",
      fix: 'berth up again: the next plan gives it the context vLLM holds (16832 tokens at most); or raise tuning.vllm-mistral.kvCacheGiB',
    });
  });

  it("vLLM's core process that died under a live API server: said as such, with the way back", () => {
    // As vLLM's client logs it, copied from users' reports (core_client.py, V1 engine).
    const line =
      'ERROR 12-01 23:08:02 [core_client.py:564] Engine core proc EngineCore_DP0 died unexpectedly, shutting down client.';
    expect(explainFailure('vllm-qwen3', ['INFO Avg prompt throughput: 0.0 tokens/s', line])).toEqual({
      message: "vllm-qwen3's vLLM core process (EngineCore_DP0) died while its API server still answers",
      fix: 'read what came before it in its log (berth logs vllm-qwen3 --tail 200), then start it again: berth down vllm-qwen3 && berth up vllm-qwen3',
    });
  });

  it('a gated repository tells a missing token (401) from a token without access (403)', () => {
    expect(explainFailure('vllm-llama3', ['huggingface_hub.errors.GatedRepoError: 401 Client Error.'])?.fix).toMatch(
      /set HF_TOKEN/,
    );
    expect(explainFailure('vllm-llama3', ['huggingface_hub.errors.GatedRepoError: 403 Client Error.'])?.fix).toMatch(
      /accept the model's license/,
    );
  });

  it('recognises Illegal instruction, a too-long max_model_len, GPU memory taken, and a port clash', () => {
    expect(explainFailure('vllm-qwen3', ['Illegal instruction (core dumped)'])?.message).toMatch(
      /x86 images before vLLM 0.17.0 need AVX-512/,
    );
    expect(explainFailure('vllm-qwen3', ['Illegal instruction (core dumped)'])?.fix).toMatch(
      /^use a vLLM CPU image from 0.17.0 on \(remove images.vllm-qwen3 from settings/,
    );
    expect(
      explainFailure('vllm-coder', [
        'ValueError: User-specified max_model_len (65536) is greater than the derived max_model_len (max_position_embeddings=32768)',
      ])?.message,
    ).toBe('vllm-coder was asked for a 65536-token context, more than the model supports');
    expect(
      explainFailure('vllm-gpt-oss', [
        'ValueError: Free memory on device (20.1/79.1 GiB) on startup is less than desired GPU memory utilization (0.46, 36.4 GiB).',
      ])?.message,
    ).toMatch(/less free memory than its share/);
    expect(
      explainFailure('litellm', [
        'Error starting userland proxy: listen tcp4 127.0.0.1:4000: bind: address already in use',
      ])?.fix,
    ).toBe('stop that program, or choose another port (ports.litellm in settings)');
  });

  it("tells a weights download's failures apart, each with its own fix: no such repo, a full disk, no network", () => {
    expect(
      explainFailure('vllm-qwen3', [
        'BERTH-ERROR 404 RepositoryNotFoundError: 404 Client Error. Repository Not Found for url: https://huggingface.co/api/models/x/y.',
      ]),
    ).toEqual({
      message: "vllm-qwen3's model is not on Hugging Face under that id (or it is private)",
      fix: 'check the model\'s id (settings: "models"), or set HF_TOKEN to a token that can see a private repository',
    });
    expect(
      explainFailure('vllm-qwen3', ["BERTH-ERROR NOSPACE OSError: [Errno 28] No space left on device: '/root/.cache'"])
        ?.message,
    ).toBe("the disk filled up while vllm-qwen3's weights were downloading");
    expect(explainFailure('vllm-qwen3', ['OSError: [Errno 28] No space left on device'])?.fix).toMatch(
      /^free space where Docker keeps its volumes/,
    );
    expect(
      explainFailure('vllm-qwen3', [
        'BERTH-ERROR NETWORK LocalEntryNotFoundError: An error happened while trying to locate the file on the Hub',
      ])?.message,
    ).toBe('vllm-qwen3 could not reach Hugging Face to download its weights');
    expect(
      explainFailure('vllm-qwen3', [
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/Qwen/Qwen3-1.7B (Caused by NameResolutionError: Failed to resolve 'huggingface.co')",
      ])?.fix,
    ).toMatch(/^check the network/);
  });

  it('says nothing about an ordinary log', () => {
    expect(explainFailure('vllm-qwen3', ['INFO Starting vLLM API server on http://0.0.0.0:8000'])).toBeUndefined();
  });

  it('explains an OOM kill and an unexplained exit', () => {
    expect(explainExit('vllm-qwen3', 137, true, '5.3 GiB').message).toBe(
      'vllm-qwen3 was killed for running out of memory (limit 5.3 GiB)',
    );
    expect(explainExit('litellm', 3, false).fix).toBe('read its log: berth logs litellm --tail 200');
  });
});
