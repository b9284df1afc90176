import type { HostFacts } from '../contracts/host-facts.js';
import { about, type Reason } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';
import { formatCpuList } from './cpu-list.js';

/** One physical core: the first of its hardware threads (where OpenMP binds), and all of them. */
export interface Core {
  cpu: number;
  node: number;
  threads: number[];
}

export interface CoreAssignment {
  service: string;
  /** One CPU per physical core: VLLM_CPU_OMP_THREADS_BIND. */
  cpus: number[];
  /** The container's cpuset: the bind list, the bound cores' other threads and the reserved cores. */
  cpuset: number[];
  node: number;
  reasons: Reason[];
}

export interface CoreSplit {
  assignments: CoreAssignment[];
  /** Every thread of the reserved cores. */
  reserved: number[];
  /** Models that got no core: too few cores for every model. */
  dropped: ModelSpec[];
  nodes: number;
}

/** The physical cores containers can use, one entry per core, never two hyper-threads of one core. */
export function usableCores(facts: HostFacts): { cores: Core[]; source: string } {
  const engine = facts.engine;
  if (engine?.cpuTopology) {
    const byCore = new Map<string, Core>();
    for (const place of [...engine.cpuTopology].sort((a, b) => a.cpu - b.cpu)) {
      const key = `${place.node}:${place.core}`;
      const core = byCore.get(key);
      if (core) core.threads.push(place.cpu);
      else byCore.set(key, { cpu: place.cpu, node: place.node, threads: [place.cpu] });
    }
    const cores = [...byCore.values()];
    const threads = engine.cpuTopology.length;
    const nodes = new Set(cores.map((c) => c.node)).size;
    return {
      cores,
      source:
        `the engine's ${threads} CPUs are ${cores.length} physical cores` +
        (threads > cores.length ? ` (${threads / cores.length} threads each; one OpenMP thread per core)` : '') +
        ` on ${nodes} NUMA node${nodes > 1 ? 's' : ''}`,
    };
  }
  if (engine) {
    return {
      cores: Array.from({ length: engine.cpus }, (_, cpu) => ({ cpu, node: 0, threads: [cpu] })),
      source: `the Docker VM shows ${engine.cpus} CPUs and no topology; each is one core to the VM`,
    };
  }
  return {
    cores: Array.from({ length: facts.cpu.physical }, (_, cpu) => ({ cpu, node: 0, threads: [cpu] })),
    source: `no engine answered, so the host's ${facts.cpu.physical} physical cores are assumed`,
  };
}

/** Upstream advice: keep 1–2 cores for vLLM's API servers, litellm and Open WebUI. */
export function reservedCoreCount(coreCount: number): number {
  if (coreCount >= 16) return 2;
  if (coreCount >= 4) return 1;
  return 0;
}

function cpusetReason(
  cpus: readonly number[],
  siblings: readonly number[],
  reserved: readonly number[],
): string | undefined {
  const extra = [
    ...(siblings.length
      ? [`the bound cores' other hardware thread${siblings.length > 1 ? 's' : ''} (${formatCpuList(siblings)})`]
      : []),
    ...(reserved.length ? [`the reserved CPU${reserved.length > 1 ? 's' : ''} ${formatCpuList(reserved)}`] : []),
  ];
  if (!extra.length) return undefined;
  return (
    `container cpuset ${formatCpuList([...cpus, ...siblings, ...reserved])}: the OpenMP cores plus ` +
    `${extra.join(' and ')}, where vLLM's API server, engine core and tokenizer run without taking an OpenMP core ` +
    `(vLLM's CPU FAQ: the frontend's CPU belongs inside the container's cpuset and outside VLLM_CPU_OMP_THREADS_BIND)`
  );
}

/**
 * Splits the physical cores among CPU models: disjoint sets, each inside one NUMA node, bigger models first
 * to the roomier node and to the odd core, contiguous slices in catalog order. Linear in the number of CPUs.
 */
