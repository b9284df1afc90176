import type { HostFacts } from '../../contracts/host-facts.js';
import type { KeepAlive, Settings } from '../../contracts/settings.js';
import type { VllmFigures } from '../../contracts/measurement.js';
import { about, type PlanWarning, type ServiceDraft, type StackPlan } from '../../contracts/stack-plan.js';
import type { ModelSpec } from '../../catalog/models.js';
import { formatGiB, formatTokens } from '../../units.js';
import { kvBytesForRequest, kvPool, longestRequest, type KvLayout } from '../../planner/kv-cache.js';
import { CPU_TARGET_CONTEXT_TOKENS, MIN_CONTEXT_TOKENS } from '../../planner/cpu-memory.js';
import { DEFAULT_KEEP_ALIVE_MINUTES, wakesHere } from '../../planner/on-demand.js';
import { fitWords } from '../../planner/vllm-words.js';
import { kvShortWarning, overPlanWarning, withMeasurement } from '../../planner/vllm-figures.js';
import { measurementFor } from '../../planner/model-drafts.js';
import { modelService } from '../../planner/services.js';
import type { PlanOptions } from '../../planner/plan-inputs.js';
import { fourBit, METAL_4BIT } from './checkpoints.js';
import {
  macMemory,
  METAL_BATCHED_TOKENS,
  METAL_BLOCK_TOKENS,
  METAL_OVERHEAD_BYTES,
  METAL_PROCESS_BYTES,
  type MacMemory,
} from './memory.js';
import { metalWarnings } from './words.js';

export const METAL_LAYOUT: KvLayout = {
  blockTokens: METAL_BLOCK_TOKENS,
  batchedTokens: METAL_BATCHED_TOKENS,
  dtypeBytes: 2,
};

/** What one model takes of the Mac beside its KV cache: weights and profile run in Metal, its processes outside. */
const fixedBytes = (m: ModelSpec) => m.weightsBytes + METAL_OVERHEAD_BYTES + METAL_PROCESS_BYTES;
const minContext = (m: ModelSpec) => Math.min(m.maxModelLen, MIN_CONTEXT_TOKENS);
const targetContext = (m: ModelSpec) => Math.min(m.maxModelLen, CPU_TARGET_CONTEXT_TOKENS);
/** The KV cache a model asks for: two requests of its target context, so one long chat never waits for another. */
const wantedKv = (m: ModelSpec) => 2 * kvBytesForRequest(m, targetContext(m), METAL_LAYOUT);
const leastBytes = (m: ModelSpec) => fixedBytes(m) + kvBytesForRequest(m, minContext(m), METAL_LAYOUT);

interface Sized {
  model: ModelSpec;
  kvBytes: number;
  maxModelLen: number;
  keepAlive: KeepAlive;
}

/** The KV caches of models that share `room`: each its wish while they all fit, else an even share of what is left. */
function shareRoom(models: readonly ModelSpec[], room: number): Map<string, number> {
  const left = room - models.reduce((sum, m) => sum + fixedBytes(m), 0);
  const wished = models.reduce((sum, m) => sum + wantedKv(m), 0);
  return new Map(
    models.map((m) => [m.service, Math.max(0, wished <= left ? wantedKv(m) : (left * wantedKv(m)) / wished)]),
  );
}

function sized(model: ModelSpec, kvBytes: number, keepAlive: KeepAlive): Sized {
  const tuned = Math.min(targetContext(model), longestRequest(model, kvBytes, METAL_LAYOUT));
  return { model, kvBytes: Math.floor(kvBytes), maxModelLen: tuned, keepAlive };
}

/**
 * Which models are awake together and which take turns, and each one's cache: as the CPU plan does, a model with no
 * keep-alive set is always on when they all fit at their shortest context, and takes turns on demand when not.
 */
function sizeOnMac(models: readonly ModelSpec[], settings: Settings, budget: number, canWake: boolean) {
  const chosen = (m: ModelSpec) => settings.keepAlive[m.service];
  const together = models.filter((m) => chosen(m) === undefined || chosen(m) === 'always');
  const turns = canWake && together.length > 1 && together.reduce((s, m) => s + leastBytes(m), 0) > budget;
  const keepAlive = new Map(
    models.map((m): [string, KeepAlive] => [m.service, chosen(m) ?? (turns ? DEFAULT_KEEP_ALIVE_MINUTES : 'always')]),
  );
  const always = models.filter((m) => keepAlive.get(m.service) === 'always');
  const onDemand = models.filter((m) => keepAlive.get(m.service) !== 'always');
  const alwaysKv = shareRoom(always, budget);
  const alwaysBytes = always.reduce((s, m) => s + fixedBytes(m) + (alwaysKv.get(m.service) ?? 0), 0);
  const onDemandRoom = Math.max(0, budget - alwaysBytes);
  const sizes = [
    ...always.map((m) => sized(m, alwaysKv.get(m.service) ?? 0, 'always')),
    ...onDemand.map((m) =>
      sized(m, shareRoom([m], onDemandRoom).get(m.service) ?? 0, keepAlive.get(m.service) ?? 'always'),
    ),
  ];
  const awake = (s: Sized) => fixedBytes(s.model) + s.kvBytes;
  let atOnce = 0;
  let filled = 0;
  for (const s of sizes.filter((x) => x.keepAlive !== 'always').sort((a, b) => awake(a) - awake(b))) {
    if (filled + awake(s) > onDemandRoom) break;
    filled += awake(s);
    atOnce++;
  }
  const largest = Math.max(0, ...sizes.filter((s) => s.keepAlive !== 'always').map(awake));
  return { sizes, onDemandRoom, atOnce, usedBytes: alwaysBytes + largest };
}

