// The contracts' types only: the oracle shares no value, formula or constant with the planner (eslint.config.js).
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import type { Settings } from '../../electron/common/contracts/settings.js';

/**
 * The promises every plan keeps, whatever the host: returns each one broken, as a sentence. This oracle does vLLM's
 * arithmetic itself, from the models' config.json numbers (layers, KV heads, head dim, the sliding window) and
 * upstream's figures, and imports none of the planner's formulas or constants: a KV formula wrong by 2× in the planner
 * fails here.
 */
const GiB = 1024 ** 3;
/** vLLM pages a CPU KV cache in blocks of 128 tokens and a GPU one in blocks of 16 (vllm/platforms/cpu.py, CacheConfig). */
const BLOCK = { cpu: 128, gpu: 16 } as const;
/**
 * What a vLLM 0.30.0 CPU server held beside weights and KV cache at its peak in a public report (Qwen2.5-0.5B-Instruct,
 * arm64): cgroup memory.peak 4,082,409,472 bytes after five completions, with "Checkpoint size: 0.92 GiB" of weights
 * and a 268,435,456-byte KV cache.
 */
const CPU_RUNTIME_BYTES = 4_082_409_472 - 0.92 * GiB - 268_435_456;
/** The least a GPU share holds beside weights and KV: a profiling run's activations and CUDA graphs (half a GiB at least). */
const GPU_LEAST_OVERHEAD_BYTES = 0.5 * GiB;

/** What the oracle knows of a model: its config.json's numbers and its weights' size. */
interface ModelNumbers {
  service: string;
  device: 'cpu' | 'gpu';
  layers: number;
  kvHeads: number;
  headDim: number;
  maxModelLen: number;
  weightsBytes: number;
  slidingWindow?: { layers: number; tokens: number };
}

/**
 * The built-in models, by Hugging Face id, from each one's config.json on the Hub (num_hidden_layers,
 * num_key_value_heads, head_dim or hidden_size ÷ num_attention_heads, max_position_embeddings; gpt-oss's layer_types
 * and sliding_window) and its safetensors' size: bf16 parameters × 2 bytes, gpt-oss's MXFP4 checkpoint as published.
 */
const BUILT_IN: Record<string, ModelNumbers> = {
  'Qwen/Qwen3-1.7B': {
    service: 'vllm-qwen3',
    device: 'cpu',
    layers: 28,
    kvHeads: 8,
    headDim: 128,
    maxModelLen: 40960,
    weightsBytes: 3.4e9,
  },
  'meta-llama/Llama-3.2-3B-Instruct': {
    service: 'vllm-llama3',
    device: 'cpu',
    layers: 28,
    kvHeads: 8,
    headDim: 128,
    maxModelLen: 131072,
    weightsBytes: 6 * GiB,
  },
  'Qwen/Qwen2.5-Coder-7B-Instruct': {
    service: 'vllm-coder',
    device: 'gpu',
    layers: 28,
    kvHeads: 4,
    headDim: 128,
    maxModelLen: 32768,
    weightsBytes: 15.2e9,
  },
  'openai/gpt-oss-20b': {
    service: 'vllm-gpt-oss',
    device: 'gpu',
    layers: 24,
    kvHeads: 8,
    headDim: 64,
    maxModelLen: 131072,
    weightsBytes: 13.72 * GiB,
    slidingWindow: { layers: 12, tokens: 128 },
  },
};

/** A model's numbers by its id: a built-in one's from the Hub, one the user added from what settings say of it. */
function numbersOf(settings: Settings, id: string): ModelNumbers | undefined {
  const custom = settings.models.find((m) => m.id === id);
  if (!custom) return BUILT_IN[id];
  return {
    service: custom.service ?? id,
    device: custom.device,
    layers: custom.layers,
    kvHeads: custom.kvHeads,
    headDim: custom.headDim,
    maxModelLen: custom.maxModelLen,
    weightsBytes: custom.weightsGiB * GiB,
    ...(custom.slidingWindow && custom.slidingWindow.layers < custom.layers
      ? { slidingWindow: custom.slidingWindow }
      : {}),
  };
}

