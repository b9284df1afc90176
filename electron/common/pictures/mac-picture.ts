import { isOnDemand, reasonAbout, type PlannedService, type StackPlan } from '../contracts/stack-plan.js';
import { formatGiB } from '../units.js';
import type { MemoryBar, Segment } from './plan-pictures.js';

/**
 * The Mac's one memory account, drawn (docs/decisions/0014): the models on its GPU (those on demand: the largest of
 * their turns), Docker's VM with the stack's containers, the room kept for the user's apps, and what is free. The
 * plan's figures only: the picture adds words, never numbers of its own.
 */
export function macMemoryBar(plan: StackPlan): MemoryBar | undefined {
  const host = plan.host;
  if (!host) return undefined;
  const onMac = plan.services.filter((s) => s.model?.device === 'metal');
  const largestOnDemand = onMac
    .filter(isOnDemand)
    .reduce<PlannedService | undefined>((a, b) => ((a?.memoryBytes ?? 0) >= (b.memoryBytes ?? 0) ? a : b), undefined);
  const segments: Segment[] = onMac
    .filter((s) => !isOnDemand(s) || s === largestOnDemand)
    .flatMap((s) => modelSegments(s, isOnDemand(s)));
  segments.push(
    {
      kind: 'services',
      bytes: host.vmBytes,
      label: `Docker's VM ${formatGiB(host.vmBytes)} (the stack's containers need ${formatGiB(host.vmNeedsBytes)})`,
      reason: "What the engine's VM keeps of the Mac: litellm, Open WebUI, Prometheus and Grafana run in it.",
    },
    {
      kind: 'headroom',
      bytes: host.appsRoomBytes,
      label: `kept for your apps ${formatGiB(host.appsRoomBytes)}`,
      reason: 'metal.appsRoomGiB: no model is sized into it, so macOS and your apps keep it.',
    },
  );
  const used = host.usedBytes + host.vmBytes + host.appsRoomBytes;
  const over = Math.max(0, used - host.totalBytes);
  segments.push(
    over > 0
      ? { kind: 'over', bytes: over, label: `${formatGiB(over)} more than there is`, reason: 'The plan asks for more.' }
      : {
          kind: 'free',
          bytes: host.totalBytes - used,
          label: `free ${formatGiB(host.totalBytes - used)}`,
          reason:
            `Models may take at most ${formatGiB(host.budgetBytes)} (Metal lets the GPU wire ` +
            `${formatGiB(host.workingSetBytes)}).`,
        },
  );
  return { totalBytes: host.totalBytes, segments, overBytes: over, title: `This Mac's ${formatGiB(host.totalBytes)}` };
}

/** A model on the Mac: its weights, its KV cache, and vllm-metal's own memory with its processes. */
function modelSegments(service: PlannedService, onDemand: boolean): Segment[] {
  const expected = service.model?.expected;
  const weights = expected?.weightsBytes ?? service.model?.weightsBytes ?? 0;
  const kv = expected?.kvBytes ?? 0;
  const runtime = Math.max(0, (service.memoryBytes ?? 0) - weights - kv);
  const tag = onDemand ? ' (on demand, the largest of its turns)' : '';
  const share = reasonAbout(service, 'gpu-share') ?? '';
  return [
    {
      kind: 'weights',
      service: service.name,
      bytes: weights,
      label: `${service.name} weights ${formatGiB(weights)}${tag}`,
      reason: share,
    },
    {
      kind: 'kv',
      service: service.name,
      bytes: kv,
      label: `${service.name} KV cache ${formatGiB(kv)}`,
      reason: reasonAbout(service, 'fit') ?? share,
    },
    {
      kind: 'runtime',
      service: service.name,
      bytes: runtime,
      label: `${service.name} runtime ${formatGiB(runtime)}${tag}`,
      reason: "vllm-metal's profile run and its processes outside Metal",
    },
  ];
}
