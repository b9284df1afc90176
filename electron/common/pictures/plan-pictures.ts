import type { HostFacts } from '../contracts/host-facts.js';
import { reasonAbout, type PlannedService, type StackPlan } from '../contracts/stack-plan.js';
import { usableCores } from '../planner/cpu-cores.js';
import { parseCpuList } from '../planner/cpu-list.js';
import { GPU_OUTSIDE_SHARE_BYTES, VLLM_UNSEEN_BYTES, nvidiaCards, type Card } from '../planner/gpu-memory.js';
import { engineMemory } from '../planner/memory-account.js';
import { formatGiB } from '../units.js';

/**
 * The plan as pictures: which CPUs each model's threads use, how the engine's memory and each card's memory are
 * shared. Pure functions of the StackPlan and HostFacts the API already returns, each part with the plan's reason.
 */

/** What a CPU does in the plan. */
export type CpuUse = 'openmp' | 'sibling' | 'frontend' | 'free';

export interface CpuCell {
  cpu: number;
  core: number;
  node: number;
  use: CpuUse;
  /** The model whose OpenMP thread (or core) this is. */
  service?: string;
  reason: string;
}

export interface CoreMap {
  nodes: { node: number; cpus: CpuCell[] }[];
  /** The models in the order they are drawn, for a legend with stable colours. */
  models: string[];
}

export interface Segment {
  /** weights | kv | runtime | activations | headroom | services | unseen | free | over */
  kind: 'weights' | 'kv' | 'runtime' | 'activations' | 'headroom' | 'services' | 'unseen' | 'free' | 'over';
  service?: string;
  bytes: number;
  label: string;
  reason: string;
  /** The size comes from what vLLM reported on an earlier start, not from the planner's defaults. */
  measured?: boolean;
}

export interface MemoryBar {
  totalBytes: number;
  segments: Segment[];
  /** Bytes the plan asks for beyond the total; 0 when it fits. */
  overBytes: number;
  title: string;
}

const models = (plan: StackPlan) => plan.services.filter((s) => s.role === 'model' && s.model);

export function coreMap(plan: StackPlan, facts: HostFacts): CoreMap {
  const cpuModels = models(plan).filter((s) => s.model?.device === 'cpu' && s.cpuset);
  const places =
    facts.engine?.cpuTopology ??
    usableCores(facts).cores.flatMap((core) => core.threads.map((cpu) => ({ cpu, core: core.cpu, node: core.node })));
  const owner = new Map<number, { service: string; use: CpuUse }>();
  for (const service of cpuModels) {
    const bind = new Set(parseCpuList(service.env.VLLM_CPU_OMP_THREADS_BIND ?? ''));
    const boundCores = new Set(places.filter((p) => bind.has(p.cpu)).map((p) => `${p.node}:${p.core}`));
    for (const place of places) {
      if (bind.has(place.cpu)) owner.set(place.cpu, { service: service.name, use: 'openmp' });
      else if (boundCores.has(`${place.node}:${place.core}`))
        owner.set(place.cpu, { service: service.name, use: 'sibling' });
    }
  }
  const frontend = new Set(cpuModels.flatMap((s) => parseCpuList(s.cpuset ?? '')).filter((cpu) => !owner.has(cpu)));
  const nodes = new Map<number, CpuCell[]>();
  for (const place of [...places].sort((a, b) => a.cpu - b.cpu)) {
    const own = owner.get(place.cpu);
    const service = own ? cpuModels.find((s) => s.name === own.service) : undefined;
    let cell: CpuCell;
    if (own && service) {
      cell = {
        cpu: place.cpu,
        core: place.core,
        node: place.node,
        use: own.use,
        service: own.service,
        reason:
          own.use === 'openmp'
            ? `CPU ${place.cpu}: an OpenMP thread of ${own.service}. ${reasonAbout(service, 'cores') ?? ''}`.trim()
            : `CPU ${place.cpu}: the other hardware thread of a core ${own.service} binds, left to it so ` +
              'nothing else shares the core.',
      };
    } else if (frontend.has(place.cpu)) {
      const sample = cpuModels.find((s) => parseCpuList(s.cpuset ?? '').includes(place.cpu));
      const cpuset = (sample && reasonAbout(sample, 'cpuset')) ?? '';
      cell = {
        cpu: place.cpu,
        core: place.core,
        node: place.node,
        use: 'frontend',
        reason: `CPU ${place.cpu}: kept for vLLM's API servers, litellm and Open WebUI. ${cpuset}`.trim(),
      };
    } else {
      cell = {
        cpu: place.cpu,
        core: place.core,
        node: place.node,
        use: 'free',
        reason: `CPU ${place.cpu}: no model binds it${cpuModels.length ? '' : ' (no CPU model in this plan)'}.`,
      };
    }
    nodes.set(place.node, [...(nodes.get(place.node) ?? []), cell]);
  }
  return {
    nodes: [...nodes.entries()].sort(([a], [b]) => a - b).map(([node, cpus]) => ({ node, cpus })),
    models: cpuModels.map((s) => s.name),
  };
}

