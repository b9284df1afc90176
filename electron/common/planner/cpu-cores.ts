import type { HostFacts } from '../contracts/host-facts.js';
import type { ModelSpec } from '../catalog/models.js';
import { formatCpuList } from './cpu-list.js';

/** One physical core, named by the first of its hardware threads. */
export interface Core {
  cpu: number;
  node: number;
}

export interface CoreAssignment {
  service: string;
  cpus: number[];
  node: number;
  reasons: string[];
}

export interface CoreSplit {
  assignments: CoreAssignment[];
  reserved: number[];
  /** Models that got no core: too few cores for every model. */
  dropped: ModelSpec[];
  nodes: number;
}

/** The physical cores containers can use, one entry per core, never two hyper-threads of one core. */
export function usableCores(facts: HostFacts): { cores: Core[]; source: string } {
  const engine = facts.engine;
  if (engine?.cpuTopology) {
    const firstThread = new Map<string, Core>();
    for (const place of [...engine.cpuTopology].sort((a, b) => a.cpu - b.cpu)) {
      const key = `${place.node}:${place.core}`;
      if (!firstThread.has(key)) firstThread.set(key, { cpu: place.cpu, node: place.node });
    }
    const cores = [...firstThread.values()];
    const threads = engine.cpuTopology.length;
    const nodes = new Set(cores.map((c) => c.node)).size;
    return {
      cores,
      source: `the engine's ${threads} CPUs are ${cores.length} physical cores${threads > cores.length ? ` (${threads / cores.length} threads each; one OpenMP thread per core)` : ''} on ${nodes} NUMA node${nodes > 1 ? 's' : ''}`,
    };
  }
  if (engine) {
    return {
      cores: Array.from({ length: engine.cpus }, (_, cpu) => ({ cpu, node: 0 })),
      source: `the Docker VM shows ${engine.cpus} CPUs and no topology; each is one core to the VM`,
    };
  }
  return {
    cores: Array.from({ length: facts.cpu.physical }, (_, cpu) => ({ cpu, node: 0 })),
    source: `no engine answered, so the host's ${facts.cpu.physical} physical cores are assumed`,
  };
}

/** Upstream advice: keep 1–2 cores for vLLM's API servers, litellm and Open WebUI. */
export function reservedCoreCount(coreCount: number): number {
  if (coreCount >= 16) return 2;
  if (coreCount >= 4) return 1;
  return 0;
}

/**
 * Splits the physical cores among CPU models: disjoint sets, each inside one NUMA node, bigger models first
 * to the roomier node and to the odd core, contiguous slices in catalog order.
 */
export function splitCores(models: readonly ModelSpec[], facts: HostFacts): CoreSplit {
  const { cores, source } = usableCores(facts);
  const reserveCount = reservedCoreCount(cores.length);
  const byNode = new Map<number, Core[]>();
  for (const core of cores) byNode.set(core.node, [...(byNode.get(core.node) ?? []), core]);
  const nodeIds = [...byNode.keys()].sort((a, b) => a - b);

  // Reserve from the end of the largest node, so the split stays even.
  const reserved: number[] = [];
  for (let i = 0; i < reserveCount; i++) {
    const largest = [...nodeIds].sort((a, b) => (byNode.get(b)?.length ?? 0) - (byNode.get(a)?.length ?? 0) || b - a)[0];
    const taken = largest === undefined ? undefined : byNode.get(largest)?.pop();
    if (taken) reserved.push(taken.cpu);
  }

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
      const cpus = nodeCores.slice(next, next + count).map((c) => c.cpu);
      next += count;
      const reasons = [
        `cores ${formatCpuList(cpus)}: ${source}; ${cpus.length} of them go to this model, one OpenMP thread each${nodeIds.length > 1 ? `, all on NUMA node ${id}` : ''}`,
      ];
      if (reserved.length > 0) {
        reasons.push(`core${reserved.length > 1 ? 's' : ''} ${formatCpuList(reserved)} kept free for vLLM's API servers, litellm and Open WebUI (upstream reserves 1–2 cores for the serving frontend)`);
      }
      if (onNode.length > 1) reasons.push(`the node's cores are split among ${onNode.length} models; larger models get the odd core`);
      assignments.push({ service: model.service, cpus, node: id, reasons });
    }
  }
  assignments.sort((a, b) => (order.get(a.service) ?? 0) - (order.get(b.service) ?? 0));
  return { assignments, reserved, dropped, nodes: nodeIds.length };
}