/**
 * The engine's physical cores as Linux defines them: the CPUs that share a (NUMA node, core id) are one core's
 * hyper-threads, and its first CPU is the one to bind. A VM without topology shows each CPU as a core; without an
 * engine, the host's physical count.
 */
function physicalCores(facts: HostFacts): { cpu: number; node: number; threads: number[] }[] {
  const topology = facts.engine?.cpuTopology;
  if (!topology) {
    const count = facts.engine?.cpus ?? facts.cpu.physical;
    return Array.from({ length: count }, (_, cpu) => ({ cpu, node: 0, threads: [cpu] }));
  }
  const byCore = new Map<string, { cpu: number; node: number; threads: number[] }>();
  for (const place of [...topology].sort((a, b) => a.cpu - b.cpu)) {
    const core = byCore.get(`${place.node}:${place.core}`);
    if (core) core.threads.push(place.cpu);
    else byCore.set(`${place.node}:${place.core}`, { cpu: place.cpu, node: place.node, threads: [place.cpu] });
  }
  return [...byCore.values()];
}

function cpuList(text: string): number[] {
  return text
    .split(',')
    .filter(Boolean)
    .flatMap((part) => {
      const [a, b] = part.split('-').map(Number);
      return b === undefined
        ? [a as number]
        : Array.from({ length: (b as number) - (a as number) + 1 }, (_, i) => (a as number) + i);
    });
}

/** The KV cache one request of `tokens` needs, as vLLM counts it: whole blocks on every full-attention layer, and a
 * sliding-window layer's window less one plus a batch, in blocks, plus one (the batch is at least 2048 tokens). */
