import { describe, expect, it } from 'vitest';
import { planStack } from './plan.js';
import { DEFAULT_SETTINGS } from '../contracts/settings.js';
import type { HostFacts } from '../contracts/host-facts.js';
import type { StackPlan } from '../contracts/stack-plan.js';
import { GiB } from '../units.js';
import { host } from '../../../test/support/hosts.js';

/** The numbers a reader compares with the reference setup's README. */
function summary(plan: StackPlan) {
  return plan.services
    .filter((s) => s.role === 'model')
    .map((s) => ({
      name: s.name,
      cpuset: s.cpuset,
      bind: s.env.VLLM_CPU_OMP_THREADS_BIND,
      kvCacheGiB: s.env.VLLM_CPU_KVCACHE_SPACE,
      gpus: s.gpus,
      share: s.gpuMemoryUtilization,
      context: s.model?.maxModelLen,
      waitsFor: s.dependsOn.map((d) => `${d.service}:${d.condition}`),
    }));
}

function reasonsOf(plan: StackPlan, name: string): string {
  return plan.services.find((s) => s.name === name)?.reasons.join('\n') ?? '';
}

describe('golden: an 8-CPU Mac against the reference setup (cores 0-3 and 4-7, 4 GiB KV cache each)', () => {
  const mac = host('macbook-docker-desktop-8cpu-8gib');
  const roomyMac: HostFacts = { ...mac, engine: mac.engine && { ...mac.engine, memoryBytes: 24 * GiB } };

  it('with enough memory: the reference 4 GiB KV caches, and one core kept for the frontends, which the reasons explain', () => {
    const plan = planStack(roomyMac, DEFAULT_SETTINGS);
    expect(plan.profile).toBe('development');
    expect(summary(plan)).toEqual([
      { name: 'vllm-qwen3', cpuset: '0-2', bind: '0-2', kvCacheGiB: '4', gpus: undefined, share: undefined, context: 36864, waitsFor: [] },
      { name: 'vllm-llama3', cpuset: '3-6', bind: '3-6', kvCacheGiB: '4', gpus: undefined, share: undefined, context: 36864, waitsFor: [] },
    ]);
    expect(plan.warnings).toEqual([]);
    for (const name of ['vllm-qwen3', 'vllm-llama3']) {
      expect(reasonsOf(plan, name)).toMatch(/core 7 kept free for vLLM's API servers, litellm and Open WebUI/);
      expect(reasonsOf(plan, name)).toMatch(/KV cache 4 GiB: the reference setup's 4 GiB/);
    }
    expect(reasonsOf(plan, 'vllm-llama3')).toMatch(/larger models get the odd core/);
    // The reference leaves --max-model-len unset: Llama 3.2's 128k context would not fit 4 GiB and vLLM would refuse to start.
    expect(reasonsOf(plan, 'vllm-llama3')).toMatch(/the model allows 128k; without --max-model-len vLLM would refuse to start/);
  });

  it('with Docker Desktop at 8 GiB: refuses to pretend, and says what to change', () => {
    const plan = planStack(mac, DEFAULT_SETTINGS);
    expect(summary(plan).map((s) => [s.cpuset, s.kvCacheGiB])).toEqual([
      ['0-2', '1'],
      ['3-6', '1'],
    ]);
    expect(plan.warnings).toEqual([
      {
        code: 'insufficient-memory',
        message:
          "Docker Desktop gives containers 8 GiB; the CPU models need 15.8 GiB with the other services (weights, at least 1 GiB KV cache each, runtime): raise Docker Desktop's memory to 16 GiB or turn off vllm-llama3.",
      },
    ]);
  });
});

describe('golden: one 80 GB GPU against the reference setup (0.45 each, 16k context, the second after the first)', () => {
  const plan = planStack(host('gpu-server-1x80gb'), DEFAULT_SETTINGS);

  it('shares the card within 0.9, gives each model its full context, and starts the second once the first is healthy', () => {
    expect(plan.profile).toBe('production');
    expect(summary(plan)).toEqual([
      { name: 'vllm-coder', cpuset: undefined, bind: undefined, kvCacheGiB: undefined, gpus: [0], share: 0.43, context: 32768, waitsFor: [] },
      { name: 'vllm-gpt-oss', cpuset: undefined, bind: undefined, kvCacheGiB: undefined, gpus: [0], share: 0.46, context: 131072, waitsFor: ['vllm-coder:healthy'] },
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('says why it beats the reference: contexts computed from the KV cache left, not found by trial and error', () => {
    expect(reasonsOf(plan, 'vllm-coder')).toMatch(/context 32k tokens: the model's limit, which fits in the .* of KV cache left at this share \(the reference setup found 16k by trial and error\)/);
    expect(reasonsOf(plan, 'vllm-gpt-oss')).toMatch(/starts after vllm-coder is healthy/);
    expect(reasonsOf(plan, 'vllm-gpt-oss')).toMatch(/GPU share 0.46 of the card's total memory/);
  });
});

describe('two 40 GB GPUs', () => {
  it('give each model a card of its own at 0.9, with no start order between them', () => {
    const plan = planStack(host('gpu-server-2x40gb'), DEFAULT_SETTINGS);
    expect(summary(plan).map((s) => [s.name, s.gpus, s.share, s.context, s.waitsFor])).toEqual([
      ['vllm-coder', [0], 0.9, 32768, []],
      ['vllm-gpt-oss', [1], 0.9, 131072, []],
    ]);
    expect(reasonsOf(plan, 'vllm-coder')).toMatch(/there is a card for each model/);
  });
});
