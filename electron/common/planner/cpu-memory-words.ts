import type { ModelSpec } from '../catalog/models.js';
import { VM_KINDS } from '../engines.js';
import type { EngineKind } from '../contracts/host-facts.js';
import type { PlanWarning } from '../contracts/stack-plan.js';
import type { KeepAlive } from '../contracts/settings.js';
import { capitalized, formatGiB, formatTokens } from '../units.js';

/**
 * What the CPU memory planner (cpu-memory.ts) tells people: each warning by its code, each reason by its topic, each
 * refused setting by its field. The arithmetic stays in cpu-memory.ts.
 */

const ENGINE_NAMES: Record<EngineKind, string> = {
  'docker-desktop': 'Docker Desktop',
  colima: 'Colima',
  orbstack: 'OrbStack',
  podman: 'the Podman machine',
  'rancher-desktop': 'Rancher Desktop',
  'docker-engine': 'the Docker engine',
  unknown: 'the Docker engine',
};

/** The engine as people know it ("Docker Desktop", "Colima"), or "this host" where none answered. */
export function engineProductName(kind: EngineKind | undefined): string {
  return kind ? ENGINE_NAMES[kind] : 'this host';
}

export const cpuMemoryRefusals = {
  kvOverEngine(kvCacheGiB: number, model: ModelSpec, engineBytes: number, engine: string, most: number): string {
    return (
      `${kvCacheGiB} GiB of KV cache plus ${formatGiB(model.weightsBytes)} of weights is more than the ` +
      `${formatGiB(engineBytes)} ${engine} gives containers; allowed: ` +
      (most >= 1 ? `1 to ${most}` : 'none: the weights alone do not fit')
    );
  },

  kvUnderContext(kvCacheGiB: number, fixedContext: number, neededGiB: number): string {
    return (
      `${kvCacheGiB} GiB cannot hold one ${fixedContext}-token request (maxModelLen); allowed: ${neededGiB} GiB ` +
      'or more, or a shorter maxModelLen'
    );
  },
};

export const cpuMemoryReasons = {
  kvCache(args: {
    kvCacheGiB: number;
    tuned: boolean;
    fitsWanted: boolean;
    reference: boolean;
    targetTokens: number;
    engineBytes: number;
  }): string {
    const { kvCacheGiB } = args;
    if (args.tuned) return `KV cache ${kvCacheGiB} GiB: set in settings`;
    if (!args.fitsWanted)
      return (
        `KV cache ${kvCacheGiB} GiB: the most that fits in ${formatGiB(args.engineBytes)} beside the weights and ` +
        'the other services'
      );
    const why = args.reference
      ? "the reference setup's 4 GiB"
      : `enough for a ${formatTokens(args.targetTokens)}-token request`;
    return `KV cache ${kvCacheGiB} GiB: ${why}, and it fits in memory`;
  },

  context(args: {
    maxModelLen: number;
    modelLimit: number;
    kvCacheGiB: number;
    perTokenKiB: number;
    fixed: boolean;
  }): string {
    const { maxModelLen, modelLimit } = args;
    if (args.fixed) return `context ${formatTokens(maxModelLen)} tokens: set in settings`;
    const which = maxModelLen === modelLimit ? "the model's limit, and" : 'the longest request that';
    const shorter =
      maxModelLen < modelLimit
        ? ` (the model allows ${formatTokens(modelLimit)}; without --max-model-len vLLM would refuse to start)`
        : '';
    return (
      `context ${formatTokens(maxModelLen)} tokens: ${which} fits in ${args.kvCacheGiB} GiB of KV cache at ` +
      `${args.perTokenKiB} KiB per token${shorter}`
    );
  },

  limit(args: { memoryBytes: number; model: ModelSpec; kvCacheGiB: number; runtimeBytes: number }): string {
    const { model } = args;
    const runtime = model.measured?.runtimeBytes
      ? model.measured.why
      : "vLLM's API server, engine core and worker, each importing PyTorch, with /dev/shm";
    return (
      `memory limit ${formatGiB(args.memoryBytes)}: ${formatGiB(model.weightsBytes)} weights` +
      `${model.measured ? ' as vLLM loaded them' : ''} + ${args.kvCacheGiB} GiB KV cache + ` +
      `${formatGiB(args.runtimeBytes)} runtime (${runtime}), so a leak is stopped before it takes the other ` +
      'services down'
    );
  },
};

