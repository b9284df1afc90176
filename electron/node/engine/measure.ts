import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { OVER_PLAN_RATIO, type Measurement, type VllmFigures } from '../../common/contracts/measurement.js';
import type { PlannedService } from '../../common/contracts/stack-plan.js';
import { GiB } from '../../common/units.js';
import { heldLessThanOneRequest } from '../../common/planner/vllm-figures.js';
import { readLogTail } from './logs.js';

/**
 * What a vLLM server reports about itself as it starts, read from its log (vLLM's own lines: vllm/v1/worker/
 * gpu_model_runner.py "Model loading took", gpu_worker.py "Available KV cache memory", v1/core/kv_cache_utils.py "GPU
 * KV cache size" and "Maximum concurrency"), the same on the CPU backend.
 */
export function figuresFromLog(lines: readonly string[]): VllmFigures {
  const text = lines.join('\n');
  const last = (pattern: RegExp) => [...text.matchAll(pattern)].at(-1);
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value.replace(/,/g, '')));
  const figures: VllmFigures = {};
  const weights = number(last(/Model loading took ([\d.]+) GiB/g)?.[1]);
  if (weights !== undefined) figures.weightsBytes = weights * GiB;
  const kv = number(last(/Available KV cache memory: (-?[\d.]+) GiB/g)?.[1]);
  if (kv !== undefined) figures.kvBytes = Math.max(0, kv) * GiB;
  const tokens = number(last(/GPU KV cache size: ([\d,]+) tokens/g)?.[1]);
  if (tokens !== undefined) figures.kvTokens = tokens;
  const concurrency = last(/Maximum concurrency for ([\d,]+) tokens per request: ([\d.]+)x/g);
  if (concurrency) {
    figures.maxModelLen = number(concurrency[1]);
    figures.maxConcurrency = number(concurrency[2]);
  }
  return { ...figures, ...refusalFigures(text) };
}

/**
 * What vLLM's refusal to start says of its KV cache: the context it was asked for, and the tokens the cache holds.
 * V1 counts it in GiB and estimates the longest context that fits, which is the tokens the cache holds (whole blocks:
 * `_check_enough_kv_cache_memory` and `estimate_max_model_len` in vllm/v1/core/kv_cache_utils.py); V0 counted tokens
 * (raise_if_cache_size_invalid in vllm/worker/worker.py).
 */
function refusalFigures(text: string): VllmFigures {
  const v1 = new RegExp(
    String.raw`max seq len \((\d+)\), \(([\d.]+) GiB KV cache is needed, which is larger than the available KV ` +
      String.raw`cache memory \(([\d.]+) GiB\)\.` +
      String.raw`(?: Based on the available memory, the estimated maximum model length is (\d+)\.)?`,
  ).exec(text);
  const v0 = new RegExp(
    String.raw`max seq len \((\d+)\) is larger than the maximum number of tokens that can be stored in KV cache ` +
      String.raw`\((\d+)\)`,
  ).exec(text);
  const asked = Number(v1?.[1] ?? v0?.[1]);
  if (!asked) return {};
  const held = Number(v1 ? (v1[4] ?? 0) : v0?.[2]);
  return {
    ...(v1 ? { kvBytes: Number(v1[3]) * GiB } : {}),
    kvTokens: held,
    maxModelLen: asked,
    maxConcurrency: Math.floor((held / asked) * 100) / 100,
  };
}

/** The block size in vLLM's own metric vllm:cache_config_info (its labels are the CacheConfig's fields). */
export function blockTokensFromMetrics(text: string): number | undefined {
  const match = /^vllm:cache_config_info\{[^}]*\bblock_size="(\d+)"/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Runs a command in the container and returns what it printed, or undefined when it could not. */
async function execText(container: Docker.Container, cmd: string[]): Promise<string | undefined> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', resolve);
    stream.on('error', () => resolve());
  });
  const inspect = await exec.inspect();
  if (inspect.ExitCode !== 0) return undefined;
  // The stream is multiplexed: 8-byte frame headers before each payload.
  const raw = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length;) {
    const size = raw.readUInt32BE(at + 4);
    out.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(out).toString('utf8').trim();
}

const PEAK_FILES = { v2: 'memory.peak', v1: 'memory.max_usage_in_bytes' };

/**
 * The peak read from this machine's own /sys/fs/cgroup, when the engine runs on this kernel: the container's main
 * process is in /proc and its cgroup names the container (Docker Desktop's, Colima's and a remote engine's are not,
 * and are read inside the container instead). No exec: a model's measurement is the last thing `up` waits on.
 */
export async function peakOnThisKernel(pid: number | undefined, containerId: string): Promise<number | undefined> {
  if (!pid) return undefined;
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')).split('\n');
  const unified = lines.find((l) => l.startsWith('0::'))?.slice(3);
  const memory = lines.find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l))?.replace(/^\d+:[^:]*:/, '');
  const files = [
    unified?.includes(containerId) ? `/sys/fs/cgroup${unified}/${PEAK_FILES.v2}` : undefined,
    memory?.includes(containerId) ? `/sys/fs/cgroup/memory${memory}/${PEAK_FILES.v1}` : undefined,
  ];
  for (const file of files) {
    const text = file ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
    if (text && /^\d+\s*$/.test(text)) return Number(text.trim());
  }
  return undefined;
}

