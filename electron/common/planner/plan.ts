import type { HostFacts } from '../contracts/host-facts.js';
import type { ProfileChoice, Settings } from '../contracts/settings.js';
import {
  about,
  reasonFields,
  type PlannedService,
  type PlanWarning,
  type Reason,
  type StackPlan,
} from '../contracts/stack-plan.js';
import { InputError } from '../contracts/errors.js';
import { catalogFor, allServiceNames } from '../catalog/resolve.js';
import type { ModelSpec } from '../catalog/models.js';
import { DEFAULT_IMAGES, vllmImageVersion } from '../catalog/images.js';
import { measurementKey, type Measurement } from '../contracts/measurement.js';
import { GiB, capitalized, formatGiB } from '../units.js';
import { chooseProfile } from './profile.js';
import { trustedRemoteLitellm } from '../litellm-url.js';
import { splitCores } from './cpu-cores.js';
import { formatCpuList } from './cpu-list.js';
import { cpuSupport, oldImageWarning } from './cpu-isa.js';
import { ENGINE_HEADROOM_BYTES, sizeCpuModels } from './cpu-memory.js';
import { engineProductName } from './cpu-memory-words.js';
import { nvidiaCards, planGpuModels } from './gpu.js';
import { expectedCpu, expectedGpu, fitWords, overPlanWarning, withMeasurement } from './vllm-figures.js';
import { assignHostPorts } from './ports.js';
import { engineCpuCount, engineMemoryBytes } from './memory-account.js';
import {
  CONTAINER_PORTS,
  OTHER_SERVICES_BYTES,
  defaultVllmImage,
  grafanaService,
  litellmService,
  modelService,
  openWebuiService,
  prometheusService,
} from './services.js';

export interface PlanOptions {
  /** A profile chosen outside settings (a --profile flag, LITELLM_ENVIRONMENT) and who chose it. */
  profile?: { choice: ProfileChoice; source: string };
  /** What earlier starts measured (BERTH_HOME/measured.json): a plan for the same image, model and engine uses them. */
  measurements?: readonly Measurement[];
}

/** The exact inputs a plan was made from: the settings with the environment applied, and the options outside them. */
export interface PlanInputs {
  settings: Settings;
  options: PlanOptions;
}

/** The measurement of this model's last start with this image on this engine, if there was one. */
function measurementFor(
  options: PlanOptions,
  facts: HostFacts,
  model: ModelSpec,
  image: string,
): Measurement | undefined {
  const engine = facts.engine?.endpoint ?? 'none';
  const key = measurementKey({ engine, image, model: model.id, device: model.device });
  return (options.measurements ?? [])
    .filter((m) => measurementKey(m) === key)
    .sort((a, b) => b.at.localeCompare(a.at))[0];
}

/**
 * vLLM's current flag for the KV cache, which its CPU backend maps VLLM_CPU_KVCACHE_SPACE onto; images before 0.11 lack
 * it.
 */
function kvCacheFlag(image: string, kvCacheGiB: number): string[] {
  const version = vllmImageVersion(image);
  const current =
    image === DEFAULT_IMAGES.vllmCpuArm ||
    image === DEFAULT_IMAGES.vllmCpuX86 ||
    (version !== undefined && (version[0] > 0 || version[1] >= 11));
  return current ? ['--kv-cache-memory-bytes', String(kvCacheGiB * GiB)] : [];
}

type Draft = Omit<PlannedService, 'ports' | 'reasons' | 'reasonTopics'> & { reasons: Reason[] };

function checkKnownServices(settings: Settings, known: readonly string[]): void {
  for (const key of ['ports', 'images', 'tuning'] as const) {
    for (const name of Object.keys(settings[key])) {
      if (!known.includes(name))
        throw new InputError(`${key}.${name}`, `unknown service "${name}"; known services: ${known.join(', ')}`);
    }
  }
}

