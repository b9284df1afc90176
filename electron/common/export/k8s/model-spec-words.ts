import { formatGiB } from '../../units.js';

/**
 * What the Kubernetes export says about each number it writes for a model (model-spec.ts computes them): one builder
 * per line of the export's README, so the wording changes here and the values stay where they are computed.
 */

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const SHARED_VOLUME = '; the weights volume is ReadWriteMany so replicas on other nodes share it';

export const modelSpecWords = {
  localBuild(service: string): string {
    return (
      "this model's image is built from a local vLLM checkout (vllmSource), which a cluster cannot pull: set " +
      `images.${service} to a pushed image, or remove vllmSource`
    );
  },

  served(id: string, servedName: string): string {
    return `${id} as "${servedName}" (--served-model-name: the router lists and routes the plan's names)`;
  },

  context(maxModelLen: number, dtype: string): string {
    return (
      `context ${maxModelLen} tokens and dtype ${dtype}` +
      `${dtype === 'auto' ? " (vLLM's default: the model's own)" : ''}, as planned`
    );
  },

  cpus(cpus: number, cores: number, bind: string, threadsPerCore: number): string {
    return (
      `CPU ${cpus} (request = limit, whole CPUs: a Guaranteed pod, which the kubelet's static CPU manager gives ` +
      `cores of its own): the plan's ${plural(cores, 'OpenMP core')} (${bind}), ` +
      `${plural(threadsPerCore, 'hardware thread')} each as Kubernetes counts CPUs; the cores the plan keeps ` +
      'unbound stay with the node for the kubelet, the router and Open WebUI'
    );
  },

  cpuBind(cores: number): string {
    return (
      'VLLM_CPU_OMP_THREADS_BIND=auto: a pod does not choose its CPUs, so vLLM binds one OpenMP thread to each ' +
      `physical core it is given, ${cores} as planned; VLLM_CPU_NUM_OF_RESERVED_CPU=0 (vLLM's default for one ` +
      'rank) lets its API server share those cores, since Kubernetes cannot give the frontends of several pods one ' +
      "shared core as the plan's cpusets do"
    );
  },

  cpuMemory(memoryBytes: number, kvCacheGiB: number): string {
    return (
      `memory ${formatGiB(memoryBytes)} (request = limit): the plan's limit, weights + ${kvCacheGiB} GiB KV cache ` +
      '(VLLM_CPU_KVCACHE_SPACE) + runtime'
    );
  },

  arch(nodeArch: string, image: string, imageArch: string): string {
    return `nodes of kubernetes.io/arch=${nodeArch}: ${image} is built for ${imageArch}`;
  },

  gpuCpus(cpus: number, nodeCpus: number, models: number): string {
    return (
      `CPU ${cpus}: the node's ${nodeCpus} CPUs less 2 for the kubelet, the router and Open WebUI, split between ` +
      `the ${plural(models, 'model')} the plan puts on it (no limit: vLLM's GPU workers use the CPU in bursts)`
    );
  },

  gpuMemory(request: string, weightsBytes: number): string {
    return (
      `memory ${request}: the weights pass through host memory while they load (${formatGiB(weightsBytes)}) + ` +
      "4 GiB for Python, CUDA's host buffers and the tokenizer (no limit, so loading is never OOM-killed)"
    );
  },

  hamiShare(args: {
    card: { index: number; model: string; visibleBytes: number };
    sharers: readonly string[];
    limitMiB: number;
    share: number;
    shareBytes: number;
    outsideBytes: number;
    utilization: number;
  }): string {
    const { card } = args;
    return (
      `shares GPU ${card.index} (${card.model}) with ${args.sharers.join(' and ')} as in the plan, through HAMi: ` +
      `${args.limitMiB} MiB of the card (requestGPUMem) = its share ${args.share} of ${formatGiB(card.visibleBytes)} ` +
      `(${formatGiB(args.shareBytes)}) + ${formatGiB(args.outsideBytes)} outside the share for CUDA graphs; HAMi ` +
      `shows the pod a card of that size, so --gpu-memory-utilization becomes ${args.utilization} of it, the same bytes`
    );
  },

  wholeCard(gpus: readonly number[], sharers: readonly string[], share: number): string {
    return (
      `shares GPU ${gpus.join(',')} with ${sharers.join(' and ')} in the plan; here it gets a card of its own ` +
      `(nvidia.com/gpu is whole cards unless the cluster shares them) at the plan's share ${share}, so its context ` +
      'and KV cache are as planned and the rest of the card stays free. On a cluster running HAMi, export with ' +
      '--gpu-sharing hami to put them on one card'
    );
  },

  ownCard(cards: number, share: number): string {
    return `${cards > 1 ? `${cards} cards` : 'a card'} of its own, as in the plan, at the plan's share ${share}`;
  },

  cardAssumed(model: string, visibleBytes: number): string {
    return (
      `the share assumes a ${model} (${formatGiB(visibleBytes)} as vLLM sees it): on a cluster with other cards, ` +
      'add nodeSelectorTerms on nvidia.com/gpu.product'
    );
  },

  volume(size: string, weightsBytes: number): string {
    return (
      `volume ${size} for the Hugging Face cache (HF_HOME=/data): ${formatGiB(weightsBytes)} of weights + a ` +
      "quarter and 1 GiB for the tokenizer, configs and a download's temporary files"
    );
  },

  shm(size: string): string {
    return `/dev/shm ${size} as in the plan (a memory-backed volume: what it holds counts toward the pod's memory)`;
  },

  autoscale(min: number, max: number, query: string, prometheusUrl: string): string {
    return (
      `${min}–${max} replicas by KEDA on ${query} > 5 per replica, read from ${prometheusUrl} (a ScaledObject in ` +
      `extraObjects, on the service label monitoring.yaml puts on vLLM's series)${max > 1 ? SHARED_VOLUME : ''}`
    );
  },

  replicas(replicas: number): string {
    return `${plural(replicas, 'replica')}${replicas > 1 ? SHARED_VOLUME : ''}`;
  },

  image(repository: string, tag: string): string {
    return `image ${repository}:${tag}, as planned`;
  },
};