/**
 * The container's peak memory as its cgroup counts it: memory.peak (cgroup v2, Linux 5.19 on), else
 * memory.max_usage_in_bytes (cgroup v1); from this machine's /sys/fs/cgroup when the engine runs here, else read
 * inside the container (vLLM's images have `cat`).
 */
export async function peakMemoryBytes(docker: Docker, containerId: string): Promise<number | undefined> {
  const info = await docker
    .getContainer(containerId)
    .inspect()
    .catch(() => undefined);
  return (await peakOnThisKernel(info?.State.Pid, info?.Id ?? containerId)) ?? peakInContainer(docker, containerId);
}

/** The peak as the container reads its own cgroup, an exec of `cat`. */
export async function peakInContainer(docker: Docker, containerId: string): Promise<number | undefined> {
  const container = docker.getContainer(containerId);
  // Both read at once: one of them is there, and each read is an exec of its own (about 0.1 s on Docker 20.10).
  const texts = await Promise.all(
    [`/sys/fs/cgroup/${PEAK_FILES.v2}`, `/sys/fs/cgroup/memory/${PEAK_FILES.v1}`].map((file) =>
      execText(container, ['cat', file]).catch(() => undefined),
    ),
  );
  const text = texts.find((t) => t && /^\d+$/.test(t));
  return text ? Number(text) : undefined;
}

/** What this start of a model server measured, beside what its plan expected. */
export async function measureStart(args: {
  docker: Docker;
  containerId: string;
  service: PlannedService;
  engine: string;
  oomKilled?: boolean;
  /** The server stopped at its start: only vLLM's refusal of its KV cache is kept from it, never its peak. */
  stopped?: boolean;
  now?: Date;
  /** vLLM's /metrics, where the engine can reach it. */
  metrics?: () => Promise<string | undefined>;
}): Promise<Measurement | undefined> {
  const { service } = args;
  const model = service.model;
  if (!model) return undefined;
  // The log, the peak and the metrics are read at once: a model's measurement is the last thing `up` waits on.
  const [log, peak, metrics] = await Promise.all([
    readLogTail(args.docker, args.containerId, 3000).catch(() => []),
    model.device === 'cpu' && !args.oomKilled && !args.stopped
      ? peakMemoryBytes(args.docker, args.containerId)
      : undefined,
    args.metrics?.().catch(() => undefined),
  ]);
  const measured: VllmFigures = figuresFromLog(log.map((l) => l.text));
  if (args.stopped && !heldLessThanOneRequest(measured)) return undefined;
  if (model.device === 'cpu') {
    if (args.oomKilled) {
      measured.oomKilled = true;
      if (service.memoryBytes) measured.limitBytes = service.memoryBytes;
    } else {
      if (peak !== undefined) measured.peakBytes = peak;
      if (service.memoryBytes) measured.limitBytes = service.memoryBytes;
      // The CPU server's KV cache is what it was given; its runtime is the rest of its peak.
      if (service.kvCacheGiB) measured.kvBytes = service.kvCacheGiB * GiB;
      if (peak !== undefined && measured.weightsBytes !== undefined)
        measured.overheadBytes = Math.max(0, peak - measured.weightsBytes - (measured.kvBytes ?? 0));
    }
  } else if (
    service.gpuMemoryUtilization &&
    measured.weightsBytes !== undefined &&
    measured.kvBytes !== undefined &&
    model.expected?.kvBytes !== undefined
  ) {
    // A share's activations and CUDA graphs: what the share held besides weights and KV cache.
    const shareBytes =
      (model.expected.weightsBytes ?? 0) + (model.expected.overheadBytes ?? 0) + model.expected.kvBytes;
    measured.overheadBytes = Math.max(0, shareBytes - measured.weightsBytes - measured.kvBytes);
  }
  const block = blockTokensFromMetrics(metrics ?? '');
  if (block !== undefined) measured.blockTokens = block;
  if (Object.keys(measured).length === 0) return undefined;
  return {
    service: service.name,
    image: service.image,
    model: model.id,
    device: model.device,
    engine: args.engine,
    at: (args.now ?? new Date()).toISOString(),
    planned: model.expected ?? {},
    measured,
  };
}

/** Whether a measurement went past its plan by more than 10%, or was killed at its limit. */
export function aboveItsPlan(m: Measurement): boolean {
  const over = (a?: number, b?: number) => a !== undefined && b !== undefined && b > 0 && a > b * OVER_PLAN_RATIO;
  return (
    Boolean(m.measured.oomKilled) ||
    heldLessThanOneRequest(m.measured) ||
    over(m.measured.peakBytes, m.planned.peakBytes) ||
    over(m.measured.weightsBytes, m.planned.weightsBytes) ||
    over(m.measured.overheadBytes, m.planned.overheadBytes)
  );
}
