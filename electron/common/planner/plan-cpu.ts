import type { HostFacts } from '../contracts/host-facts.js';
import type { KeepAlive, Settings } from '../contracts/settings.js';
import type { Measurement, VllmFigures } from '../contracts/measurement.js';
import { about, type PlanWarning, type ServiceDraft } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';
import { splitCores, type CoreSplit } from './cpu-cores.js';
import { formatCpuList } from './cpu-list.js';
import { cpuSupport, oldImageWarning, type CpuSupport } from './cpu-isa.js';
import { ENGINE_HEADROOM_BYTES } from './cpu-memory.js';
import { sizeCpuModelsOnDemand, type CpuSizing } from './cpu-on-demand.js';
import { wakesHere } from './on-demand.js';
import { onDemandReason } from './cpu-memory-words.js';
import { expectedCpu, kvShortWarning, overPlanWarning, withMeasurement } from './vllm-figures.js';
import { fitWords } from './vllm-words.js';
import { engineCpuCount, engineMemoryBytes } from './memory-account.js';
import { defaultVllmImage, modelService } from './services.js';
import { companionBytes } from '../services/registry.js';
import type { PlanOptions } from './plan-inputs.js';
import { kvCacheFlag, localVllmBuild, measurementFor, offlineModel } from './model-drafts.js';

/** The development profile's model servers: cores, memory, KV cache and context for each CPU model. */
export function planCpuModels(
  catalogModels: readonly ModelSpec[],
  facts: HostFacts,
  settings: Settings,
  options: PlanOptions,
  warnings: PlanWarning[],
  out: { onDemand?: { budgetBytes: number; atOnce: number } | undefined } = {},
): ServiceDraft[] {
  const isa = cpuSupport(facts);
  if (isa.refusal) {
    if (catalogModels.length > 0) warnings.push(isa.refusal);
    return [];
  }
  const arch = facts.engine?.arch ?? (facts.os.arch === 'arm64' ? 'aarch64' : 'x86_64');
  const imageOf = (model: ModelSpec) =>
    settings.images[model.service] ?? defaultVllmImage('cpu', arch, settings.vllmSource !== undefined);
  const measurements = new Map(catalogModels.map((m) => [m.service, measurementFor(options, facts, m, imageOf(m))]));
  const models = catalogModels.map((m) => withMeasurement(m, measurements.get(m.service)));
  const split = splitCores(models, facts);
  for (const model of split.dropped) {
    warnings.push({
      code: 'insufficient-cpus',
      service: model.service,
      message:
        `${model.service} is left out: the engine's ${engineCpuCount(facts)} CPUs give every other model a ` +
        'core of its own and none is left for it. Give the engine more CPUs or turn a model off.',
    });
  }
  const planned = models.filter((m) => split.assignments.some((a) => a.service === m.service));
  const engineBytes = engineMemoryBytes(facts);
  const otherServicesBytes = companionBytes(options.stackServices);
  const memory = sizeCpuModelsOnDemand({
    models: planned,
    tuning: settings.tuning,
    keepAlive: settings.keepAlive,
    engineBytes,
    engineKind: facts.engine?.kind,
    otherServicesBytes,
    dtypeBytes: 2,
    numaNodes: split.nodes,
    canWake: wakesHere(facts),
  });
  warnings.push(...memory.warnings);
  const onDemand = planned.filter((m) => memory.keepAlive.get(m.service) !== 'always').map((m) => m.service);
  out.onDemand = onDemand.length ? { budgetBytes: memory.onDemandBudgetBytes, atOnce: memory.atOnce } : undefined;

  const context: CpuContext = { facts, settings, isa, arch, memory, onDemand, engineBytes, otherServicesBytes };
  return planned.map((model) => {
    const cores = split.assignments.find((a) => a.service === model.service);
    const size = memory.sizes.find((s) => s.service === model.service);
    if (!cores || !size) throw new Error(`internal: ${model.service} was planned without cores or memory`);
    const image = imageOf(model);
    const measurement = measurements.get(model.service);
    warnings.push(...modelWarnings(model, image, measurement, size.maxModelLen, facts, settings));
    return cpuDraft(model, image, cores, size, measurement, context);
  });
}

/** What every CPU model's draft is made with. */
interface CpuContext {
  facts: HostFacts;
  settings: Settings;
  isa: CpuSupport;
  arch: 'x86_64' | 'aarch64';
  memory: CpuSizing;
  onDemand: string[];
  engineBytes: number;
  otherServicesBytes: number;
}

type CoreAssignment = CoreSplit['assignments'][number];
type ModelSize = CpuSizing['sizes'][number];

