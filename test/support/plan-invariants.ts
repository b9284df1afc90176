import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import type { Settings } from '../../electron/common/contracts/settings.js';
import { catalogFor } from '../../electron/common/catalog/resolve.js';
import { kvBytesPerToken } from '../../electron/common/catalog/models.js';
import { GiB } from '../../electron/common/units.js';
import { parseCpuList } from '../../electron/common/planner/cpu-list.js';
import { usableCores } from '../../electron/common/planner/cpu-cores.js';
import { GPU_RUNTIME_OVERHEAD_BYTES, nvidiaCards } from '../../electron/common/planner/gpu.js';
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

  // CPU: disjoint, inside the engine, one thread per core, one NUMA node each, bind == cpuset.
  const { cores } = usableCores(facts);
  const coreCpus = new Map(cores.map((c) => [c.cpu, c.node]));
  const seen = new Set<number>();
  for (const service of models.filter((s) => s.model?.device === 'cpu')) {
    const bind = service.env.VLLM_CPU_OMP_THREADS_BIND ?? '';
    if (bind !== service.cpuset) broken.push(`${service.name}: bind ${bind} differs from cpuset ${service.cpuset}`);
    const cpus = parseCpuList(bind);
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
    if (spec && service.model && kv * GiB < kvBytesPerToken(spec) * service.model.maxModelLen) {
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

  // GPU: shares on one card ≤ 0.95; the context fits the share's KV cache or a warning says so.
  const cards = nvidiaCards(facts);
  const perCard = new Map<number, number>();
  for (const service of models.filter((s) => s.model?.device === 'gpu')) {
    for (const gpu of service.gpus ?? []) perCard.set(gpu, (perCard.get(gpu) ?? 0) + (service.gpuMemoryUtilization ?? 0));
    const card = cards.find((c) => c.index === service.gpus?.[0]);
    const spec = catalog.find((m) => m.service === service.name);
    if (card && spec && service.model && service.gpuMemoryUtilization) {
      const kvBytes = service.gpuMemoryUtilization * card.memoryBytes - spec.weightsBytes - GPU_RUNTIME_OVERHEAD_BYTES;
      const fits = kvBytes >= kvBytesPerToken(spec) * service.model.maxModelLen;
      if (!fits && !codes.has('insufficient-gpu-memory') && !codes.has('context-too-long')) broken.push(`${service.name}: context does not fit its GPU share and nothing says so`);
    }
  }
  for (const [gpu, share] of perCard) if (share > 0.95 + 1e-9) broken.push(`GPU ${gpu}: shares add up to ${share}`);

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
