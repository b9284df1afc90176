import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import type { Settings } from '../../electron/common/contracts/settings.js';
import { catalogFor } from '../../electron/common/catalog/resolve.js';
import { kvBytesForRequest } from '../../electron/common/catalog/models.js';
import { GiB } from '../../electron/common/units.js';
import { parseCpuList } from '../../electron/common/planner/cpu-list.js';
import { usableCores } from '../../electron/common/planner/cpu-cores.js';
import { GPU_ACTIVATION_BYTES, GPU_OUTSIDE_SHARE_BYTES, nvidiaCards } from '../../electron/common/planner/gpu-memory.js';
import { CPU_RUNTIME_OVERHEAD_BYTES, ENGINE_HEADROOM_BYTES } from '../../electron/common/planner/cpu-memory.js';
import { OTHER_SERVICES_BYTES } from '../../electron/common/planner/services.js';

/**
 * The promises every plan keeps, whatever the host: returns each one broken, as a sentence.
 */
export function brokenPromises(facts: HostFacts, settings: Settings, plan: StackPlan): string[] {
  const broken: string[] = [];
  const catalog = catalogFor(settings);
  const codes = new Set(plan.warnings.map((w) => w.code));
  const models = plan.services.filter((s) => s.role === 'model');

  // CPU: disjoint, inside the engine, one thread per core, one NUMA node each, bind inside the cpuset, and the cpuset
  // one CPU more for the frontend wherever there are 4 cores or more.
  const { cores } = usableCores(facts);
  const coreCpus = new Map(cores.map((c) => [c.cpu, c.node]));
  const engineCpus = new Set(cores.flatMap((c) => c.threads));
  const seen = new Set<number>();
  for (const service of models.filter((s) => s.model?.device === 'cpu')) {
    const bind = service.env.VLLM_CPU_OMP_THREADS_BIND ?? '';
    const cpus = parseCpuList(bind);
    const cpuset = parseCpuList(service.cpuset ?? '');
    for (const cpu of cpus) if (!cpuset.includes(cpu)) broken.push(`${service.name}: bind CPU ${cpu} is outside the cpuset ${service.cpuset} (vLLM fails with sched_setaffinity)`);
    for (const cpu of cpuset) if (!engineCpus.has(cpu)) broken.push(`${service.name}: cpuset CPU ${cpu} is not one the engine has`);
    if (cores.length >= 4 && cpuset.length <= cpus.length) broken.push(`${service.name}: cpuset ${service.cpuset} leaves no CPU for the frontend beside the bind list ${bind}`);
    if (cpus.length === 0) broken.push(`${service.name}: no cores`);
    for (const cpu of cpus) {
      if (seen.has(cpu)) broken.push(`${service.name}: CPU ${cpu} is bound twice`);
      seen.add(cpu);
      if (!coreCpus.has(cpu)) broken.push(`${service.name}: CPU ${cpu} is not the first thread of a core the engine has`);
    }
    if (new Set(cpus.map((c) => coreCpus.get(c))).size > 1) broken.push(`${service.name}: spans NUMA nodes`);
    const kv = Number(service.env.VLLM_CPU_KVCACHE_SPACE);
    if (!Number.isInteger(kv) || kv < 1 || kv !== service.kvCacheGiB) broken.push(`${service.name}: KV cache "${service.env.VLLM_CPU_KVCACHE_SPACE}" is not whole GiB`);
    const spec = catalog.find((m) => m.service === service.name);
    if (spec && service.model && kv * GiB < kvBytesForRequest(spec, service.model.maxModelLen)) {
      broken.push(`${service.name}: one ${service.model.maxModelLen}-token request does not fit ${kv} GiB`);
    }
  }
  if (cores.length >= 4 && models.some((s) => s.cpuset) && seen.size >= cores.length) broken.push('no core left for the other services');

  // Memory: fits, or a warning says why not.
  const engineBytes = facts.engine?.memoryBytes ?? facts.memory.totalBytes;
  const cpuModelBytes = models.reduce((sum, s) => sum + (s.memoryBytes ?? 0), 0);
  const others = Object.values(OTHER_SERVICES_BYTES).reduce((a, b) => a + b, 0);
  if (cpuModelBytes + others + ENGINE_HEADROOM_BYTES > engineBytes && !codes.has('insufficient-memory')) {
    broken.push(`memory: ${cpuModelBytes + others} bytes planned, ${engineBytes} available, and no insufficient-memory warning`);
  }
  for (const service of models) {
    const spec = catalog.find((m) => m.service === service.name);
    if (!spec || !service.model) continue;
    if (service.model.maxModelLen > spec.maxModelLen) broken.push(`${service.name}: context ${service.model.maxModelLen} > limit ${spec.maxModelLen}`);
    if (service.memoryBytes && service.kvCacheGiB && service.memoryBytes < spec.weightsBytes + service.kvCacheGiB * GiB + CPU_RUNTIME_OVERHEAD_BYTES) {
      broken.push(`${service.name}: memory limit below weights + KV cache + runtime`);
    }
  }

  // GPU: shares on one card ≤ 0.95, in two decimals, with each model's headroom outside them unless settings
  // chose the shares (then a warning says so); the context fits the share's KV cache or a blocking warning says so.
  const cards = nvidiaCards(facts);
  const blocking = new Set(plan.warnings.filter((w) => w.blocking).map((w) => w.code));
  const perCard = new Map<number, { share: number; count: number; tuned: boolean }>();
  for (const service of models.filter((s) => s.model?.device === 'gpu')) {
    const share = service.gpuMemoryUtilization ?? 0;
    const tunedShare = settings.tuning[service.name]?.gpuMemoryUtilization !== undefined;
    if (!tunedShare && Math.round(share * 100) / 100 !== share) broken.push(`${service.name}: GPU share ${share} is not rounded to two decimals`);
    for (const gpu of service.gpus ?? []) {
      const card = perCard.get(gpu) ?? { share: 0, count: 0, tuned: false };
      perCard.set(gpu, { share: card.share + share, count: card.count + 1, tuned: card.tuned || tunedShare });
    }
    const card = cards.find((c) => c.index === service.gpus?.[0]);
    const spec = catalog.find((m) => m.service === service.name);
    if (card && spec && service.model && service.gpuMemoryUtilization) {
      const kvBytes = service.gpuMemoryUtilization * card.visibleBytes - spec.weightsBytes - GPU_ACTIVATION_BYTES;
      const fits = kvBytes >= kvBytesForRequest(spec, service.model.maxModelLen);
      if (!fits && !blocking.has('insufficient-gpu-memory') && !blocking.has('context-too-long')) broken.push(`${service.name}: context does not fit its GPU share and no blocking warning says so`);
    }
  }
  for (const [gpu, { share, count, tuned }] of perCard) {
    if (share > 0.95 + 1e-9) broken.push(`GPU ${gpu}: shares add up to ${share}`);
    const card = cards.find((c) => c.index === gpu);
    if (card && !tuned && share * card.visibleBytes + count * GPU_OUTSIDE_SHARE_BYTES > card.visibleBytes + 1) broken.push(`GPU ${gpu}: no headroom left outside the shares for CUDA graphs`);
  }
  // A plan that places no model of its profile where some are on says why, and blocks when nothing can run.
  const enabled = catalog.filter((m) => !settings.disabledModels.includes(m.service) && m.device === (plan.profile === 'production' ? 'gpu' : 'cpu'));
  if (enabled.length > 0 && models.length === 0 && !plan.warnings.some((w) => w.blocking)) broken.push('no model is planned and no blocking warning says why');

  // Ports: each host port once; loopback unless opened.
  const hostPorts = plan.services.flatMap((s) => s.ports.map((p) => p.host));
  if (new Set(hostPorts).size !== hostPorts.length) broken.push(`a host port is used twice: ${hostPorts.join(',')}`);
  for (const port of plan.services.flatMap((s) => s.ports)) {
    if (port.host < 1 || port.host > 65535) broken.push(`port ${port.host} out of range`);
    if (!settings.exposePorts && port.bind !== '127.0.0.1') broken.push(`port ${port.host} binds ${port.bind}`);
  }
  for (const service of plan.services) {
    if (service.reasons.length === 0) broken.push(`${service.name}: no reasons`);
    for (const dep of service.dependsOn) if (!plan.services.some((s) => s.name === dep.service)) broken.push(`${service.name} depends on missing ${dep.service}`);
  }
  return broken;
}