function checkTuning(models: readonly ModelSpec[], settings: Settings): void {
  for (const model of models) {
    const fixed = settings.tuning[model.service]?.maxModelLen;
    if (fixed !== undefined && fixed > model.maxModelLen) {
      throw new InputError(
        `tuning.${model.service}.maxModelLen`,
        `${fixed} is more than ${model.id}'s limit of ${model.maxModelLen} tokens; ` +
          `allowed: 256 to ${model.maxModelLen}`,
      );
    }
  }
}

/** Upstream's recipe for the CPU image; max_jobs defaults to 32 there, too many for a laptop. */
function localVllmBuild(
  context: string,
  arch: 'x86_64' | 'aarch64',
  dtype: string,
  cores: number,
): NonNullable<PlannedService['build']> {
  return {
    context,
    dockerfile: 'docker/Dockerfile.cpu',
    target: 'vllm-openai',
    platform: arch === 'aarch64' ? 'linux/arm64' : 'linux/amd64',
    args: {
      max_jobs: String(Math.max(2, cores)),
      ...(arch === 'aarch64' ? { VLLM_CPU_ARM_BF16: dtype === 'bfloat16' ? 'true' : 'false' } : {}),
    },
  };
}

function planCpuModels(
  catalogModels: readonly ModelSpec[],
  facts: HostFacts,
  settings: Settings,
  options: PlanOptions,
  warnings: PlanWarning[],
): Draft[] {
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
  const otherServicesBytes = Object.values(OTHER_SERVICES_BYTES).reduce((a, b) => a + b, 0);
  const memory = sizeCpuModels({
    models: planned,
    tuning: settings.tuning,
    engineBytes,
    engineKind: facts.engine?.kind,
    otherServicesBytes,
    dtypeBytes: 2,
    numaNodes: split.nodes,
  });
  warnings.push(...memory.warnings);
  const modelsBytes = memory.sizes.reduce((sum, s) => sum + s.memoryBytes, 0);

  return planned.map((model) => {
    const cores = split.assignments.find((a) => a.service === model.service);
    const size = memory.sizes.find((s) => s.service === model.service);
    if (!cores || !size) throw new Error(`internal: ${model.service} was planned without cores or memory`);
    const bind = formatCpuList(cores.cpus);
    const image = imageOf(model);
    const old = settings.images[model.service] ? oldImageWarning(facts, model.service, image) : undefined;
    if (old) warnings.push(old);
    const measurement = measurements.get(model.service);
    const overPlan = overPlanWarning(model.service, measurement);
    if (overPlan) warnings.push(overPlan);
    const shell = modelService(
      model,
      image,
      ['--max-model-len', String(size.maxModelLen), '--dtype', isa.dtype, ...kvCacheFlag(image, size.kvCacheGiB)],
      settings.stack,
    );
    const build =
      settings.vllmSource && !settings.images[model.service]
        ? localVllmBuild(settings.vllmSource, arch, isa.dtype, engineCpuCount(facts))
        : undefined;
    const expected = expectedCpu(model, size.kvCacheGiB, size.maxModelLen, size.memoryBytes);
    const alone = engineBytes - otherServicesBytes - ENGINE_HEADROOM_BYTES;
    const room = alone - (modelsBytes - size.memoryBytes);
    const fit = fitWords({
      expected,
      maxModelLen: size.maxModelLen,
      modelLimit: model.maxModelLen,
      needsBytes: size.memoryBytes,
      hasBytes: room,
      aloneBytes: alone,
    });
    return {
      ...shell,
      ...(build ? { build } : {}),
      model: {
        ...shell.model,
        device: 'cpu',
        maxModelLen: size.maxModelLen,
        expected,
        ...(measurement ? { measured: { ...measurement.measured, at: measurement.at } } : {}),
        fit,
      },
      env: { ...shell.env, VLLM_CPU_OMP_THREADS_BIND: bind, VLLM_CPU_KVCACHE_SPACE: String(size.kvCacheGiB) },
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
        about('runtime', isa.reason),
        about(
          'security',
          "SYS_NICE lets vLLM place memory on the model's NUMA node; Docker's default seccomp profile then " +
            'allows those calls, so seccomp stays on',
        ),
        ...(build
          ? [
              about(
                'image',
                `image built from the vllm checkout at ${build.context} (docker/Dockerfile.cpu, ${build.platform}` +
                  `, VLLM_CPU_ARM_BF16=${build.args.VLLM_CPU_ARM_BF16 ?? 'n/a'}, max_jobs=${build.args.max_jobs}` +
                  ')',
              ),
            ]
          : []),
      ],
    };
  });
}