function kvForRequest(spec: ModelNumbers, tokens: number, device: 'cpu' | 'gpu'): number {
  const perLayerToken = 2 * spec.kvHeads * spec.headDim * 2;
  const block = BLOCK[device];
  const sliding = spec.slidingWindow?.layers ?? 0;
  const full = Math.ceil(tokens / block) * block * (spec.layers - sliding) * perLayerToken;
  const window = spec.slidingWindow
    ? (Math.ceil(Math.min(spec.slidingWindow.tokens - 1 + 2048, tokens) / block) + 1) * block * sliding * perLayerToken
    : 0;
  return full + window;
}
export function brokenPromises(facts: HostFacts, settings: Settings, plan: StackPlan): string[] {
  const broken: string[] = [];
  const specOf = (service: StackPlan['services'][number]) =>
    service.model ? numbersOf(settings, service.model.id) : undefined;
  const codes = new Set(plan.warnings.map((w) => w.code));
  const models = plan.services.filter((s) => s.role === 'model');

  // CPU: disjoint, inside the engine, one thread per core, one NUMA node each, bind inside the cpuset, and the cpuset
  // one CPU more for the frontend wherever there are 4 cores or more.
  const cores = physicalCores(facts);
  const coreCpus = new Map(cores.map((c) => [c.cpu, c.node]));
  const engineCpus = new Set(cores.flatMap((c) => c.threads));
  const seen = new Set<number>();
  for (const service of models.filter((s) => s.model?.device === 'cpu')) {
    const bind = service.env.VLLM_CPU_OMP_THREADS_BIND ?? '';
    const cpus = cpuList(bind);
    const cpuset = cpuList(service.cpuset ?? '');
    for (const cpu of cpus)
      if (!cpuset.includes(cpu))
        broken.push(
          `${service.name}: bind CPU ${cpu} is outside the cpuset ${service.cpuset} (vLLM fails with sched_setaffinity)`,
        );
    for (const cpu of cpuset)
      if (!engineCpus.has(cpu)) broken.push(`${service.name}: cpuset CPU ${cpu} is not one the engine has`);
    if (cores.length >= 4 && cpuset.length <= cpus.length)
      broken.push(
        `${service.name}: cpuset ${service.cpuset} leaves no CPU for the frontend beside the bind list ${bind}`,
      );
    if (cpus.length === 0) broken.push(`${service.name}: no cores`);
    for (const cpu of cpus) {
      if (seen.has(cpu)) broken.push(`${service.name}: CPU ${cpu} is bound twice`);
      seen.add(cpu);
      if (!coreCpus.has(cpu))
        broken.push(`${service.name}: CPU ${cpu} is not the first thread of a core the engine has`);
    }
    if (new Set(cpus.map((c) => coreCpus.get(c))).size > 1) broken.push(`${service.name}: spans NUMA nodes`);
    const kv = Number(service.env.VLLM_CPU_KVCACHE_SPACE);
    if (!Number.isInteger(kv) || kv < 1 || kv !== service.kvCacheGiB)
      broken.push(`${service.name}: KV cache "${service.env.VLLM_CPU_KVCACHE_SPACE}" is not whole GiB`);
    const spec = specOf(service);
    if (spec && service.model && kv * GiB < kvForRequest(spec, service.model.maxModelLen, 'cpu')) {
      broken.push(`${service.name}: one ${service.model.maxModelLen}-token request does not fit ${kv} GiB`);
    }
  }
  if (cores.length >= 4 && models.some((s) => s.cpuset) && seen.size >= cores.length)
    broken.push('no core left for the other services');

  // Memory: what can be awake at once fits, or a warning says why not. Models on demand take turns: the always-on ones
  // and the largest on-demand one must fit, and the room the plan gives the group is what the rest leave.
  const engineBytes = facts.engine?.memoryBytes ?? facts.memory.totalBytes;
  const onDemand = models.filter((s) => typeof s.model?.keepAlive === 'number');
  const alwaysBytes = models.filter((s) => !onDemand.includes(s)).reduce((sum, s) => sum + (s.memoryBytes ?? 0), 0);
  const cpuModelBytes = alwaysBytes + Math.max(0, ...onDemand.map((s) => s.memoryBytes ?? 0));
  if (onDemand.length && plan.profile === 'development') {
    const others = 2 * GiB + 0.5 * GiB; // litellm, Open WebUI, Prometheus, Grafana and the engine's own, as planned
    const room = Math.max(0, engineBytes - others - alwaysBytes);
    if (Math.abs((plan.onDemand?.budgetBytes ?? -1) - room) > 1)
      broken.push(`on demand: room ${plan.onDemand?.budgetBytes} bytes, expected ${room}`);
    for (const s of onDemand)
      if (!plan.onDemand?.services.includes(s.name)) broken.push(`on demand: ${s.name} is missing from the group`);
  }
  if (cpuModelBytes > engineBytes && !codes.has('insufficient-memory')) {
    broken.push(
      `memory: ${cpuModelBytes} bytes of model limits, ${engineBytes} available, and no insufficient-memory warning`,
    );
  }
  for (const service of models) {
    const spec = specOf(service);
    if (!spec || !service.model) continue;
    if (service.model.maxModelLen > spec.maxModelLen)
      broken.push(`${service.name}: context ${service.model.maxModelLen} > limit ${spec.maxModelLen}`);
    if (
      service.memoryBytes &&
      service.kvCacheGiB &&
      service.memoryBytes < spec.weightsBytes + service.kvCacheGiB * GiB + CPU_RUNTIME_BYTES
    ) {
      broken.push(
        `${service.name}: memory limit ${service.memoryBytes} below weights + KV cache + the runtime vLLM 0.30.0 peaked at`,
      );
    }
  }

  // GPU: shares on one card ≤ 0.95, in two decimals, with room outside them for each process's CUDA context unless
  // settings chose the shares; the context fits what the share leaves beside the weights, or a blocking warning says so.
  const cards = facts.gpus
    .filter((g) => /nvidia/i.test(g.vendor) && g.memoryBytes !== null)
    .map((g) => ({ index: g.index, bytes: g.memoryBytes as number }));
  const blocking = new Set(plan.warnings.filter((w) => w.blocking).map((w) => w.code));
  const perCard = new Map<number, { share: number; count: number; tuned: boolean }>();
  for (const service of models.filter((s) => s.model?.device === 'gpu')) {
    const share = service.gpuMemoryUtilization ?? 0;
    const tunedShare = settings.tuning[service.name]?.gpuMemoryUtilization !== undefined;
    if (!tunedShare && Math.round(share * 100) / 100 !== share)
      broken.push(`${service.name}: GPU share ${share} is not rounded to two decimals`);
    for (const gpu of service.gpus ?? []) {
      const card = perCard.get(gpu) ?? { share: 0, count: 0, tuned: false };
      perCard.set(gpu, { share: card.share + share, count: card.count + 1, tuned: card.tuned || tunedShare });
    }
    const card = cards.find((c) => c.index === service.gpus?.[0]);
    const spec = specOf(service);
    if (card && spec && service.model && service.gpuMemoryUtilization) {
      // vLLM sees a little less than NVML: share × NVML is an upper bound on what the share holds.
      const kvBytes = service.gpuMemoryUtilization * card.bytes - spec.weightsBytes - GPU_LEAST_OVERHEAD_BYTES;
      const fits = kvBytes >= kvForRequest(spec, service.model.maxModelLen, 'gpu');
      if (!fits && !blocking.has('insufficient-gpu-memory') && !blocking.has('context-too-long'))
        broken.push(`${service.name}: context does not fit its GPU share and no blocking warning says so`);
    }
  }
  for (const [gpu, { share, count, tuned }] of perCard) {
    if (share > 0.95 + 1e-9) broken.push(`GPU ${gpu}: shares add up to ${share}`);
    const card = cards.find((c) => c.index === gpu);
    // Each vLLM process holds a CUDA context outside its share: a few hundred MiB at least.
    if (card && !tuned && share * card.bytes + count * 0.25 * GiB > card.bytes)
      broken.push(`GPU ${gpu}: no room left outside the shares for the processes' CUDA contexts`);
  }
  // A plan that places no model of its profile where some are on says why, and blocks when nothing can run.
  // A model the user added counts as on unless its own "service" is turned off.
  const device = plan.profile === 'production' ? 'gpu' : 'cpu';
  const enabled = [
    ...Object.values(BUILT_IN),
    ...settings.models.flatMap((m) => numbersOf(settings, m.id) ?? []),
  ].filter((m) => !settings.disabledModels.includes(m.service) && m.device === device);
  if (enabled.length > 0 && models.length === 0 && !plan.warnings.some((w) => w.blocking))
    broken.push('no model is planned and no blocking warning says why');

  // Ports: each host port once; loopback unless opened.
  const hostPorts = plan.services.flatMap((s) => s.ports.map((p) => p.host));
  if (new Set(hostPorts).size !== hostPorts.length) broken.push(`a host port is used twice: ${hostPorts.join(',')}`);
  for (const port of plan.services.flatMap((s) => s.ports)) {
    if (port.host < 1 || port.host > 65535) broken.push(`port ${port.host} out of range`);
    if (!settings.exposePorts && port.bind !== '127.0.0.1') broken.push(`port ${port.host} binds ${port.bind}`);
  }
  for (const service of plan.services) {
    if (service.reasons.length === 0) broken.push(`${service.name}: no reasons`);
    for (const dep of service.dependsOn)
      if (!plan.services.some((s) => s.name === dep.service))
        broken.push(`${service.name} depends on missing ${dep.service}`);
  }
  return broken;
}
