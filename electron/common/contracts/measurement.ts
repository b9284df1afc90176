import { z } from 'zod';
import { TrialFiguresSchema } from './upgrade.js';

/**
 * A model server's figures in vLLM's own terms: what the plan expects vLLM to report (`expected` on a planned model)
 * and what vLLM reported when it started (`measured`). Bytes are bytes; tokens and concurrency are what vLLM logs as
 * "GPU KV cache size: N tokens" and "Maximum concurrency for L tokens per request: C×".
 */
export const VllmFiguresSchema = z.object({
  /** "Model loading took X GiB". */
  weightsBytes: z.number().nonnegative().optional(),
  /** The KV cache: VLLM_CPU_KVCACHE_SPACE on the CPU, "Available KV cache memory" on a GPU. */
  kvBytes: z.number().nonnegative().optional(),
  kvTokens: z.number().int().nonnegative().optional(),
  maxConcurrency: z.number().nonnegative().optional(),
  /** The context the concurrency is counted for: L of "Maximum concurrency for L tokens per request". */
  maxModelLen: z.number().int().positive().optional(),
  /** Memory beside weights and KV: the three processes on the CPU; activations and CUDA graphs in a GPU share. */
  overheadBytes: z.number().nonnegative().optional(),
  /** The container's peak memory (cgroup memory.peak), for CPU models. */
  peakBytes: z.number().nonnegative().optional(),
  /** The container's memory limit when it was measured. */
  limitBytes: z.number().nonnegative().optional(),
  /** The kernel killed it at its limit. */
  oomKilled: z.boolean().optional(),
  /** vLLM's KV block size (vllm:cache_config_info). */
  blockTokens: z.number().int().positive().optional(),
});

/** One model server's start, measured: keyed by the image, the model, the device and the engine it ran on. */
export const MeasurementSchema = z.object({
  service: z.string(),
  image: z.string(),
  model: z.string(),
  device: z.enum(['cpu', 'gpu', 'metal']),
  engine: z.string(),
  /** When it was measured (ISO 8601). */
  at: z.string(),
  planned: VllmFiguresSchema,
  measured: VllmFiguresSchema,
  /** What `berth upgrade` measured of this start with its fixed prompts: to a first answer and token, and speed. */
  trialled: TrialFiguresSchema.pick({ startSeconds: true, ttftSeconds: true, tokensPerSecond: true }).optional(),
});

export const MeasurementsFileSchema = z.object({
  schema: z.literal(1),
  entries: z.record(z.string(), MeasurementSchema),
});

export type VllmFigures = z.infer<typeof VllmFiguresSchema>;
export type Measurement = z.infer<typeof MeasurementSchema>;
export type MeasurementsFile = z.infer<typeof MeasurementsFileSchema>;

/** The key a measurement is kept under: the same image, model, device and engine plan alike. */
export function measurementKey(m: Pick<Measurement, 'image' | 'model' | 'device' | 'engine'>): string {
  return [m.engine, m.image, m.model, m.device].join('|');
}

/** Measured above planned by more than this is a warning: the plan was wrong for this machine. */
export const OVER_PLAN_RATIO = 1.1;
