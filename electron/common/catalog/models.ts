import type { ModelNumbers } from '../contracts/model-numbers.js';
import { GiB } from '../units.js';

/** A model Berth can serve with vLLM, with the architecture numbers the planner sizes it from. */
export interface ModelSpec extends ModelNumbers {
  /** Container and service name, e.g. `vllm-qwen3`. */
  service: string;
  /** Hugging Face id. */
  id: string;
  /** Name litellm and clients use. */
  servedName: string;
  device: 'cpu' | 'gpu';
  /** Needs HF_TOKEN with access granted on Hugging Face. */
  gated: boolean;
  /** Weights as vLLM loads them (its "Model loading took X GiB"): bf16, or the shipped quantisation. */
  weightsBytes: number;
  /**
   * vLLM's tool-call parser for the model's chat template (`--tool-call-parser`), so a request that carries `tools`
   * (Open WebUI's native function calling, agents through litellm) is answered instead of refused; none: tools off.
   */
  toolCallParser?: string;
  /** Why tools are off for a model whose family has a parser that does not read its calls, with the evidence. */
  toolCallsOff?: string;
  /**
   * What an earlier start of this model, on this image and engine, measured (BERTH_HOME/measured.json), which the plan
   * uses instead of its defaults: the CPU server's runtime beside weights and KV, or a GPU share's activations and CUDA
   * graphs. The weights then are vLLM's own "Model loading took".
   */
  measured?: {
    at: string;
    runtimeBytes?: number;
    overheadInShareBytes?: number;
    /**
     * How much more KV cache a token took than config.json's arithmetic, as vLLM reported it ("KV cache size: N
     * tokens" for the cache it was given): 1.87 where it held 53% of the tokens the arithmetic expects. Never below 1.
     */
    kvScale?: number;
    why: string;
  };
}

/**
 * The four models of the reference setup: two CPU models for development, two GPU models for production. Their
 * tool-call parsers are the ones vLLM's tool-calling docs name for each family (docs/features/tool_calling.md: Qwen2.5
 * and Qwen3 `hermes`, Llama 3.x `llama3_json`) and its gpt-oss recipe (`openai`).
 */
export const BUILTIN_MODELS: readonly ModelSpec[] = [
  {
    service: 'vllm-qwen3',
    id: 'Qwen/Qwen3-1.7B',
    servedName: 'qwen3-1.7b',
    device: 'cpu',
    gated: false,
    layers: 28,
    kvHeads: 8,
    headDim: 128,
    maxModelLen: 40960,
    weightsBytes: 3.4e9,
    toolCallParser: 'hermes',
  },
  {
    service: 'vllm-llama3',
    id: 'meta-llama/Llama-3.2-3B-Instruct',
    servedName: 'llama3.2-3b',
    device: 'cpu',
    gated: true,
    layers: 28,
    kvHeads: 8,
    headDim: 128,
    maxModelLen: 131072,
    weightsBytes: 6.0 * GiB,
    toolCallParser: 'llama3_json',
  },
  {
    service: 'vllm-coder',
    id: 'Qwen/Qwen2.5-Coder-7B-Instruct',
    servedName: 'qwen2.5-coder-7b',
    device: 'gpu',
    gated: false,
    layers: 28,
    kvHeads: 4,
    headDim: 128,
    maxModelLen: 32768,
    weightsBytes: 15.2e9,
    // vLLM's docs name hermes for Qwen2.5, but the Coder models write their calls as JSON, not in hermes's tags: with
    // it, calls arrive as plain text and tool_calls stays empty (vllm-project/vllm#32926; the docs' note, #47878).
    // vLLM 0.31 has no parser for their format (the proposed qwen2_5_coder parser, #32931, is still open in December).
    toolCallsOff:
      "Qwen2.5-Coder writes its tool calls as JSON, not in the <tool_call> tags vLLM's hermes parser reads, so with " +
      'it they arrive as plain text and tool_calls stays empty (vllm-project/vllm#32926); vLLM has no parser for its ' +
      'format',
  },
  {
    service: 'vllm-gpt-oss',
    id: 'openai/gpt-oss-20b',
    servedName: 'gpt-oss-20b',
    device: 'gpu',
    gated: false,
    layers: 24,
    kvHeads: 8,
    headDim: 64,
    maxModelLen: 131072,
    // vLLM reports "Model loading took 13.72 GiB" for it (MXFP4 experts, bf16 attention).
    weightsBytes: 13.72 * GiB,
    // Its config.json alternates sliding_attention (window 128) and full_attention layers.
    slidingWindow: { layers: 12, tokens: 128 },
    toolCallParser: 'openai',
  },
];