export function splitCores(models: readonly ModelSpec[], facts: HostFacts): CoreSplit {
  const { cores, source } = usableCores(facts);
  const reserveCount = reservedCoreCount(cores.length);
  const byNode = new Map<number, Core[]>();
  for (const core of cores) {
    const list = byNode.get(core.node);
    if (list) list.push(core);
    else byNode.set(core.node, [core]);
  }
  const nodeIds = [...byNode.keys()].sort((a, b) => a - b);

  // Reserve from the end of the largest node, so the split stays even.
  const reservedCores: Core[] = [];
  for (let i = 0; i < reserveCount; i++) {
    const largest = [...nodeIds].sort(
      (a, b) => (byNode.get(b)?.length ?? 0) - (byNode.get(a)?.length ?? 0) || b - a,
    )[0];
    const taken = largest === undefined ? undefined : byNode.get(largest)?.pop();
    if (taken) reservedCores.push(taken);
  }
  const reserved = reservedCores.flatMap((c) => c.threads).sort((a, b) => a - b);

  const placed = new Map<number, ModelSpec[]>(nodeIds.map((id) => [id, []]));
  const dropped: ModelSpec[] = [];
  const bySize = [...models].sort((a, b) => b.weightsBytes - a.weightsBytes);
  for (const model of bySize) {
    let best: number | undefined;
    let bestShare = 0;
    for (const id of nodeIds) {
      const free = byNode.get(id)?.length ?? 0;
      const count = placed.get(id)?.length ?? 0;
      const share = free > count ? free / (count + 1) : 0;
      if (share > bestShare) [best, bestShare] = [id, share];
    }
    if (best === undefined) dropped.push(model);
    else placed.get(best)?.push(model);
  }

  const assignments: CoreAssignment[] = [];
  const order = new Map(models.map((m, i) => [m.service, i]));
  for (const id of nodeIds) {
    const nodeCores = byNode.get(id) ?? [];
    const onNode = placed.get(id) ?? [];
    if (onNode.length === 0) continue;
    const base = Math.floor(nodeCores.length / onNode.length);
    const extra = nodeCores.length % onNode.length;
    const largest = [...onNode].sort((a, b) => b.weightsBytes - a.weightsBytes).slice(0, extra);
    let next = 0;
    for (const model of [...onNode].sort((a, b) => (order.get(a.service) ?? 0) - (order.get(b.service) ?? 0))) {
      const count = base + (largest.includes(model) ? 1 : 0);
      const slice = nodeCores.slice(next, next + count);
      next += count;
      const cpus = slice.map((c) => c.cpu);
      const siblings = slice.flatMap((c) => c.threads.slice(1));
      const cpuset = [...cpus, ...siblings, ...reserved].sort((a, b) => a - b);
      const reasons = [
        about(
          'cores',
          `cores ${formatCpuList(cpus)}: ${source}; ${cpus.length} of them go to this model, one OpenMP ` +
            `thread each${nodeIds.length > 1 ? `, all on NUMA node ${id}` : ''}`,
        ),
      ];
      const why = cpusetReason(cpus, siblings, reserved);
      if (why) reasons.push(about('cpuset', why));
      if (reservedCores.length > 0) {
        reasons.push(
          about(
            'cores',
            `core${reservedCores.length > 1 ? 's' : ''} ${formatCpuList(reservedCores.map((c) => c.cpu))}` +
              ` bound by no model: kept for vLLM's API servers, litellm and Open WebUI (upstream reserves 1–2 ` +
              'cores for the serving frontend)',
          ),
        );
      }
      if (onNode.length > 1)
        reasons.push(
          about('cores', `the node's cores are split among ${onNode.length} models; larger models get the odd core`),
        );
      assignments.push({ service: model.service, cpus, cpuset, node: id, reasons });
    }
  }
  assignments.sort((a, b) => (order.get(a.service) ?? 0) - (order.get(b.service) ?? 0));
  return { assignments, reserved, dropped, nodes: nodeIds.length };
}
