import { describe, expect, it } from 'vitest';
import { host } from '../../../test/support/hosts.js';
import { startOf } from '../../../test/support/measurements.js';
import { DEFAULT_SETTINGS } from '../contracts/settings.js';
import type { Measurement } from '../contracts/measurement.js';
import { planStack } from './plan.js';
import { implausibleFigures, memoryCeilingBytes } from './measured-bounds.js';

const GiB = 1024 ** 3;

describe('figures read back from a model server are bounded by the machine', () => {
  const facts = host('server-64core');
  const plain = planStack(facts, DEFAULT_SETTINGS);
  const planned = plain.services.find((s) => s.name === 'vllm-qwen3');
  if (!planned) throw new Error('no vllm-qwen3 in the plan');
  /** The start as vLLM would log it, with one figure replaced. */
  const start = (measured: Measurement['measured']) => startOf(plain, facts, 'vllm-qwen3', measured);

  it('"Model loading took 999999999 GiB" is refused: the plan keeps its own limit, not one of 1.07e18 bytes', () => {
    // 999,999,999 GiB = 1.07e18 bytes, past all the memory of any machine.
    const absurd = start({ weightsBytes: 999_999_999 * GiB, peakBytes: 8 * GiB });
    const plan = planStack(facts, DEFAULT_SETTINGS, { measurements: [absurd] });
    const qwenAfter = plan.services.find((s) => s.name === 'vllm-qwen3');
    expect(qwenAfter?.memoryBytes).toBe(planned.memoryBytes);
    expect(qwenAfter?.memoryBytes).toBeLessThanOrEqual(facts.engine?.memoryBytes ?? 0);
  });

  it('a plausible start still moves the plan (the bound refuses only the impossible)', () => {
    // A peak of 12 GiB: 12 − 3.4 GB weights − the planned KV, × 1.15, is more than the 2.6 GB runtime planned.
    const plan = planStack(facts, DEFAULT_SETTINGS, {
      measurements: [start({ weightsBytes: 3.4e9, peakBytes: 12 * GiB })],
    });
    expect(plan.services.find((s) => s.name === 'vllm-qwen3')?.memoryBytes).toBeGreaterThan(planned.memoryBytes ?? 0);
  });

  it('says why for each kind of impossible figure', () => {
    const ceiling = 64 * GiB;
    expect(implausibleFigures({ weightsBytes: 65 * GiB }, ceiling)).toBe(
      'weightsBytes 65 GiB is more than the 64 GiB this machine has',
    );
    expect(implausibleFigures({ peakBytes: -1 }, ceiling)).toBe('peakBytes -1 is not a size');
    expect(implausibleFigures({ kvBytes: Number.NaN }, ceiling)).toBe('kvBytes NaN is not a size');
    expect(implausibleFigures({ kvTokens: Infinity }, ceiling)).toBe('kvTokens Infinity is not a count it can hold');
    expect(implausibleFigures({ weightsBytes: 3.4e9, kvTokens: 19_968, maxConcurrency: 2.4 }, ceiling)).toBeUndefined();
  });

  it("the ceiling is the engine's or the host's memory, whichever is more, and every card's", () => {
    const gpu = host('gpu-server-2x40gb');
    const cards = gpu.gpus.reduce((sum, g) => sum + (g.memoryBytes ?? 0), 0);
    expect(memoryCeilingBytes(gpu)).toBe(Math.max(gpu.engine?.memoryBytes ?? 0, gpu.memory.totalBytes) + cards);
  });
});
