import type { EngineKind } from '../contracts/host-facts.js';
import type { ModelTuning } from '../contracts/settings.js';
import { about, type PlanWarning, type Reason } from '../contracts/stack-plan.js';
import { InputError } from '../contracts/errors.js';
import { VM_KINDS } from '../engines.js';
import { cpuMemoryReasons, cpuMemoryRefusals, cpuMemoryWarnings, engineProductName } from './cpu-memory-words.js';
import type { ModelSpec } from '../catalog/models.js';
import { GiB, MiB } from '../units.js';
import { cpuLayout, kvBytesForRequest, kvBytesPerToken, longestRequest } from './kv-cache.js';

/**
 * vLLM's CPU server runs three processes that each import PyTorch: the API server, the engine core and the worker
 * that holds the weights and the KV cache. A public report of vLLM 0.30.0's CPU image (arm64, Qwen2.5-0.5B-Instruct
 * in a 4 GiB pod) gives their baselines from the kernel's OOM record: about 0.86 GB, 0.46 GB and 0.75 GB beside
 * weights and KV; with a 1 GiB KV cache every start was OOM-killed. The same report's start with a 256 MiB cache
 * (`--kv-cache-memory-bytes 268435456`) peaked at 4,082,409,472 bytes (cgroup memory.peak after five completions)
 * with 0.92 GiB of weights ("Checkpoint size: 0.92 GiB"): 2.83 GB beside weights and KV, the runtime a first start
 * is planned with. The address of that report was not kept, so these figures are marked unverified upstream. What the
 * three processes do not explain is the warm-up batch, /dev/shm (a tmpfs whose pages count against the container's
 * memory) and what the allocator keeps. A measured start replaces this figure (ModelSpec.measured).
 */
export const CPU_PROCESS_BYTES = { apiServer: 0.86e9, engineCore: 0.46e9, worker: 0.75e9 } as const;
/** The three processes alone: no plan gives a CPU server less, whatever a start measured (it measures the warm-up). */
export const CPU_PROCESSES_FLOOR_BYTES = Object.values(CPU_PROCESS_BYTES).reduce((a, b) => a + b, 0);
/** The public 0.30.0 start's peak less its weights and KV cache. */
export const CPU_RUNTIME_OVERHEAD_BYTES = 4_082_409_472 - 0.92 * GiB - 268_435_456;

/** The runtime beside weights and KV cache for this model's server: measured on an earlier start, else the default. */
export function cpuRuntimeBytes(model: ModelSpec): number {
  return model.measured?.runtimeBytes ?? CPU_RUNTIME_OVERHEAD_BYTES;
}
/** What the engine keeps for itself and the page cache. */
export const ENGINE_HEADROOM_BYTES = 512 * MiB;
/** The reference setup's KV cache per CPU model. */
export const REFERENCE_KV_CACHE_GIB = 4;
/** Below this, a chat with a system prompt and some history no longer fits. */
export const MIN_CONTEXT_TOKENS = 4096;
/** Longer prompts than this take minutes on a CPU; more KV cache then buys concurrency, not context. */
export const CPU_TARGET_CONTEXT_TOKENS = 32768;

export interface CpuModelSize {
  service: string;
  kvCacheGiB: number;
  maxModelLen: number;
  memoryBytes: number;
  reasons: Reason[];
}

export interface CpuMemoryPlan {
  sizes: CpuModelSize[];
  warnings: PlanWarning[];
}

function kvGiBFor(model: ModelSpec, tokens: number, dtypeBytes: number): number {
  return Math.max(1, Math.ceil(kvBytesForRequest(model, tokens, cpuLayout(dtypeBytes)) / GiB));
}

function contextFor(model: ModelSpec, kvCacheGiB: number, dtypeBytes: number): number {
  const tokens = longestRequest(model, kvCacheGiB * GiB, cpuLayout(dtypeBytes));
  return Math.min(model.maxModelLen, Math.floor(tokens / 1024) * 1024);
}

function roundUp(bytes: number, step: number): number {
  return Math.ceil(bytes / step) * step;
}

interface Demand {
  model: ModelSpec;
  fixedBytes: number;
  minKvGiB: number;
  wantKvGiB: number;
  fixedContext?: number;
  tunedKv: boolean;
}

function demandFor(
  model: ModelSpec,
  tuning: ModelTuning | undefined,
  engineBytes: number,
  dtypeBytes: number,
  engineLabel: string,
): Demand {
  const field = `tuning.${model.service}`;
  if (tuning?.kvCacheGiB !== undefined && tuning.kvCacheGiB * GiB + model.weightsBytes > engineBytes) {
    const most = Math.floor((engineBytes - model.weightsBytes) / GiB);
    throw new InputError(
      `${field}.kvCacheGiB`,
      cpuMemoryRefusals.kvOverEngine(tuning.kvCacheGiB, model, engineBytes, engineLabel, most),
    );
  }
  const fixedContext = tuning?.maxModelLen;
  const neededForContext = fixedContext ? kvGiBFor(model, fixedContext, dtypeBytes) : undefined;
  if (tuning?.kvCacheGiB !== undefined && neededForContext !== undefined && tuning.kvCacheGiB < neededForContext) {
    throw new InputError(
      `${field}.kvCacheGiB`,
      cpuMemoryRefusals.kvUnderContext(tuning.kvCacheGiB, fixedContext ?? 0, neededForContext),
    );
  }
  const minKvGiB =
    tuning?.kvCacheGiB ??
    neededForContext ??
    kvGiBFor(model, Math.min(model.maxModelLen, MIN_CONTEXT_TOKENS), dtypeBytes);
  const wantKvGiB =
    tuning?.kvCacheGiB ??
    Math.max(
      minKvGiB,
      REFERENCE_KV_CACHE_GIB,
      kvGiBFor(model, Math.min(model.maxModelLen, CPU_TARGET_CONTEXT_TOKENS), dtypeBytes),
    );
  return {
    model,
    fixedBytes: model.weightsBytes + cpuRuntimeBytes(model),
    minKvGiB,
    wantKvGiB,
    fixedContext,
    tunedKv: tuning?.kvCacheGiB !== undefined,
  };
}

