import type { ModelSpec } from '../../catalog/models.js';

/**
 * The default models as 4-bit MLX checkpoints, for Macs where their bf16 weights leave too little room: vllm-metal
 * loads MLX checkpoints natively (its docs/supported_models.md lists mlx-community 4-bit checkpoints for Qwen and Llama
 * 3 families), and its recipes give a 16 GB Mac a 4-bit model.
 */
export interface MetalCheckpoint {
  id: string;
  weightsBytes: number;
  /** Where the repository and its size were read. */
  source: string;
}

export const METAL_4BIT: Readonly<Record<string, MetalCheckpoint>> = {
  // mlx-lm quantises to 4 bits in groups of 64 with a bf16 scale and bias each: 4.5 bits a weight. Qwen3-1.7B's 1.72B
  // parameters (1.4B besides its tied 151,936 × 2,048 embedding, per its model card) are then 0.97 GB; the same
  // arithmetic gives Llama 3.2 3B's 3.21B parameters 1.81 GB, the 1.8 GB published for its checkpoint below.
  'vllm-qwen3': {
    id: 'mlx-community/Qwen3-1.7B-4bit',
    weightsBytes: 0.97e9,
    source: 'huggingface.co/mlx-community/Qwen3-1.7B-4bit (revision 3b1b1768f8f8 pinned by public projects)',
  },
  'vllm-llama3': {
    id: 'mlx-community/Llama-3.2-3B-Instruct-4bit',
    weightsBytes: 1.8e9,
    source: 'huggingface.co/mlx-community/Llama-3.2-3B-Instruct-4bit: 1.8 GB of weights (simonw/llm-mlx README)',
  },
};

/** The model as its 4-bit MLX checkpoint, where Berth knows one; the same id otherwise. */
export function fourBit(model: ModelSpec): ModelSpec {
  const checkpoint = METAL_4BIT[model.service];
  if (!checkpoint) return model;
  // The community's conversions of an open model carry no gate of their own.
  return { ...model, id: checkpoint.id, weightsBytes: checkpoint.weightsBytes, gated: false };
}
