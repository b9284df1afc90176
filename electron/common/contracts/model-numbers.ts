import { z } from 'zod';

/**
 * Bounds on a model's numbers, above every model vLLM serves today (the largest have 126 layers, 128 KV heads, heads
 * of 512, contexts of 10M tokens and 2 TB of weights), so a typo or a hostile config.json is refused with its field
 * instead of planning "Infinity GiB".
 */
export const MODEL_LIMITS = {
  layers: 1024,
  heads: 1024,
  headDim: 1024,
  context: 16 * 1024 * 1024,
  weightsGiB: 8192,
} as const;

/**
 * The numbers the planner sizes a model from, as its config.json gives them: declared once, for the catalog, a
 * model added in settings, and what the Hub lookup reads.
 */
export const ModelNumbersSchema = z.object({
  layers: z.number().int().positive().max(MODEL_LIMITS.layers, `at most ${MODEL_LIMITS.layers}`),
  kvHeads: z.number().int().positive().max(MODEL_LIMITS.heads, `at most ${MODEL_LIMITS.heads}`),
  headDim: z.number().int().positive().max(MODEL_LIMITS.headDim, `at most ${MODEL_LIMITS.headDim}`),
  /** The longest context the model accepts (its max position embeddings). */
  maxModelLen: z
    .number()
    .int()
    .min(256)
    .max(MODEL_LIMITS.context, `at most ${MODEL_LIMITS.context.toLocaleString('en-US')} tokens`),
  /** Layers that attend to a sliding window of `tokens` instead of the whole context (config.json's layer_types). */
  slidingWindow: z
    .object({
      layers: z.number().int().positive().max(MODEL_LIMITS.layers),
      tokens: z.number().int().positive().max(MODEL_LIMITS.context),
    })
    .optional(),
});

export type ModelNumbers = z.infer<typeof ModelNumbersSchema>;
