import type { HostFacts } from '../../contracts/host-facts.js';
import type { Settings } from '../../contracts/settings.js';
import { GiB } from '../../units.js';

/* One memory account for the whole Mac (docs/decisions/0014): the models on its GPU, the engine's VM and the room kept
 * for the user's own apps all come out of the same unified memory. */

/**
 * The share of a Mac's memory Metal lets the GPU wire by default (`recommendedMaxWorkingSetSize`), used only where it
 * could not be read: two thirds, as measured on a 16 GB M4 (10.67 GB: exo-explore/exo#1672) and a 32 GB M2 Max
 * (22.9 GB, vllm-project/vllm-metal tests/test_platform.py, TestKvBudgetBytes). Larger Macs get more (107.52 GiB of
 * 128 GiB on an M5 Max: antirez/ds4#893); two thirds is the lower figure, so a plan made without the real one errs on
 * the safe side.
 */
export const DEFAULT_WORKING_SET_SHARE = 2 / 3;

/**
 * vllm-metal's own memory beside the weights and the KV cache in its Metal share: the activations of its profile run
 * (`overhead` in its "Paged attention memory breakdown" line, vllm_metal/v1/cache_policy.py). Its tests take 200 MB for
 * a real M2 Max run (tests/test_platform.py); Berth keeps 0.5 GB, and a measured start replaces it.
 */
export const METAL_OVERHEAD_BYTES = 0.5e9;

/**
 * A vllm-metal server's memory outside Metal's working set: Python, PyTorch and vLLM's API server and core process.
 * Unverified: no public figure of vllm-metal's resident memory beside MLX's was found; 1 GiB is Berth's estimate.
 */
export const METAL_PROCESS_BYTES = 1 * GiB;

/** vllm-metal's KV blocks: its Metal kernels page in blocks of 16 tokens (vllm_metal/platform.py). */
export const METAL_BLOCK_TOKENS = 16;

/**
 * vLLM's `--max-num-batched-tokens` for a model on Metal: 2048, what vllm-metal's recipes give a 16 GB Mac and vLLM's
 * default below 70 GiB (vllm/engine/arg_utils.py); it sizes a sliding window's reservation.
 */
export const METAL_BATCHED_TOKENS = 2048;

export interface MacMemory {
  totalBytes: number;
  workingSetBytes: number;
  workingSetFrom: 'metal' | 'wired-limit' | 'default-share';
  vmBytes: number;
  appsRoomBytes: number;
  budgetBytes: number;
}

/**
 * What the models on the Mac's GPU may take: Metal's working-set limit (what it lets the GPU wire; wired memory cannot
 * be swapped), or the Mac's memory less the engine's VM and the room for the user's apps, whichever is less.
 */
export function macMemory(facts: HostFacts, settings: Settings): MacMemory {
  const totalBytes = facts.memory.totalBytes;
  const measured = facts.memory.gpuWorkingSetBytes;
  const workingSetBytes = measured ?? Math.floor(totalBytes * DEFAULT_WORKING_SET_SHARE);
  const vmBytes = facts.engine?.memoryBytes ?? 0;
  const appsRoomBytes = settings.metal.appsRoomGiB * GiB;
  return {
    totalBytes,
    workingSetBytes,
    workingSetFrom: measured ? (facts.memory.gpuWorkingSetFrom ?? 'metal') : 'default-share',
    vmBytes,
    appsRoomBytes,
    budgetBytes: Math.max(0, Math.min(workingSetBytes, totalBytes - vmBytes - appsRoomBytes)),
  };
}
