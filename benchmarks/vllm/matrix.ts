// The documented load of `npm run bench:vllm`, the naive plans it is compared with, and the shape of the results
// it records: plain functions, tested without vLLM (benchmarks/vllm/matrix.test.ts).
import { z } from 'zod';
import type { PlannedService, StackPlan } from '../../electron/common/contracts/stack-plan.js';

/** The documented set: vLLM's random dataset, 512 prompt tokens, 128 generated, at three concurrencies. */
export const VLLM_BENCH_SET = {
  dataset: 'random',
  inputLen: 512,
  outputLen: 128,
  concurrency: [1, 4, 16],
  /** Enough requests that every level of concurrency is held for several rounds. */
  prompts: (concurrency: number) => Math.max(8, concurrency * 4),
} as const;

export type BenchTarget = 'direct' | 'litellm';
export type PlanKind = 'berth' | 'naive';

/** `vllm bench serve` as run inside a model's container. */
export function benchServeArgs(options: {
  baseUrl: string;
  modelId: string;
  servedName: string;
  concurrency: number;
  prompts: number;
  inputLen: number;
  outputLen: number;
  resultDir: string;
  resultFile: string;
}): string[] {
  return [
    'bench',
    'serve',
    '--backend',
    'openai-chat',
    '--endpoint',
    '/v1/chat/completions',
    '--base-url',
    options.baseUrl,
    '--model',
    options.modelId,
    '--served-model-name',
    options.servedName,
    '--dataset-name',
    'random',
    '--random-input-len',
    String(options.inputLen),
    '--random-output-len',
    String(options.outputLen),
    '--ignore-eos',
    '--num-prompts',
    String(options.prompts),
    '--max-concurrency',
    String(options.concurrency),
    '--percentile-metrics',
    'ttft,tpot,itl',
    '--metric-percentiles',
    '50,99',
    '--seed',
    '0',
    '--save-result',
    '--result-dir',
    options.resultDir,
    '--result-filename',
    options.resultFile,
  ];
}

/** The keys of vLLM's saved result that Berth records (vllm/benchmarks/serve.py). */
export const BenchResultSchema = z.object({
  completed: z.number(),
  duration: z.number(),
  request_throughput: z.number(),
  output_throughput: z.number(),
  total_token_throughput: z.number(),
  median_ttft_ms: z.number(),
  p99_ttft_ms: z.number(),
  median_tpot_ms: z.number(),
  p99_tpot_ms: z.number(),
  median_itl_ms: z.number(),
  p99_itl_ms: z.number(),
});
export type BenchResult = z.infer<typeof BenchResultSchema>;

export interface BenchRow {
  service: string;
  plan: PlanKind;
  target: BenchTarget;
  concurrency: number;
  prompts: number;
  result: BenchResult;
}

/** What the plan gave a model, recorded next to its numbers. */
export function planSummary(service: PlannedService) {
  return {
    model: service.model?.id,
    device: service.model?.device,
    cpuset: service.cpuset ?? null,
    ompThreadsBind: service.env.VLLM_CPU_OMP_THREADS_BIND ?? null,
    kvCacheGiB: service.kvCacheGiB ?? null,
    gpus: service.gpus ?? null,
    gpuMemoryUtilization: service.gpuMemoryUtilization ?? null,
    maxModelLen: service.model?.maxModelLen ?? null,
    memoryBytes: service.memoryBytes ?? null,
  };
}

function withArg(command: string[], flag: string, value: string): string[] {
  const at = command.indexOf(flag);
  if (at === -1) return [...command, flag, value];
  return command.map((arg, i) => (i === at + 1 ? value : arg));
}

/**
 * What a user without Berth's planner would run. CPU models: no binding, every model free to use every core
 * (vLLM's `nobind`, no cpuset), the same memory and KV cache. GPU models: each alone on its card at vLLM's
 * default share (0.9), not waiting for another model. The rest of the stack is unchanged.
 */
export function naivePlan(plan: StackPlan): StackPlan {
  const models = new Set(plan.services.filter((s) => s.role === 'model').map((s) => s.name));
  return {
    ...plan,
    services: plan.services.map((service) => {
      if (!models.has(service.name)) return service;
      const dependsOn = service.dependsOn.filter((d) => !models.has(d.service));
      if (service.model?.device === 'gpu') {
        return {
          ...service,
          dependsOn,
          gpuMemoryUtilization: 0.9,
          command: withArg(service.command, '--gpu-memory-utilization', '0.9'),
          reasons: [{ topic: 'gpu-share', text: "naive: alone on its card at vLLM's default share" }],
        };
      }
      const { cpuset: _unbound, ...rest } = service;
      return {
        ...rest,
        dependsOn,
        env: { ...service.env, VLLM_CPU_OMP_THREADS_BIND: 'nobind' },
        reasons: [{ topic: 'cores', text: 'naive: no binding, every core' }],
      };
    }),
  };
}

/** GPU models run alone in the naive plan; CPU models run together in both (that is where binding matters). */
export function naiveRunsAlone(plan: StackPlan): boolean {
  return plan.services.some((s) => s.role === 'model' && s.model?.device === 'gpu');
}
