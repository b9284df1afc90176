import { describe, expect, it } from 'vitest';
import { planStack } from './plan.js';
import { DEFAULT_SETTINGS, SettingsSchema } from '../contracts/settings.js';
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

  it('with enough memory: the reference 4 GiB KV caches, and core 7 in each cpuset but no bind list, for the frontends', () => {
    const plan = planStack(roomyMac, DEFAULT_SETTINGS);
    expect(plan.profile).toBe('development');
    expect(summary(plan)).toEqual([
      { name: 'vllm-qwen3', cpuset: '0-2,7', bind: '0-2', kvCacheGiB: '4', gpus: undefined, share: undefined, context: 36864, waitsFor: [] },
      { name: 'vllm-llama3', cpuset: '3-7', bind: '3-6', kvCacheGiB: '4', gpus: undefined, share: undefined, context: 36864, waitsFor: [] },
    ]);
    expect(plan.warnings).toEqual([]);
    for (const name of ['vllm-qwen3', 'vllm-llama3']) {
      expect(reasonsOf(plan, name)).toMatch(/core 7 bound by no model: kept for vLLM's API servers, litellm and Open WebUI/);
      expect(reasonsOf(plan, name)).toMatch(/the reserved CPU 7, where vLLM's API server, engine core and tokenizer run without taking an OpenMP core/);
      expect(reasonsOf(plan, name)).toMatch(/KV cache 4 GiB: the reference setup's 4 GiB/);
    }
    expect(reasonsOf(plan, 'vllm-llama3')).toMatch(/larger models get the odd core/);
    // The reference leaves --max-model-len unset: Llama 3.2's 128k context would not fit 4 GiB and vLLM would refuse to start.
    expect(reasonsOf(plan, 'vllm-llama3')).toMatch(/the model allows 128k; without --max-model-len vLLM would refuse to start/);
  });

  it('with Docker Desktop at 8 GiB: refuses to pretend, and says what to change', () => {
    const plan = planStack(mac, DEFAULT_SETTINGS);
    expect(summary(plan).map((s) => [s.bind, s.cpuset, s.kvCacheGiB])).toEqual([
      ['0-2', '0-2,7', '1'],
      ['3-6', '3-7', '1'],
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
      { name: 'vllm-coder', cpuset: undefined, bind: undefined, kvCacheGiB: undefined, gpus: [0], share: 0.44, context: 32768, waitsFor: [] },
      { name: 'vllm-gpt-oss', cpuset: undefined, bind: undefined, kvCacheGiB: undefined, gpus: [0], share: 0.45, context: 131072, waitsFor: ['vllm-coder:healthy'] },
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('counts as vLLM does: the card as vLLM sees it, gpt-oss at 13.72 GiB with 24 KiB a token, CUDA graphs outside the shares', () => {
    expect(reasonsOf(plan, 'vllm-coder')).toMatch(/context 32k tokens: the model's limit, which fits in the .* of KV cache left at this share \(the reference setup found 16k by trial and error\)/);
    expect(reasonsOf(plan, 'vllm-gpt-oss')).toMatch(/starts after vllm-coder is healthy/);
    expect(reasonsOf(plan, 'vllm-gpt-oss')).toMatch(/GPU share 0.45 of the 79.2 GiB vLLM sees of the card \(NVML reports 79.6 GiB\): 13.7 GiB weights as vLLM loads them/);
    expect(reasonsOf(plan, 'vllm-gpt-oss')).toMatch(/2.5 GiB per model stays free outside the shares for CUDA graphs and non-torch memory/);
    expect(reasonsOf(plan, 'vllm-gpt-oss')).toMatch(/charges its 12 full-attention layers per token and only a 128-token window on the other 12/);
    expect(reasonsOf(plan, 'vllm-coder')).toMatch(/the 2 models on this card claim 0.89 together/);
  });

  it('prints shares as vLLM is given them: two decimals, in the command line too', () => {
    for (const service of plan.services.filter((s) => s.gpuMemoryUtilization !== undefined)) {
      const arg = service.command[service.command.indexOf('--gpu-memory-utilization') + 1];
      expect(arg).toMatch(/^0\.\d{1,2}$/);
      expect(Number(arg)).toBe(service.gpuMemoryUtilization);
    }
  });
});

describe('golden: one 24 GB card (RTX 4090), which cannot hold 27.9 GiB of production weights', () => {
  const facts = host('gpu-workstation-1x24gb');

  it('places the coder with its full context and leaves gpt-oss out, saying why and what would hold both', () => {
    const plan = planStack(facts, SettingsSchema.parse({ profile: 'production' }));
    expect(summary(plan)).toEqual([
      { name: 'vllm-coder', cpuset: undefined, bind: undefined, kvCacheGiB: undefined, gpus: [0], share: 0.89, context: 32768, waitsFor: [] },
    ]);
    expect(plan.warnings).toEqual([
      {
        code: 'gpu-model-left-out',
        message:
          'vllm-gpt-oss is left out: GPU 0 (NVIDIA GeForce RTX 4090, 23.5 GiB as vLLM sees it) holds vllm-coder, and both need a 38 GiB card at a 4k context with 2.5 GiB per model kept for CUDA graphs: add a card, use one with at least 38 GiB, or turn off vllm-coder (disabledModels) to run vllm-gpt-oss instead.',
      },
    ]);
    expect(plan.services.find((s) => s.name === 'litellm')?.reasons[0]).toMatch(/1 model \(qwen2.5-coder-7b\)/);
  });

  it('runs gpt-oss alone with its full 128k context once the coder is turned off', () => {
    const plan = planStack(facts, SettingsSchema.parse({ profile: 'production', disabledModels: ['vllm-coder'] }));
    expect(summary(plan).map((s) => [s.name, s.share, s.context])).toEqual([['vllm-gpt-oss', 0.89, 131072]]);
    expect(plan.warnings).toEqual([]);
  });

  it('pinned to the card together by settings: a blocking plan that names the card it would take', () => {
    const plan = planStack(facts, SettingsSchema.parse({ profile: 'production', tuning: { 'vllm-coder': { gpus: [0] }, 'vllm-gpt-oss': { gpus: [0] } } }));
    expect(plan.warnings).toEqual([expect.objectContaining({ code: 'insufficient-gpu-memory', blocking: true })]);
    expect(plan.warnings[0]?.message).toMatch(/cannot hold vllm-coder and vllm-gpt-oss as settings place them: they need a 38 GiB card/);
  });
});

describe('golden: four 24 GB L4 cards', () => {
  it('give each model a card of its own, at most 0.88 so CUDA graphs fit beside, with full contexts and no start order', () => {
    const plan = planStack(host('gpu-server-4xl4'), DEFAULT_SETTINGS);
    expect(plan.profile).toBe('production');
    expect(summary(plan).map((s) => [s.name, s.gpus, s.share, s.context, s.waitsFor])).toEqual([
      ['vllm-coder', [0], 0.88, 32768, []],
      ['vllm-gpt-oss', [1], 0.88, 131072, []],
    ]);
    expect(plan.warnings).toEqual([]);
    expect(reasonsOf(plan, 'vllm-coder')).toMatch(/there is a card for each model/);
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
