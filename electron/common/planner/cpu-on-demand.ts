import type { EngineKind } from '../contracts/host-facts.js';
import type { KeepAlive, ModelTuning } from '../contracts/settings.js';
import type { PlanWarning } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';
import { ENGINE_HEADROOM_BYTES, sizeCpuModels, type CpuModelSize } from './cpu-memory.js';
import { onDemandWarnings } from './cpu-memory-words.js';
import { DEFAULT_KEEP_ALIVE_MINUTES } from './on-demand.js';
import { GiB } from '../units.js';

/**
 * Which CPU models are always on and which take turns on demand (docs/decisions/0013), and their sizes: the always-on
 * ones share the engine as before; each on-demand one gets the KV cache and context it would have alone beside them.
 */

export interface CpuSizing {
  sizes: CpuModelSize[];
  warnings: PlanWarning[];
  keepAlive: Map<string, KeepAlive>;
  /** What the always-on models' limits add up to. */
  alwaysBytes: number;
  /** What the engine leaves the on-demand models: its memory less the other services', the engine's and the above. */
  onDemandBudgetBytes: number;
  /** How many on-demand models fit awake at once, smallest first. */
  atOnce: number;
}

export interface CpuSizingArgs {
  models: readonly ModelSpec[];
  tuning: Record<string, ModelTuning>;
  keepAlive: Record<string, KeepAlive>;
  engineBytes: number;
  engineKind: EngineKind | undefined;
  otherServicesBytes: number;
  dtypeBytes: number;
  numaNodes: number;
  /** Berth runs beside the engine and can wake models: a model with no keep-alive set may then go on demand. */
  canWake: boolean;
}

const short = (w: PlanWarning) => w.code === 'insufficient-memory';

export function sizeCpuModelsOnDemand(args: CpuSizingArgs): CpuSizing {
  const size = (models: readonly ModelSpec[], otherServicesBytes: number) =>
    sizeCpuModels({ ...args, models, otherServicesBytes });
  const chosen = (m: ModelSpec) => args.keepAlive[m.service];
  // A model the user gave no keep-alive is always on when the models not set to sleep all fit at once, and takes its
  // turn on demand when two or more of them do not (one model alone has no other to take turns with).
  const awakeTogether = args.models.filter((m) => chosen(m) === undefined || chosen(m) === 'always');
  const turns =
    args.canWake && awakeTogether.length > 1 && size(awakeTogether, args.otherServicesBytes).warnings.some(short);
  const keepAlive = new Map(
    args.models.map((m): [string, KeepAlive] => [
      m.service,
      chosen(m) ?? (turns ? DEFAULT_KEEP_ALIVE_MINUTES : 'always'),
    ]),
  );
  const always = args.models.filter((m) => keepAlive.get(m.service) === 'always');
  const onDemand = args.models.filter((m) => keepAlive.get(m.service) !== 'always');

  const alwaysPlan = size(always, args.otherServicesBytes);
  const alwaysBytes = alwaysPlan.sizes.reduce((sum, s) => sum + s.memoryBytes, 0);
  const warnings = [...alwaysPlan.warnings];
  const onDemandSizes = onDemand.map((model) => {
    const alone = size([model], args.otherServicesBytes + alwaysBytes);
    warnings.push(...alone.warnings.filter((w) => !short(w)));
    return alone.sizes[0] as CpuModelSize;
  });
  const budget = Math.max(0, args.engineBytes - args.otherServicesBytes - ENGINE_HEADROOM_BYTES - alwaysBytes);
  const never = onDemandSizes.filter((s) => s.memoryBytes > budget);
  if (never.length > 0) {
    const largest = Math.max(...never.map((s) => s.memoryBytes));
    const need = largest + args.otherServicesBytes + ENGINE_HEADROOM_BYTES + alwaysBytes;
    warnings.push(
      onDemandWarnings.neverFits({
        kind: args.engineKind,
        engineBytes: args.engineBytes,
        services: never.map((s) => s.service),
        raiseToGiB: Math.ceil(need / (2 * GiB)) * 2,
        budgetBytes: budget,
      }),
    );
  }
  let atOnce = 0;
  let used = 0;
  for (const bytes of onDemandSizes.map((s) => s.memoryBytes).sort((a, b) => a - b)) {
    if (used + bytes > budget) break;
    used += bytes;
    atOnce += 1;
  }
  const sizes = args.models.map(
    (m) => [...alwaysPlan.sizes, ...onDemandSizes].find((s) => s.service === m.service) as CpuModelSize,
  );
  return { sizes, warnings, keepAlive, alwaysBytes, onDemandBudgetBytes: budget, atOnce };
}
