import type { HostFacts } from '../../contracts/host-facts.js';
import { modelSpecWords } from './model-spec-words.js';
import { engineCpuCount } from '../../planner/memory-account.js';
import type { PlannedService, StackPlan } from '../../contracts/stack-plan.js';
import { InputError } from '../../contracts/errors.js';
import { usableCores } from '../../planner/cpu-cores.js';
import { parseCpuList } from '../../planner/cpu-list.js';
import { GPU_OUTSIDE_SHARE_BYTES, nvidiaCards } from '../../planner/gpu-memory.js';
import { GiB, MiB } from '../../units.js';
import { toQuantity, type ModelSpecValues, type ScaledObject } from './chart.js';
import { extraArgs, flag, k8sModelName, splitImage } from './model-names.js';
import { scaling } from './scaling.js';
import type { GpuSharing, K8sOptions } from './options.js';

export const SECRET_NAME = 'berth-secrets';
export const SECRET_KEYS = { hfToken: 'hf-token', apiKey: 'api-key' } as const;

/** Per model: the values entry and why each number is what it is. */
export interface ModelExport {
  spec: ModelSpecValues;
  /** With --autoscale: the KEDA ScaledObject that scales this model server. */
  scaledObject?: ScaledObject;
  reasons: string[];
}

const gib = (bytes: number) => `${Math.ceil(bytes / GiB)}Gi`;
const quantity = toQuantity;

/** The models the plan puts on the node: GPU pods share its CPUs by this count. */
function modelCount(plan: StackPlan): number {
  return plan.services.filter((s) => s.role === 'model').length;
}

/**
 * The plan's OpenMP cores as Kubernetes counts CPUs (hardware threads). The cores the plan keeps unbound stay with
 * the node: there they hold the kubelet, the router and Open WebUI, as on one machine they hold litellm and Open WebUI.
 */
function cpuResources(service: PlannedService, facts: HostFacts): { cpus: number; reasons: string[] } {
  const bind = parseCpuList(service.env.VLLM_CPU_OMP_THREADS_BIND ?? '');
  const bound = usableCores(facts).cores.filter((core) => core.threads.some((t) => bind.includes(t)));
  const threadsPerCore = Math.max(1, ...bound.map((core) => core.threads.length));
  const cpus = bound.length * threadsPerCore;
  return {
    cpus,
    reasons: [
      modelSpecWords.cpus(cpus, bound.length, service.env.VLLM_CPU_OMP_THREADS_BIND ?? '', threadsPerCore),
      modelSpecWords.cpuBind(bound.length),
    ],
  };
}

function cpuModel(
  service: PlannedService,
  facts: HostFacts,
): { resources: Partial<ModelSpecValues>; env: { name: string; value: string }[]; reasons: string[] } {
  const cores = cpuResources(service, facts);
  const memory = service.memoryBytes as number;
  const arch = facts.engine?.arch ?? (facts.os.arch === 'arm64' ? 'aarch64' : 'x86_64');
  return {
    resources: {
      requestCPU: cores.cpus,
      limitCPU: String(cores.cpus),
      requestMemory: quantity(memory),
      limitMemory: quantity(memory),
      requestGPU: 0,
      runtimeClassName: '',
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: 'kubernetes.io/arch', operator: 'In', values: [arch === 'aarch64' ? 'arm64' : 'amd64'] },
          ],
        },
      ],
    },
    env: [
      { name: 'VLLM_CPU_KVCACHE_SPACE', value: service.env.VLLM_CPU_KVCACHE_SPACE ?? String(service.kvCacheGiB ?? 1) },
      { name: 'VLLM_CPU_OMP_THREADS_BIND', value: 'auto' },
      { name: 'VLLM_CPU_NUM_OF_RESERVED_CPU', value: '0' },
    ],
    reasons: [
      ...cores.reasons,
      modelSpecWords.cpuMemory(memory, service.kvCacheGiB ?? 0),
      modelSpecWords.arch(arch === 'aarch64' ? 'arm64' : 'amd64', service.image, arch),
    ],
  };
}

interface GpuContext {
  facts: HostFacts;
  plan: StackPlan;
  sharing: GpuSharing;
}

