import type { ModelNumbers } from './model-numbers.js';

/** A model's numbers read from the Hugging Face Hub, or what stopped the reading. */
export type ModelLookup =
  | {
      ok: true;
      model: ModelNumbers & {
        id: string;
        gated: boolean;
        weightsGiB: number;
        weightFiles: number;
        architecture?: string;
      };
    }
  | { ok: false; reason: 'unknown' | 'gated' | 'offline' | 'unreadable'; message: string };