/** The checkpoints: bf16 where every model fits at once at its shortest context, 4-bit MLX where not. */
function checkpoints(models: readonly ModelSpec[], budget: number): { models: ModelSpec[]; fourBit: boolean } {
  const bf16 = models.reduce((s, m) => s + leastBytes(m), 0);
  const small = models.some((m) => METAL_4BIT[m.service]) && bf16 > budget;
  return { models: small ? models.map(fourBit) : [...models], fourBit: small };
}

/** What the plan expects vllm-metal to report: the cache its share leaves, in vLLM's terms. */
function expectedMetal(model: ModelSpec, kvBytes: number, maxModelLen: number): VllmFigures {
  const pool = kvPool(model, kvBytes, maxModelLen, METAL_LAYOUT);
  return {
    weightsBytes: model.weightsBytes,
    kvBytes,
    kvTokens: pool.tokens,
    maxConcurrency: Math.floor(pool.concurrency * 100) / 100,
    overheadBytes: METAL_OVERHEAD_BYTES,
    blockTokens: METAL_BLOCK_TOKENS,
  };
}

/**
 * `--gpu-memory-utilization` for a share: vllm-metal gives the KV cache `metal_limit × fraction − model_memory −
 * overhead` (vllm_metal/v1/cache_policy.py, base_kv_budget_bytes; with VLLM_METAL_MEMORY_FRACTION=auto the fraction is
 * this flag), so the fraction is the model's whole Metal share over the working-set limit. Rounded up at the fourth
 * decimal, which gives the cache at most a megabyte more.
 */
export function metalFraction(weightsBytes: number, kvBytes: number, workingSetBytes: number): number {
  return Math.ceil(((weightsBytes + METAL_OVERHEAD_BYTES + kvBytes) / workingSetBytes) * 1e4) / 1e4;
}

/** A command line without these flags and their values. */
function withoutFlags(command: readonly string[], flags: readonly string[]): string[] {
  return command.filter((arg, i) => !flags.includes(arg) && !flags.includes(command[i - 1] ?? ''));
}

/** The development models on the Mac's GPU through vllm-metal: checkpoints, shares, contexts and the Mac's account. */
export function planMetalModels(
  catalogModels: readonly ModelSpec[],
  facts: HostFacts,
  settings: Settings,
  options: PlanOptions,
  engine: { version: string | null; path: string; vmNeedsBytes: number },
  warnings: PlanWarning[],
): {
  drafts: ServiceDraft[];
  host: NonNullable<StackPlan['host']>;
  onDemand?: { budgetBytes: number; atOnce: number };
} {
  const mac = macMemory(facts, settings);
  const picked = checkpoints(catalogModels, mac.budgetBytes);
  const image = `vllm-metal ${engine.version ?? '(version unknown)'}`;
  const measurements = new Map(
    picked.models.map((m) => [m.service, measurementFor(options, facts, m, image, 'metal')]),
  );
  const models = picked.models.map((m) => withMeasurement(m, measurements.get(m.service)));
  const sizing = sizeOnMac(models, settings, mac.budgetBytes, wakesHere(facts));
  const fits = (s: Sized) => s.maxModelLen >= minContext(s.model);
  warnings.push(
    ...metalWarnings(
      sizing.sizes.filter((s) => !fits(s)),
      mac,
      facts,
      engine.vmNeedsBytes,
      leastBytes,
    ),
  );
  const drafts = sizing.sizes.filter(fits).map((s) => {
    const measurement = measurements.get(s.model.service);
    for (const w of [
      overPlanWarning(s.model.service, measurement),
      kvShortWarning(s.model.service, measurement, s.maxModelLen),
    ])
      if (w) warnings.push(w);
    const draft = metalDraft(s, mac, image, settings, picked.fourBit, sizing, measurement);
    return { ...draft, model: { ...draft.model, hostCommand: [engine.path, 'serve'] } } as ServiceDraft;
  });
  const onDemand = drafts.filter((d) => typeof d.model?.keepAlive === 'number');
  return {
    drafts,
    host: {
      totalBytes: mac.totalBytes,
      workingSetBytes: mac.workingSetBytes,
      vmBytes: mac.vmBytes,
      appsRoomBytes: mac.appsRoomBytes,
      budgetBytes: mac.budgetBytes,
      usedBytes: sizing.usedBytes,
      vmNeedsBytes: engine.vmNeedsBytes,
    },
    ...(onDemand.length ? { onDemand: { budgetBytes: sizing.onDemandRoom, atOnce: sizing.atOnce } } : {}),
  };
}