function gpuModel(
  service: PlannedService,
  ctx: GpuContext,
): { resources: Partial<ModelSpecValues>; gpuMemoryUtilization: number; reasons: string[] } {
  const { facts, plan, sharing } = ctx;
  const gpus = service.gpus ?? [];
  const share = service.gpuMemoryUtilization ?? 0.9;
  const cards = nvidiaCards(facts);
  const card = cards.find((c) => c.index === gpus[0]);
  const sharers = plan.services.filter(
    (s) => s.role === 'model' && s.name !== service.name && s.gpus?.some((g) => gpus.includes(g)),
  );
  const count = modelCount(plan);
  const nodeCpus = engineCpuCount(facts);
  const cpus = Math.max(2, Math.floor((nodeCpus - 2) / count));
  const weights = service.model?.weightsBytes ?? 0;
  const resources: Partial<ModelSpecValues> = {
    requestCPU: cpus,
    requestMemory: gib(weights + 4 * GiB),
    requestGPU: Math.max(1, gpus.length),
  };
  const reasons = [
    modelSpecWords.gpuCpus(cpus, nodeCpus, count),
    modelSpecWords.gpuMemory(gib(weights + 4 * GiB), weights),
  ];
  let gpuMemoryUtilization = share;
  if (sharers.length > 0 && sharing === 'hami' && card) {
    // HAMi shows the pod a card of requestGPUMem MiB: vLLM's share is then of that, and the headroom the plan keeps
    // outside the shares (CUDA graphs, non-torch memory) must be inside it.
    const shareBytes = share * card.visibleBytes;
    const limitMiB = Math.ceil((shareBytes + GPU_OUTSIDE_SHARE_BYTES) / MiB);
    gpuMemoryUtilization = Math.floor((shareBytes / (limitMiB * MiB)) * 100) / 100;
    resources.requestGPUMem = String(limitMiB);
    resources.limitGPUMem = String(limitMiB);
    reasons.push(
      modelSpecWords.hamiShare({
        card,
        sharers: sharers.map((s) => s.name),
        limitMiB,
        share,
        shareBytes,
        outsideBytes: GPU_OUTSIDE_SHARE_BYTES,
        utilization: gpuMemoryUtilization,
      }),
    );
  } else if (sharers.length > 0) {
    reasons.push(
      modelSpecWords.wholeCard(
        gpus,
        sharers.map((s) => s.name),
        share,
      ),
    );
  } else {
    reasons.push(modelSpecWords.ownCard(gpus.length, share));
  }
  if (card) reasons.push(modelSpecWords.cardAssumed(card.model, card.visibleBytes));
  return { resources, gpuMemoryUtilization, reasons };
}

/** pvcStorage: the weights as they sit in the Hugging Face cache, with room for the tokenizer and a download. */
function storage(service: PlannedService): { size: string; reason: string } {
  const weights = service.model?.weightsBytes ?? 4 * GiB;
  const size = gib(weights * 1.25 + GiB);
  return {
    size,
    reason: modelSpecWords.volume(size, weights),
  };
}

/** One modelSpec entry of the chart's values for a planned model server, and the reasons for its numbers. */
export function modelSpecFor(
  service: PlannedService,
  plan: StackPlan,
  facts: HostFacts,
  options: K8sOptions,
): ModelExport {
  const model = service.model;
  if (!model) throw new Error(`internal: ${service.name} is not a model`);
  if (service.build) {
    throw new InputError(`images.${service.name}`, modelSpecWords.localBuild(service.name));
  }
  const name = k8sModelName(service.name);
  const { repository, tag } = splitImage(service.name, service.image);
  const command = service.command;
  const device = model.device === 'cpu' ? cpuModel(service, facts) : undefined;
  const gpu = model.device === 'gpu' ? gpuModel(service, { facts, plan, sharing: options.gpuSharing }) : undefined;
  const volume = storage(service);
  const scale = scaling(service, name, options);
  const dtype = flag(command, '--dtype') ?? 'auto';
  const spec: ModelSpecValues = {
    name,
    repository,
    tag,
    modelURL: model.id,
    ...scale.fields,
    replicaCount: scale.fields.replicaCount ?? 1,
    requestCPU: 1,
    requestMemory: '1Gi',
    requestGPU: 0,
    ...device?.resources,
    ...gpu?.resources,
    pvcStorage: volume.size,
    shmSize: quantity(service.shmBytes ?? 4 * GiB),
    vllmConfig: {
      // The chart passes --no-enable-prefix-caching unless this is true; vLLM (and so the plan) caches prefixes by
      // default.
      enablePrefixCaching: true,
      maxModelLen: model.maxModelLen,
      dtype,
      // Set even at 1: the chart mounts /dev/shm (shmSize) only when tensorParallelSize is given.
      tensorParallelSize: Math.max(1, service.gpus?.length ?? 1),
      ...(gpu ? { gpuMemoryUtilization: gpu.gpuMemoryUtilization } : {}),
      extraArgs: extraArgs(command, model.id),
    },
    hf_token: { secretName: SECRET_NAME, secretKey: SECRET_KEYS.hfToken },
    ...(device ? { env: device.env } : {}),
  };
  return {
    spec,
    ...(scale.scaledObject ? { scaledObject: scale.scaledObject } : {}),
    reasons: [
      modelSpecWords.served(model.id, model.servedName),
      modelSpecWords.context(model.maxModelLen, dtype),
      ...(device?.reasons ?? []),
      ...(gpu?.reasons ?? []),
      volume.reason,
      modelSpecWords.shm(quantity(service.shmBytes ?? 4 * GiB)),
      scale.reason,
      modelSpecWords.image(repository, tag),
    ],
  };
}
