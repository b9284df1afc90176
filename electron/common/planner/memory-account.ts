import type { HostFacts } from '../contracts/host-facts.js';
import { isOnDemand, type PlannedService, type StackPlan } from '../contracts/stack-plan.js';
import { GiB } from '../units.js';
import { ENGINE_HEADROOM_BYTES } from './cpu-memory.js';
import { budgetOf } from '../services/registry.js';

/** What the engine gives containers: the engine's own figure, the host's where no engine answered. */
export function engineMemoryBytes(facts: HostFacts): number {
  return facts.engine?.memoryBytes ?? facts.memory.totalBytes;
}

/**
 * The CPUs the engine schedules containers on, counted as Docker and Kubernetes count them (logical CPUs, hardware
 * threads included); the host's where no engine answered. The core split binds physical cores (cpu-cores.ts).
 */
export function engineCpuCount(facts: HostFacts): number {
  return facts.engine?.cpus ?? facts.cpu.logical;
}

/** One CPU model server's part of the engine's memory, as the plan expects it (or as it was measured). */
export interface ModelMemory {
  service: string;
  weightsBytes: number;
  kvBytes: number;
  /** vLLM's processes and /dev/shm: the rest of the container's limit. */
  runtimeBytes: number;
  measured: boolean;
  /** It takes turns with other models on demand: the account holds the largest of them, one at a time. */
  onDemand?: boolean;
}

/** The engine's memory as the plan spends it: the planner's accounting, which the pictures draw and what-if asks. */
export interface EngineMemory {
  totalBytes: number;
  models: ModelMemory[];
  /** litellm, Open WebUI, Prometheus and Grafana. */
  otherServicesBytes: number;
  /** What the planner keeps free for the engine itself and the page cache (never given to a container). */
  headroomBytes: number;
  usedBytes: number;
  /** How much more the plan asks for than the engine has; 0 when it fits. */
  overBytes: number;
}

export function engineMemory(plan: StackPlan, facts: HostFacts): EngineMemory {
  const totalBytes = engineMemoryBytes(facts);
  const cpuModels = plan.services.filter((s) => s.role === 'model' && s.model?.device === 'cpu');
  // Models on demand are awake one at a time at least: the account holds the largest, the one the room is sized for.
  const largestOnDemand = cpuModels
    .filter(isOnDemand)
    .reduce<PlannedService | undefined>((a, b) => ((a?.memoryBytes ?? 0) >= (b.memoryBytes ?? 0) ? a : b), undefined);
  const models = cpuModels
    .filter((s) => !isOnDemand(s) || s === largestOnDemand)
    .map((service): ModelMemory => {
      const expected = service.model?.expected;
      const weightsBytes = expected?.weightsBytes ?? service.model?.weightsBytes ?? 0;
      const kvBytes = expected?.kvBytes ?? (service.kvCacheGiB ?? 0) * GiB;
      const runtimeBytes = Math.max(0, (service.memoryBytes ?? weightsBytes + kvBytes) - weightsBytes - kvBytes);
      return {
        service: service.name,
        weightsBytes,
        kvBytes,
        runtimeBytes,
        measured: service.model?.measured !== undefined,
        ...(isOnDemand(service) ? { onDemand: true } : {}),
      };
    });
  const otherServicesBytes = plan.services
    .filter((s) => s.role !== 'model')
    .reduce((sum, s) => sum + budgetOf(s.name), 0);
  const headroomBytes = models.length > 0 ? ENGINE_HEADROOM_BYTES : 0;
  const usedBytes =
    models.reduce((sum, m) => sum + m.weightsBytes + m.kvBytes + m.runtimeBytes, 0) +
    otherServicesBytes +
    headroomBytes;
  return {
    totalBytes,
    models,
    otherServicesBytes,
    headroomBytes,
    usedBytes,
    overBytes: Math.max(0, usedBytes - totalBytes),
  };
}