function planGpuModelServices(
  catalogModels: readonly ModelSpec[],
  facts: HostFacts,
  settings: Settings,
  options: PlanOptions,
  warnings: PlanWarning[],
): Draft[] {
  const imageOf = (model: ModelSpec) => settings.images[model.service] ?? defaultVllmImage('gpu', 'x86_64', false);
  const measurements = new Map(catalogModels.map((m) => [m.service, measurementFor(options, facts, m, imageOf(m))]));
  const models = catalogModels.map((m) => withMeasurement(m, measurements.get(m.service)));
  const gpu = planGpuModels(models, facts, settings.tuning);
  warnings.push(...gpu.warnings);
  if (facts.engine && !facts.engine.gpuRuntime && nvidiaCards(facts).length > 0) {
    warnings.push({
      code: 'no-gpu-runtime',
      message:
        'the engine has no NVIDIA runtime and no CDI devices, so containers cannot reach the GPUs: install ' +
        'the NVIDIA Container Toolkit and run `nvidia-ctk runtime configure --runtime=docker`, then restart ' +
        'Docker.',
      blocking: true,
    });
  }
  const cards = nvidiaCards(facts);
  return models.flatMap((model) => {
    const place = gpu.placements.find((p) => p.service === model.service);
    if (!place) return [];
    const measurement = measurements.get(model.service);
    const overPlan = overPlanWarning(model.service, measurement);
    if (overPlan) warnings.push(overPlan);
    const shell = modelService(
      model,
      imageOf(model),
      ['--gpu-memory-utilization', String(place.gpuMemoryUtilization), '--max-model-len', String(place.maxModelLen)],
      settings.stack,
    );
    const card = cards.find((c) => c.index === place.gpus[0]);
    const expected = expectedGpu(model, place.gpuMemoryUtilization, card, place.maxModelLen);
    const fit = card
      ? fitWords({ expected, maxModelLen: place.maxModelLen, modelLimit: model.maxModelLen })
      : { verdict: 'no' as const, words: 'does not fit: no NVIDIA card was seen to size it on' };
    return [
      {
        ...shell,
        model: {
          ...shell.model,
          device: 'gpu' as const,
          maxModelLen: place.maxModelLen,
          expected,
          ...(measurement ? { measured: { ...measurement.measured, at: measurement.at } } : {}),
          fit,
        },
        gpus: place.gpus,
        gpuMemoryUtilization: place.gpuMemoryUtilization,
        dependsOn: place.waitsFor ? [{ service: place.waitsFor, condition: 'healthy' as const }] : [],
        reasons: [
          ...shell.reasons,
          ...place.reasons,
          ...(card
            ? [
                about(
                  'fit',
                  `${fit.words}: vLLM should report ${formatGiB(expected.kvBytes ?? 0)} of available KV ` +
                    `cache, ${(expected.kvTokens ?? 0).toLocaleString('en-US')} tokens, ${expected.maxConcurrency}` +
                    `× a ${place.maxModelLen}-token request`,
                ),
              ]
            : []),
        ],
      },
    ];
  });
}