export const cpuMemoryWarnings = {
  'numa-memory'(service: string, memoryBytes: number, nodeBytes: number): PlanWarning {
    return {
      code: 'numa-memory',
      service,
      message:
        `${service} needs ${formatGiB(memoryBytes)}, more than one NUMA node's share (${formatGiB(nodeBytes)}); ` +
        "vLLM's worker is killed (exit code 9) when weights and KV cache outgrow its node: lower " +
        `tuning.${service}.kvCacheGiB or turn the model off`,
    };
  },

  'insufficient-memory'(args: {
    kind: EngineKind | undefined;
    inVm: boolean;
    engineBytes: number;
    needBytes: number;
    raiseToGiB: number;
    minKvGiB: number;
    drop: string | undefined;
    models: number;
  }): PlanWarning {
    const label = engineProductName(args.kind);
    const remedies = [
      args.inVm ? `raise ${label}'s memory to ${args.raiseToGiB} GiB` : `add memory to reach ${args.raiseToGiB} GiB`,
    ];
    if (args.drop) remedies.push(`turn off ${args.drop}`);
    else if (args.models > 1) remedies.push('turn off models until the rest fit');
    const has = label === 'this host' ? 'This host has' : `${capitalized(label)} gives containers`;
    return {
      code: 'insufficient-memory',
      message:
        `${has} ${formatGiB(args.engineBytes)}; the CPU models need ${formatGiB(args.needBytes)} with the other ` +
        `services (weights, at least ${args.minKvGiB} GiB KV cache each, runtime): ${remedies.join(' or ')}.`,
    };
  },
};

/** What the planner says about models that take turns on demand (cpu-on-demand.ts). */
export const onDemandWarnings = {
  neverFits(args: {
    kind: EngineKind | undefined;
    engineBytes: number;
    services: readonly string[];
    raiseToGiB: number;
    budgetBytes: number;
  }): PlanWarning {
    const label = engineProductName(args.kind);
    const inVm = args.kind !== undefined && VM_KINDS.includes(args.kind);
    const has = label === 'this host' ? 'This host has' : `${capitalized(label)} gives containers`;
    const names = args.services.join(' and ');
    return {
      code: 'insufficient-memory',
      ...(args.services.length === 1 ? { service: args.services[0] } : {}),
      message:
        `${has} ${formatGiB(args.engineBytes)}, which leaves ${formatGiB(args.budgetBytes)} for models taking ` +
        `turns: ${names} ${args.services.length === 1 ? 'does' : 'do'} not fit even alone and would never wake; ` +
        (inVm
          ? `raise ${label}'s memory to ${args.raiseToGiB} GiB (one model at a time)`
          : `add memory to reach ${args.raiseToGiB} GiB (one model at a time)`) +
        ` or turn ${args.services.length === 1 ? 'it' : 'them'} off.`,
    };
  },
};

/** The plan's reason about a model's keep-alive. */
export function onDemandReason(
  service: string,
  keepAlive: KeepAlive,
  onDemand: readonly string[],
  room: { onDemandBudgetBytes: number; atOnce: number },
): string {
  if (keepAlive === 'always') return 'always on: starts with the stack and never sleeps for being idle (keepAlive)';
  const turns =
    onDemand.length > 1
      ? `; ${onDemand.join(', ')} take turns in the ${formatGiB(room.onDemandBudgetBytes)} the engine leaves ` +
        `models, ${room.atOnce === 0 ? 'none' : room.atOnce} at a time`
      : '';
  return (
    `on demand (keepAlive ${keepAlive} min): sleeps after ${keepAlive} min without a request (its container ` +
    `stopped, its memory freed) and wakes on the next one while Berth runs${turns}`
  );
}
