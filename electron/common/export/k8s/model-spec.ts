import type { HostFacts } from '../../contracts/host-facts.js';
import { engineCpuCount } from '../../planner/memory-account.js';
import type { PlannedService, StackPlan } from '../../contracts/stack-plan.js';
import { InputError } from '../../contracts/errors.js';
import { usableCores } from '../../planner/cpu-cores.js';
import { parseCpuList } from '../../planner/cpu-list.js';
import { GPU_OUTSIDE_SHARE_BYTES, nvidiaCards } from '../../planner/gpu-memory.js';
import { GiB, MiB, formatGiB } from '../../units.js';
import { CHART, MAX_MODEL_NAME, MODEL_NAME, toQuantity, type ModelSpecValues, type ScaledObject } from './chart.js';

export type GpuSharing = 'whole' | 'hami';

export interface K8sOptions {
  namespace: string;
  /** Fixed replicas per model; autoscale replaces it. */
  replicas: number;
  autoscale?: { min: number; max: number };
  gpuSharing: GpuSharing;
  /** The Prometheus KEDA asks for the queue length: kube-prometheus-stack's, by default. */
  prometheusUrl: string;
}

export const SECRET_NAME = 'berth-secrets';
export const SECRET_KEYS = { hfToken: 'hf-token', apiKey: 'api-key' } as const;

/** Per model: the values entry and why each number is what it is. */
export interface ModelExport {
  spec: ModelSpecValues;
  /** With --autoscale: the KEDA ScaledObject that scales this engine. */
  scaledObject?: ScaledObject;
  reasons: string[];
}

/** Flags the chart writes from vllmConfig or itself (`vllm serve MODEL --host 0.0.0.0 --port 8000`). */
const MAPPED_FLAGS = new Set([
  '--host',
  '--port',
  '--max-model-len',
  '--dtype',
  '--gpu-memory-utilization',
  '--tensor-parallel-size',
]);

/** A flag's value in a plan's command (`--flag value`, as the planner writes them). */
function flag(command: readonly string[], name: string): string | undefined {
  const at = command.indexOf(name);
  return at >= 0 ? command[at + 1] : undefined;
}

/**
 * The plan's arguments the chart has no field for, in their order: --served-model-name, the tool-call flags and whatever
 * settings add. The model, `vllm serve`'s positional argument, comes from modelURL.
 */
function extraArgs(command: readonly string[], modelId: string): string[] {
  const out: string[] = [];
  for (let i = command[0] === modelId ? 1 : 0; i < command.length; i++) {
    const arg = command[i] as string;
    if (MAPPED_FLAGS.has(arg)) {
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/**
 * The name the chart gives the model's Deployment, Service and volume: the plan's service name where Kubernetes takes
 * it, with anything else ('.' in `vllm-qwen3-0.6b`) turned into '-'.
 */
export function k8sModelName(service: string): string {
  const name = service
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (!MODEL_NAME.test(name) || name.length > MAX_MODEL_NAME) {
    throw new InputError(
      'models',
      `"${service}" cannot name Kubernetes objects even as "${name}": at most ${MAX_MODEL_NAME} letters, digits and '-'; give the model a shorter service name`,
    );
  }
  return name;
}

/** `repository:tag` as the chart joins them; a digest rides along with its tag. */
export function splitImage(service: string, reference: string): { repository: string; tag: string } {
  const [name = '', digest] = reference.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) {
    throw new InputError(
      `images.${service}`,
      `"${reference}" has no tag, and the chart pulls repository:tag; use a tagged image such as vllm/vllm-openai:v0.30.0`,
    );
  }
  return { repository: name.slice(0, colon), tag: `${name.slice(colon + 1)}${digest ? `@${digest}` : ''}` };
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
      `CPU ${cpus} (request = limit, whole CPUs: a Guaranteed pod, which the kubelet's static CPU manager gives cores of its own): the plan's ${bound.length} OpenMP core${bound.length === 1 ? '' : 's'} (${service.env.VLLM_CPU_OMP_THREADS_BIND}), ${threadsPerCore} hardware thread${threadsPerCore === 1 ? '' : 's'} each as Kubernetes counts CPUs; the cores the plan keeps unbound stay with the node for the kubelet, the router and Open WebUI`,
      `VLLM_CPU_OMP_THREADS_BIND=auto: a pod does not choose its CPUs, so vLLM binds one OpenMP thread to each physical core it is given, ${bound.length} as planned; VLLM_CPU_NUM_OF_RESERVED_CPU=0 (vLLM's default for one rank) lets its API server share those cores, since Kubernetes cannot give the frontends of several pods one shared core as the plan's cpusets do`,
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
      `memory ${formatGiB(memory)} (request = limit): the plan's limit, weights + ${service.kvCacheGiB ?? 0} GiB KV cache (VLLM_CPU_KVCACHE_SPACE) + runtime`,
      `nodes of kubernetes.io/arch=${arch === 'aarch64' ? 'arm64' : 'amd64'}: ${service.image} is built for ${arch}`,
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
    `CPU ${cpus}: the node's ${nodeCpus} CPUs less 2 for the kubelet, the router and Open WebUI, split between the ${count} model${count === 1 ? '' : 's'} the plan puts on it (no limit: vLLM's GPU workers use the CPU in bursts)`,
    `memory ${gib(weights + 4 * GiB)}: the weights pass through host memory while they load (${formatGiB(weights)}) + 4 GiB for Python, CUDA's host buffers and the tokenizer (no limit, so loading is never OOM-killed)`,
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
      `shares GPU ${card.index} (${card.model}) with ${sharers.map((s) => s.name).join(' and ')} as in the plan, through HAMi: ${limitMiB} MiB of the card (requestGPUMem) = its share ${share} of ${formatGiB(card.visibleBytes)} (${formatGiB(shareBytes)}) + ${formatGiB(GPU_OUTSIDE_SHARE_BYTES)} outside the share for CUDA graphs; HAMi shows the pod a card of that size, so --gpu-memory-utilization becomes ${gpuMemoryUtilization} of it, the same bytes`,
    );
  } else if (sharers.length > 0) {
    reasons.push(
      `shares GPU ${gpus.join(',')} with ${sharers.map((s) => s.name).join(' and ')} in the plan; here it gets a card of its own (nvidia.com/gpu is whole cards unless the cluster shares them) at the plan's share ${share}, so its context and KV cache are as planned and the rest of the card stays free. On a cluster running HAMi, export with --gpu-sharing hami to put them on one card`,
    );
  } else {
    reasons.push(
      `${gpus.length > 1 ? `${gpus.length} cards` : 'a card'} of its own, as in the plan, at the plan's share ${share}`,
    );
  }
  if (card)
    reasons.push(
      `the share assumes a ${card.model} (${formatGiB(card.visibleBytes)} as vLLM sees it): on a cluster with other cards, add nodeSelectorTerms on nvidia.com/gpu.product`,
    );
  return { resources, gpuMemoryUtilization, reasons };
}