/** A model's own warnings: an image too old for this CPU, a start past its plan, a cache short of one request. */
function modelWarnings(
  model: ModelSpec,
  image: string,
  measurement: Measurement | undefined,
  context: number,
  facts: HostFacts,
  settings: Settings,
): PlanWarning[] {
  return [
    settings.images[model.service] ? oldImageWarning(facts, model.service, image) : undefined,
    overPlanWarning(model.service, measurement),
    kvShortWarning(model.service, measurement, context),
  ].filter((w): w is PlanWarning => w !== undefined);
}

/** Whether the model fits beside the others: an always-on one shares the engine, one on demand has what they leave. */
function cpuFit(model: ModelSpec, size: ModelSize, expected: VllmFigures, keepAlive: KeepAlive, c: CpuContext) {
  const alone =
    keepAlive === 'always'
      ? c.engineBytes - c.otherServicesBytes - ENGINE_HEADROOM_BYTES
      : c.memory.onDemandBudgetBytes;
  const room = keepAlive === 'always' ? alone - (c.memory.alwaysBytes - size.memoryBytes) : alone;
  return fitWords({
    expected,
    maxModelLen: size.maxModelLen,
    modelLimit: model.maxModelLen,
    needsBytes: size.memoryBytes,
    hasBytes: room,
    aloneBytes: alone,
  });
}

/** Why the image is built here: from the vllm checkout, with upstream's recipe. */
function buildReason(build: NonNullable<ServiceDraft['build']>) {
  return about(
    'image',
    `image built from the vllm checkout at ${build.context} (docker/Dockerfile.cpu, ${build.platform}` +
      `, VLLM_CPU_ARM_BF16=${build.args.VLLM_CPU_ARM_BF16 ?? 'n/a'}, max_jobs=${build.args.max_jobs})`,
  );
}

/** One CPU model's server: its cores and bind list, memory, KV cache, context, fit and why. */
function cpuDraft(
  model: ModelSpec,
  image: string,
  cores: CoreAssignment,
  size: ModelSize,
  measurement: Measurement | undefined,
  c: CpuContext,
): ServiceDraft {
  const { settings, isa } = c;
  const bind = formatCpuList(cores.cpus);
  const shell = modelService(
    model,
    image,
    ['--max-model-len', String(size.maxModelLen), '--dtype', isa.dtype, ...kvCacheFlag(image, size.kvCacheGiB)],
    settings.stack,
  );
  const build =
    settings.vllmSource && !settings.images[model.service]
      ? localVllmBuild(settings.vllmSource, c.arch, isa.dtype, engineCpuCount(c.facts))
      : undefined;
  const expected = expectedCpu(model, size.kvCacheGiB, size.maxModelLen, size.memoryBytes);
  const keepAlive = c.memory.keepAlive.get(model.service) ?? 'always';
  const fit = cpuFit(model, size, expected, keepAlive, c);
  const offline = offlineModel(settings.prefetchWeights);
  return {
    ...shell,
    ...(build ? { build } : {}),
    model: {
      ...shell.model,
      device: 'cpu',
      maxModelLen: size.maxModelLen,
      expected,
      // The cache the start was given (VLLM_CPU_KVCACHE_SPACE: a CPU server logs no "Available KV cache memory").
      ...(measurement
        ? {
            measured: {
              ...(measurement.planned.kvBytes !== undefined ? { kvBytes: measurement.planned.kvBytes } : {}),
              ...measurement.measured,
              at: measurement.at,
            },
          }
        : {}),
      fit,
      keepAlive,
    },
    env: {
      ...shell.env,
      ...offline.env,
      VLLM_CPU_OMP_THREADS_BIND: bind,
      VLLM_CPU_KVCACHE_SPACE: String(size.kvCacheGiB),
    },
    cpuset: formatCpuList(cores.cpuset),
    memoryBytes: size.memoryBytes,
    kvCacheGiB: size.kvCacheGiB,
    capAdd: ['SYS_NICE'],
    reasons: [
      ...shell.reasons,
      ...cores.reasons,
      ...size.reasons,
      about(
        'fit',
        `${fit.words}: vLLM pages the ${size.kvCacheGiB} GiB KV cache in blocks of ${expected.blockTokens} ` +
          `tokens and should report ${(expected.kvTokens ?? 0).toLocaleString('en-US')} tokens, ` +
          `${expected.maxConcurrency}× a ${size.maxModelLen}-token request`,
      ),
      about('on-demand', onDemandReason(model.service, keepAlive, c.onDemand, c.memory)),
      about('runtime', isa.reason),
      ...(offline.reason ? [offline.reason] : []),
      about(
        'security',
        "SYS_NICE lets vLLM place memory on the model's NUMA node; Docker's default seccomp profile then " +
          'allows those calls, so seccomp stays on',
      ),
      ...(build ? [buildReason(build)] : []),
    ],
  };
}