function metalDraft(
  s: Sized,
  mac: MacMemory,
  image: string,
  settings: Settings,
  fourBitChosen: boolean,
  sizing: { onDemandRoom: number; atOnce: number; sizes: Sized[] },
  measurement: ReturnType<typeof measurementFor>,
): ServiceDraft {
  const fraction = metalFraction(s.model.weightsBytes, s.kvBytes, mac.workingSetBytes);
  // A process on the Mac: no container, volume or shared memory of its own.
  const { shmBytes: _shm, ...shell } = modelService(
    s.model,
    image,
    ['--gpu-memory-utilization', String(fraction), '--max-model-len', String(s.maxModelLen)],
    settings.stack,
  );
  const expected = expectedMetal(s.model, s.kvBytes, s.maxModelLen);
  const fit = fitWords({ expected, maxModelLen: s.maxModelLen, modelLimit: s.model.maxModelLen });
  const onDemand = sizing.sizes.filter((x) => x.keepAlive !== 'always').map((x) => x.model.service);
  const checkpoint = METAL_4BIT[s.model.service];
  return {
    ...shell,
    // Its address is its own host port on loopback, which the plan gives it with the ports (plan.ts, finished).
    command: withoutFlags(shell.command, ['--host', '--port']),
    mounts: [],
    env: { HF_TOKEN: '${HF_TOKEN}' },
    model: {
      ...shell.model,
      device: 'metal',
      server: 'vllm-metal',
      maxModelLen: s.maxModelLen,
      expected,
      ...(measurement ? { measured: { ...measurement.measured, at: measurement.at } } : {}),
      fit,
      keepAlive: s.keepAlive,
    },
    gpuMemoryUtilization: fraction,
    // What it takes of the Mac awake: its Metal share and its processes (the room models on demand take turns in).
    memoryBytes: Math.ceil(fixedBytes(s.model) + s.kvBytes),
    reasons: [
      ...shell.reasons.filter((r) => r.topic !== 'runtime'),
      about(
        'runtime',
        `runs on the Mac's GPU through vllm-metal, a process beside Docker (vLLM's Apple-GPU plugin: the same ` +
          '`vllm serve` flags, routes and metrics)',
      ),
      ...(fourBitChosen && checkpoint
        ? [
            about(
              'image',
              `the 4-bit MLX checkpoint ${checkpoint.id} (${formatGiB(checkpoint.weightsBytes)}): bf16 weights leave ` +
                `too little of the ${formatGiB(mac.budgetBytes)} the models have for their caches`,
            ),
          ]
        : []),
      about(
        'gpu-share',
        `--gpu-memory-utilization ${fraction}: ${formatGiB(s.model.weightsBytes)} of weights, ` +
          `${formatGiB(METAL_OVERHEAD_BYTES)} of vllm-metal's own and ${formatGiB(s.kvBytes)} of KV cache, of the ` +
          `${formatGiB(mac.workingSetBytes)} Metal lets the GPU wire`,
      ),
      about(
        'fit',
        `${fit.words}: vllm-metal pages the ${formatGiB(s.kvBytes)} cache in blocks of ${METAL_BLOCK_TOKENS} tokens ` +
          `and should report ${(expected.kvTokens ?? 0).toLocaleString('en-US')} tokens, ${expected.maxConcurrency}× ` +
          `a ${formatTokens(s.maxModelLen)}-token request`,
      ),
      about(
        'on-demand',
        s.keepAlive === 'always'
          ? 'always on: starts with the stack and never sleeps for being idle (keepAlive)'
          : `on demand (keepAlive ${s.keepAlive} min): sleeps after ${s.keepAlive} min without a request (its ` +
              `process stopped, its memory freed) and wakes on the next one while Berth runs` +
              (onDemand.length > 1
                ? `; ${onDemand.join(', ')} take turns in the ${formatGiB(sizing.onDemandRoom)} the Mac leaves ` +
                  `models, ${sizing.atOnce === 0 ? 'none' : sizing.atOnce} at a time`
                : ''),
      ),
    ],
  };
}