/** The whole stack for this host and these settings. Pure: the same facts and settings give the same plan. */
export function planStack(facts: HostFacts, settings: Settings, options: PlanOptions = {}): StackPlan {
  const catalog = catalogFor(settings);
  checkKnownServices(settings, allServiceNames(catalog));
  checkTuning(catalog, settings);
  const enabled = catalog.filter((m) => !settings.disabledModels.includes(m.service));
  const cpuModels = enabled.filter((m) => m.device === 'cpu');
  const gpuModels = enabled.filter((m) => m.device === 'gpu');

  const choice = options.profile ?? { choice: settings.profile, source: 'settings' };
  const decision = chooseProfile(choice.choice, choice.source, facts, () => {
    if (nvidiaCards(facts).length === 0) return { fits: false, leftOut: [] };
    return planGpuModels(gpuModels, facts, settings.tuning);
  });
  const warnings: PlanWarning[] = [];
  if (!facts.engine) {
    warnings.push({
      code: 'no-engine',
      message:
        `no Docker engine answered${facts.engineProblem ? ` (${facts.engineProblem})` : ''}: this plan assumes ` +
        `the host's ${facts.cpu.physical} cores and ${formatGiB(facts.memory.totalBytes)}, which containers ` +
        'may not get. Start Docker and plan again.',
    });
  }

  const models = decision.profile === 'development' ? cpuModels : gpuModels;
  const engineBytes = engineMemoryBytes(facts);
  const othersBytes = Object.values(OTHER_SERVICES_BYTES).reduce((a, b) => a + b, 0) + ENGINE_HEADROOM_BYTES;
  if (models.length === 0) {
    warnings.push({
      code: 'no-models',
      message:
        `no ${decision.profile} model is turned on: turn one on in settings (disabledModels) or add one by its ` +
        'Hugging Face id.',
    });
  }
  const modelDrafts =
    decision.profile === 'development'
      ? planCpuModels(models, facts, settings, options, warnings)
      : planGpuModelServices(models, facts, settings, options, warnings);
  if (engineBytes < othersBytes && !warnings.some((w) => w.code === 'insufficient-memory')) {
    warnings.push({
      code: 'insufficient-memory',
      message:
        `${capitalized(engineProductName(facts.engine?.kind))} gives containers ${formatGiB(engineBytes)}; ` +
        `litellm, Open WebUI, Prometheus and Grafana need ${formatGiB(othersBytes)}: give the engine more ` +
        'memory.',
    });
  }
  const served = models.filter((m) => modelDrafts.some((d) => d.name === m.service));

  const image = (name: string, fallback: string) => settings.images[name] ?? fallback;
  const drafts: Draft[] = [
    ...modelDrafts,
    litellmService(image('litellm', DEFAULT_IMAGES.litellm), served),
    openWebuiService(image('open-webui', DEFAULT_IMAGES.openWebui), trustedRemoteLitellm(settings), settings.stack),
    prometheusService(image('prometheus', DEFAULT_IMAGES.prometheus), settings.stack),
    grafanaService(image('grafana', DEFAULT_IMAGES.grafana), settings.exposePorts, settings.stack),
  ];

  const bind = settings.exposePorts ? '0.0.0.0' : '127.0.0.1';
  const containerPort = (d: Draft) => d.health?.port ?? CONTAINER_PORTS.model;
  const ports = assignHostPorts(
    drafts.map((d) => ({ name: d.name, containerPort: containerPort(d) })),
    settings.ports,
    bind,
  );
  if (settings.litellmUrl && !trustedRemoteLitellm(settings)) {
    warnings.push({
      code: 'litellm-url-unconfirmed',
      message:
        `litellmUrl is ${settings.litellmUrl}, but it is not confirmed: Open WebUI and Chat use the stack's ` +
        'own litellm until you confirm it in Settings (it then receives the master key).',
    });
  }
  if (settings.exposePorts) {
    warnings.push({
      code: 'ports-exposed',
      message:
        'every port is open to the network (exposePorts): anyone who reaches this machine can use the models ' +
        'with the master key and see Grafana. Turn exposePorts off unless a firewall guards the host.',
    });
  }

  const services = drafts.map((d): PlannedService => {
    const port = ports.get(d.name);
    return {
      ...d,
      ports: port ? [port] : [],
      ...reasonFields([
        ...d.reasons,
        ...(port
          ? [
              about(
                'network',
                `port ${port.host} on ${bind === '127.0.0.1' ? '127.0.0.1 only (loopback)' : 'every interface'}`,
              ),
            ]
          : []),
      ]),
    };
  });
  return {
    schema: 1,
    profile: decision.profile,
    stack: settings.stack,
    network: settings.network,
    services,
    warnings,
    profileReason: decision.reason,
  };
}
