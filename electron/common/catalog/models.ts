import { GiB, KiB } from '../units.js';

/** A model Berth can serve with vLLM, with the architecture numbers the planner sizes it from. */
export interface ModelSpec {
  /** Container and service name, e.g. `vllm-qwen3`. */
  service: string;
  /** Hugging Face id. */
  id: string;
  /** Name litellm and clients use. */
  servedName: string;
  device: 'cpu' | 'gpu';
  /** Needs HF_TOKEN with access granted on Hugging Face. */
  gated: boolean;
  layers: number;
  kvHeads: number;
  headDim: number;
  /** The longest context the model accepts (its max position embeddings). */
  maxModelLen: number;
  /** Weights in the dtype served (bf16, or the shipped quantisation). */
  weightsBytes: number;
  /** Set where layers differ (sliding windows); otherwise 2 × layers × KV heads × head dim × 2 bytes. */
  kvBytesPerToken?: number;
}

/** The four models of the reference setup: two CPU models for development, two GPU models for production. */
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
    weightsBytes: 13e9,
    // Half the layers use a 128-token sliding window; counting every layer at full length keeps the estimate safe.
    kvBytesPerToken: 48 * KiB,
  },
];

/** KV cache bytes one token needs: 2 (K and V) × layers × KV heads × head dim × bytes per element. */
export function kvBytesPerToken(model: ModelSpec, dtypeBytes = 2): number {
  return model.kvBytesPerToken ?? 2 * model.layers * model.kvHeads * model.headDim * dtypeBytes;
}