/** The engine's memory: each CPU model's weights, KV cache and runtime, the other services, and what is left. */
export function memoryBar(plan: StackPlan, facts: HostFacts): MemoryBar {
  // The planner's accounting, drawn: the pictures add the words, never their own numbers.
  const account = engineMemory(plan, facts);
  const total = account.totalBytes;
  const segments: Segment[] = [];
  for (const part of account.models) {
    const service = plan.services.find((s) => s.name === part.service) as PlannedService;
    const limit = reasonAbout(service, 'memory') ?? '';
    const tag = `${part.measured ? ' (measured)' : ''}${part.onDemand ? ' (on demand, the largest of its turns)' : ''}`;
    segments.push(
      {
        kind: 'weights',
        service: service.name,
        bytes: part.weightsBytes,
        label: `${service.name} weights ${formatGiB(part.weightsBytes)}${tag}`,
        reason: limit,
        measured: part.measured,
      },
      {
        kind: 'kv',
        service: service.name,
        bytes: part.kvBytes,
        label: `${service.name} KV cache ${formatGiB(part.kvBytes)}`,
        reason: reasonAbout(service, 'kv-cache') ?? limit,
      },
      {
        kind: 'runtime',
        service: service.name,
        bytes: part.runtimeBytes,
        label: `${service.name} runtime ${formatGiB(part.runtimeBytes)}${tag}`,
        reason: limit,
        measured: part.measured,
      },
    );
  }
  const others = account.otherServicesBytes;
  if (others > 0) {
    segments.push({
      kind: 'services',
      bytes: others,
      label: `litellm, Open WebUI, Prometheus, Grafana ${formatGiB(others)}`,
      reason: 'What the other services of the stack take, as the planner counts them.',
    });
  }
  if (account.headroomBytes > 0) {
    segments.push({
      kind: 'headroom',
      bytes: account.headroomBytes,
      label: `kept for the engine ${formatGiB(account.headroomBytes)}`,
      reason: 'The planner leaves this free for the engine itself and the page cache: no container is sized into it.',
    });
  }
  const used = account.usedBytes;
  const over = account.overBytes;
  if (over === 0)
    segments.push({
      kind: 'free',
      bytes: total - used,
      label: `free ${formatGiB(total - used)}`,
      reason: 'Left for the page cache and whatever else runs in the engine.',
    });
  else {
    const warning = plan.warnings.find((w) => w.code === 'insufficient-memory');
    segments.push({
      kind: 'over',
      bytes: over,
      label: `${formatGiB(over)} more than there is`,
      reason: warning?.message ?? 'The plan asks for more memory than the engine has.',
    });
  }
  return {
    totalBytes: total,
    segments,
    overBytes: over,
    title: `${facts.engine ? "The engine's" : "This machine's"} ${formatGiB(total)} of memory`,
  };
}

/** One model's part of its card: weights, activations and CUDA graphs, KV cache inside its share; its CUDA context. */
function shareSegments(service: PlannedService, card: Card): Segment[] {
  const shareBytes = (service.gpuMemoryUtilization ?? 0) * card.visibleBytes;
  const expected = service.model?.expected;
  const weights = Math.min(shareBytes, expected?.weightsBytes ?? service.model?.weightsBytes ?? 0);
  const activations = Math.min(expected?.overheadBytes ?? 0, shareBytes - weights);
  const kv = Math.max(0, shareBytes - weights - activations);
  const share = reasonAbout(service, 'gpu-share') ?? '';
  const measured = service.model?.measured !== undefined;
  const tag = measured ? ' (measured)' : '';
  return [
    {
      kind: 'weights',
      service: service.name,
      bytes: weights,
      label: `${service.name} weights ${formatGiB(weights)}${tag}`,
      reason: share,
      measured,
    },
    {
      kind: 'activations',
      service: service.name,
      bytes: activations,
      label: `${service.name} activations and CUDA graphs ${formatGiB(activations)}${tag}`,
      reason: share,
      measured,
    },
    {
      kind: 'kv',
      service: service.name,
      bytes: kv,
      label: `${service.name} KV cache ${formatGiB(kv)}`,
      reason: reasonAbout(service, 'context') ?? share,
    },
    {
      kind: 'headroom',
      service: service.name,
      bytes: GPU_OUTSIDE_SHARE_BYTES,
      label: `${service.name} CUDA context ${formatGiB(GPU_OUTSIDE_SHARE_BYTES)}`,
      reason:
        "Kept outside the share for the process's CUDA context, which vLLM does not count in " +
        '--gpu-memory-utilization.',
    },
  ];
}

/**
 * One bar per NVIDIA card: each model's weights, activations, CUDA graphs and KV cache inside its share, its CUDA
 * context outside.
 */
export function gpuBars(plan: StackPlan, facts: HostFacts): (MemoryBar & { index: number; model: string })[] {
  const gpuModels = models(plan).filter((s) => s.model?.device === 'gpu');
  return nvidiaCards(facts).map((card) => {
    const onCard = gpuModels.filter((s) => s.gpus?.includes(card.index));
    const segments: Segment[] = [
      {
        kind: 'unseen',
        bytes: VLLM_UNSEEN_BYTES,
        label: `driver ${formatGiB(VLLM_UNSEEN_BYTES)}`,
        reason: 'What the driver keeps: vLLM sees the card this much smaller than NVML reports.',
      },
    ];
    for (const service of onCard) segments.push(...shareSegments(service, card));
    const used = segments.reduce((sum, s) => sum + s.bytes, 0);
    const over = Math.max(0, used - card.memoryBytes);
    if (over === 0)
      segments.push({
        kind: 'free',
        bytes: card.memoryBytes - used,
        label: `free ${formatGiB(card.memoryBytes - used)}`,
        reason: onCard.length ? 'Left free on the card.' : 'No model is placed on this card.',
      });
    else
      segments.push({
        kind: 'over',
        bytes: over,
        label: `${formatGiB(over)} more than the card has`,
        reason: 'The shares and headroom add up to more than the card.',
      });
    return {
      index: card.index,
      model: card.model,
      totalBytes: card.memoryBytes,
      segments,
      overBytes: over,
      title: `GPU ${card.index}: ${card.model}, ${formatGiB(card.memoryBytes)}`,
    };
  });
}
