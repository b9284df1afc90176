import { sameWarning, type PlanWarning } from '../contracts/stack-plan.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsSchema } from '../contracts/settings.js';
import { host } from '../../../test/support/hosts.js';
import { modelFit, recreatedBy, replan, withTuning } from './what-if.js';
import { planStack } from './plan.js';

const inputs = (settings = DEFAULT_SETTINGS) => ({ settings, options: {} });

describe('what-if', () => {
  it('re-plans with the change: the model gets its 6 GiB of KV cache and a limit larger by the 5 GiB added, nothing else moves', () => {
    const facts = host('workstation-16c32t-2numa');
    const before = planStack(facts, DEFAULT_SETTINGS);
    const qwenBefore = before.services.find((s) => s.name === 'vllm-qwen3');
    expect(qwenBefore?.kvCacheGiB).not.toBe(6);
    const result = replan(facts, inputs(), withTuning(DEFAULT_SETTINGS, 'vllm-qwen3', { kvCacheGiB: 6 }));
    if (!result.ok) throw new Error(result.message);
    const qwen = result.plan.services.find((s) => s.name === 'vllm-qwen3');
    expect(qwen?.kvCacheGiB).toBe(6);
    expect(qwen?.env.VLLM_CPU_KVCACHE_SPACE).toBe('6');
    // The limit is weights + KV + runtime in 256 MiB steps: whole GiB of KV move it by exactly that much.
    expect((qwen?.memoryBytes ?? 0) - (qwenBefore?.memoryBytes ?? 0)).toBe(
      (6 - (qwenBefore?.kvCacheGiB ?? 0)) * 1024 ** 3,
    );
    const others = (plan: typeof before) => plan.services.filter((s) => s.name !== 'vllm-qwen3');
    expect(others(result.plan)).toEqual(others(before));
  });

  it('a change the planner refuses comes back as its field and reason, not a throw', () => {
    const result = replan(
      host('workstation-16c32t-2numa'),
      inputs(),
      withTuning(DEFAULT_SETTINGS, 'vllm-qwen3', { maxModelLen: 1_000_000 }),
    );
    expect(result).toEqual({
      ok: false,
      field: 'tuning.vllm-qwen3.maxModelLen',
      message: expect.stringMatching(/is more than Qwen\/Qwen3-1\.7B's limit of 40960 tokens/),
    });
  });

  it('names the services whose containers change, and only those', () => {
    const facts = host('workstation-16c32t-2numa');
    const before = planStack(facts, DEFAULT_SETTINGS);
    const after = planStack(facts, {
      ...DEFAULT_SETTINGS,
      ...withTuning(DEFAULT_SETTINGS, 'vllm-qwen3', { kvCacheGiB: 6 }),
    });
    expect(recreatedBy(before, after)).toEqual(['vllm-qwen3']);
    expect(recreatedBy(before, before)).toEqual([]);
  });

  it('an empty tuning removes the entry, so "let Berth choose" saves no leftovers', () => {
    expect(withTuning(SettingsSchema.parse({ tuning: { 'vllm-qwen3': { kvCacheGiB: 2 } } }), 'vllm-qwen3', {})).toEqual(
      { tuning: {} },
    );
  });

  it('model fit: Qwen3-4B on a 16-core workstation, on the Mac that is already full, and as a GPU model on a CPU profile', () => {
    const qwen4b = {
      id: 'Qwen/Qwen3-4B',
      device: 'cpu' as const,
      gated: false,
      layers: 36,
      kvHeads: 8,
      headDim: 128,
      maxModelLen: 40960,
      weightsGiB: 7.5,
    };
    const workstation = modelFit(host('workstation-16c32t-2numa'), inputs(), qwen4b);
    expect(workstation.verdict).not.toBe('no');
    expect(workstation.message).toMatch(/context/);
    const tiny = modelFit(host('laptop-vm-4cpu'), inputs(), { ...qwen4b, weightsGiB: 60 });
    expect(tiny).toMatchObject({ verdict: 'no' });
    expect(modelFit(host('workstation-16c32t-2numa'), inputs(), { ...qwen4b, device: 'gpu' })).toMatchObject({
      verdict: 'no',
      message: expect.stringMatching(/this is a GPU model, and the development profile runs CPU models/),
    });
  });
});

describe('a warning is identified by its code and its service', () => {
  it('not by its words: the same warning with figures moved by a slider is the same one', () => {
    const before: PlanWarning = { code: 'insufficient-memory', service: 'vllm-qwen3', message: 'needs 7.1 GiB, has 6' };
    expect(sameWarning(before, { ...before, message: 'needs 7.4 GiB, has 6' })).toBe(true);
    expect(sameWarning(before, { ...before, service: 'vllm-llama3' })).toBe(false);
    expect(sameWarning(before, { ...before, code: 'insufficient-cpus' })).toBe(false);
  });
});
