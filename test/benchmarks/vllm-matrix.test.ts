import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../electron/common/contracts/settings.js';
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import { planStack } from '../../electron/common/planner/plan.js';
import {
  VLLM_BENCH_SET,
  benchServeArgs,
  naivePlan,
  naiveRunsAlone,
  planSummary,
} from '../../benchmarks/vllm/matrix.js';
import { repoRoot } from '../support/repo-root.js';

const host = (name: string) =>
  JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'hosts', `${name}.json`), 'utf8')) as HostFacts;

describe('the vLLM benchmark set', () => {
  it("is the documented one, written as vLLM's bench serve flags", () => {
    expect(VLLM_BENCH_SET).toMatchObject({ dataset: 'random', inputLen: 512, outputLen: 128, concurrency: [1, 4, 16] });
    const args = benchServeArgs({
      baseUrl: 'http://litellm:4000',
      modelId: 'Qwen/Qwen3-1.7B',
      servedName: 'qwen3-1.7b',
      concurrency: 4,
      prompts: 16,
      inputLen: 512,
      outputLen: 128,
      resultDir: '/tmp/r',
      resultFile: 'x.json',
    });
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(args.slice(0, 2)).toEqual(['bench', 'serve']);
    expect([
      flag('--dataset-name'),
      flag('--random-input-len'),
      flag('--random-output-len'),
      flag('--max-concurrency'),
      flag('--num-prompts'),
    ]).toEqual(['random', '512', '128', '4', '16']);
    expect([flag('--model'), flag('--served-model-name'), flag('--base-url')]).toEqual([
      'Qwen/Qwen3-1.7B',
      'qwen3-1.7b',
      'http://litellm:4000',
    ]);
    expect(args).toContain('--ignore-eos');
    expect(flag('--metric-percentiles')).toBe('50,99');
  });
});

describe('the naive plan the planner is compared with', () => {
  it('unbinds CPU models and lets each use every core, keeping memory and KV cache', () => {
    const plan = planStack(host('laptop-vm-4cpu'), SettingsSchema.parse({ profile: 'development' }));
    const naive = naivePlan(plan);
    for (const model of plan.services.filter((s) => s.role === 'model')) {
      const unbound = naive.services.find((s) => s.name === model.name)!;
      expect(model.cpuset).toBeDefined();
      expect(unbound.cpuset).toBeUndefined();
      expect(unbound.env.VLLM_CPU_OMP_THREADS_BIND).toBe('nobind');
      expect(planSummary(unbound)).toMatchObject({
        kvCacheGiB: model.kvCacheGiB,
        memoryBytes: model.memoryBytes,
        cpuset: null,
      });
    }
    expect(naive.services.filter((s) => s.role !== 'model')).toEqual(plan.services.filter((s) => s.role !== 'model'));
    expect(naiveRunsAlone(plan)).toBe(false);
  });

  it("puts each GPU model alone on its card at vLLM's default share, waiting for no other model", () => {
    const plan = planStack(host('gpu-server-1x80gb'), SettingsSchema.parse({ profile: 'production' }));
    const naive = naivePlan(plan);
    expect(naiveRunsAlone(plan)).toBe(true);
    for (const model of naive.services.filter((s) => s.role === 'model')) {
      expect(model.gpuMemoryUtilization).toBe(0.9);
      expect(model.command[model.command.indexOf('--gpu-memory-utilization') + 1]).toBe('0.9');
      expect(model.dependsOn.filter((d) => d.service.startsWith('vllm-'))).toEqual([]);
    }
    expect(plan.services.filter((s) => s.role === 'model').some((s) => s.gpuMemoryUtilization !== 0.9)).toBe(true);
  });
});