/** A model's container limit: weights + runtime + KV cache, rounded up to 256 MiB. */
function limitBytes(d: Demand, kvGiB: number): number {
  return roundUp(d.fixedBytes + kvGiB * GiB, 256 * MiB);
}

function total(demands: readonly Demand[], kv: (d: Demand) => number): number {
  return demands.reduce((sum, d) => sum + limitBytes(d, kv(d)), 0);
}

/**
 * KV cache, context and memory limit for each CPU model so that weights + KV cache + runtime of every model,
 * plus the other services, fit in what the engine gives containers.
 */
export function sizeCpuModels(args: {
  models: readonly ModelSpec[];
  tuning: Record<string, ModelTuning>;
  engineBytes: number;
  engineKind: EngineKind | undefined;
  otherServicesBytes: number;
  dtypeBytes: number;
  numaNodes: number;
}): CpuMemoryPlan {
  const { models, engineBytes, otherServicesBytes, dtypeBytes } = args;
  const label = engineProductName(args.engineKind);
  const demands = models.map((m) => demandFor(m, args.tuning[m.service], engineBytes, dtypeBytes, label));
  const budget = engineBytes - otherServicesBytes - ENGINE_HEADROOM_BYTES;
  const warnings: PlanWarning[] = [];

  const kv = new Map(demands.map((d) => [d.model.service, d.minKvGiB]));
  const fitsWanted = total(demands, (d) => d.wantKvGiB) <= budget;
  const fitsMinimum = total(demands, (d) => d.minKvGiB) <= budget;
  if (fitsWanted) {
    for (const d of demands) kv.set(d.model.service, d.wantKvGiB);
  } else if (fitsMinimum) {
    // Grow the KV caches a GiB at a time, in turn, while everything still fits.
    let grew = true;
    while (grew) {
      grew = false;
      for (const d of demands) {
        const current = kv.get(d.model.service) ?? d.minKvGiB;
        if (current >= d.wantKvGiB) continue;
        if (total(demands, (x) => kv.get(x.model.service) ?? x.minKvGiB) + GiB <= budget) {
          kv.set(d.model.service, current + 1);
          grew = true;
        }
      }
    }
  } else {
    warnings.push(insufficientMemoryWarning(demands, engineBytes, otherServicesBytes, args.engineKind));
  }

  const sizes = demands.map((d): CpuModelSize => {
    const kvCacheGiB = kv.get(d.model.service) ?? d.minKvGiB;
    const maxModelLen = d.fixedContext ?? contextFor(d.model, kvCacheGiB, dtypeBytes);
    const memoryBytes = limitBytes(d, kvCacheGiB);
    const perTokenKiB = kvBytesPerToken(d.model, dtypeBytes) / 1024;
    const reasons = [
      about(
        'kv-cache',
        cpuMemoryReasons.kvCache({
          kvCacheGiB,
          tuned: d.tunedKv,
          fitsWanted,
          reference: kvCacheGiB === REFERENCE_KV_CACHE_GIB,
          targetTokens: Math.min(d.model.maxModelLen, CPU_TARGET_CONTEXT_TOKENS),
          engineBytes,
        }),
      ),
      about(
        'context',
        cpuMemoryReasons.context({
          maxModelLen,
          modelLimit: d.model.maxModelLen,
          kvCacheGiB,
          perTokenKiB,
          fixed: d.fixedContext !== undefined,
        }),
      ),
      about(
        'memory',
        cpuMemoryReasons.limit({ memoryBytes, model: d.model, kvCacheGiB, runtimeBytes: cpuRuntimeBytes(d.model) }),
      ),
    ];
    if (args.numaNodes > 1 && memoryBytes > engineBytes / args.numaNodes) {
      warnings.push(cpuMemoryWarnings['numa-memory'](d.model.service, memoryBytes, engineBytes / args.numaNodes));
    }
    return { service: d.model.service, kvCacheGiB, maxModelLen, memoryBytes, reasons };
  });
  return { sizes, warnings };
}

function insufficientMemoryWarning(
  demands: readonly Demand[],
  engineBytes: number,
  otherBytes: number,
  kind: EngineKind | undefined,
): PlanWarning {
  const needBytes = total(demands, (d) => d.minKvGiB) + otherBytes + ENGINE_HEADROOM_BYTES;
  const raiseTo = Math.ceil(needBytes / (2 * GiB)) * 2;
  const budget = engineBytes - otherBytes - ENGINE_HEADROOM_BYTES;
  const droppable = [...demands]
    .sort((a, b) => a.fixedBytes - b.fixedBytes)
    .find(
      (drop) =>
        total(
          demands.filter((d) => d !== drop),
          (d) => d.minKvGiB,
        ) <= budget,
    );
  return cpuMemoryWarnings['insufficient-memory']({
    kind,
    inVm: kind !== undefined && VM_KINDS.includes(kind),
    engineBytes,
    needBytes,
    raiseToGiB: raiseTo,
    minKvGiB: Math.min(...demands.map((d) => d.minKvGiB)),
    drop: droppable?.model.service,
    models: demands.length,
  });
}