/** pvcStorage: the weights as they sit in the Hugging Face cache, with room for the tokenizer and a download. */
function storage(service: PlannedService): { size: string; reason: string } {
  const weights = service.model?.weightsBytes ?? 4 * GiB;
  const size = gib(weights * 1.25 + GiB);
  return {
    size,
    reason: `volume ${size} for the Hugging Face cache (HF_HOME=/data): ${formatGiB(weights)} of weights + a quarter and 1 GiB for the tokenizer, configs and a download's temporary files`,
  };
}

/** The chart's Deployment for a model (helm/templates/deployment-vllm-multi.yaml): the ScaledObject's target. */
export function engineDeploymentName(model: string): string {
  return `${CHART.release}-${model}-deployment-vllm`;
}

function scaling(
  service: PlannedService,
  name: string,
  options: K8sOptions,
): { fields: Partial<ModelSpecValues>; scaledObject?: ScaledObject; reason: string } {
  if (options.autoscale) {
    const { min, max } = options.autoscale;
    const query = `sum(vllm:num_requests_waiting{service="${service.name}"})`;
    const scaledObject: ScaledObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: {
        name: `${CHART.release}-${name}-scaledobject`,
        labels: { model: name, 'app.kubernetes.io/managed-by': 'berth' },
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: engineDeploymentName(name) },
        minReplicaCount: min,
        maxReplicaCount: max,
        // The chart's defaults (values.yaml: keda.pollingInterval 15, cooldownPeriod 360).
        pollingInterval: 15,
        cooldownPeriod: 360,
        triggers: [{ type: 'prometheus', metadata: { serverAddress: options.prometheusUrl, query, threshold: '5' } }],
      },
    };
    return {
      fields: { replicaCount: min, ...(max > 1 ? { pvcAccessMode: ['ReadWriteMany' as const] } : {}) },
      scaledObject,
      reason: `${min}–${max} replicas by KEDA on ${query} > 5 per replica, read from ${options.prometheusUrl} (a ScaledObject in extraObjects, on the service label monitoring.yaml puts on vLLM's series)${max > 1 ? '; the weights volume is ReadWriteMany so replicas on other nodes share it' : ''}`,
    };
  }
  const replicas = options.replicas;
  return {
    fields: { replicaCount: replicas, ...(replicas > 1 ? { pvcAccessMode: ['ReadWriteMany' as const] } : {}) },
    reason: `${replicas} replica${replicas === 1 ? '' : 's'}${replicas > 1 ? '; the weights volume is ReadWriteMany so replicas on other nodes share it' : ''}`,
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
    throw new InputError(
      `images.${service.name}`,
      `this model's image is built from a local vLLM checkout (vllmSource), which a cluster cannot pull: set images.${service.name} to a pushed image, or remove vllmSource`,
    );
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
      // The chart passes --no-enable-prefix-caching unless this is true; vLLM (and so the plan) caches prefixes by default.
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
      `${model.id} as "${model.servedName}" (--served-model-name: the router lists and routes the plan's names)`,
      `context ${model.maxModelLen} tokens and dtype ${dtype}${dtype === 'auto' ? " (vLLM's default: the model's own)" : ''}, as planned`,
      ...(device?.reasons ?? []),
      ...(gpu?.reasons ?? []),
      volume.reason,
      `/dev/shm ${quantity(service.shmBytes ?? 4 * GiB)} as in the plan (a memory-backed volume: what it holds counts toward the pod's memory)`,
      scale.reason,
      `image ${repository}:${tag}, as planned`,
    ],
  };
}
