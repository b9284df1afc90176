import type { MetricPanel } from '../../common/contracts/metrics.js';
import parsePrometheusText from 'parse-prometheus-text-format';
import type { ModelSparklines } from './prometheus-api.js';

/** What one read of a vLLM server's /metrics says, for the sparklines when no Prometheus runs. */
export interface ServerSample {
  at: number;
  generationTokens: number;
  running: number;
  waiting: number;
  kvCacheUsage: number;
  ttftBuckets: Map<number, number>;
}

function total(families: ReturnType<typeof parsePrometheusText>, name: string): number {
  return (families.find((f) => f.name === name)?.metrics ?? []).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

export function sampleFromText(text: string, at: number): ServerSample {
  const families = parsePrometheusText(text);
  const ttftBuckets = new Map<number, number>();
  for (const metric of families.find((f) => f.name === 'vllm:time_to_first_token_seconds')?.metrics ?? []) {
    for (const [le, count] of Object.entries(metric.buckets ?? {})) {
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      ttftBuckets.set(bound, (ttftBuckets.get(bound) ?? 0) + Number(count));
    }
  }
  return {
    at,
    generationTokens: total(families, 'vllm:generation_tokens_total'),
    running: total(families, 'vllm:num_requests_running'),
    waiting: total(families, 'vllm:num_requests_waiting'),
    kvCacheUsage: Math.max(
      0,
      ...(families.find((f) => f.name === 'vllm:kv_cache_usage_perc')?.metrics ?? []).map((m) => Number(m.value ?? 0)),
    ),
    ttftBuckets,
  };
}

/**
 * The q-quantile of the observations that fell between two reads of a cumulative histogram, as Prometheus computes it.
 */
export function quantileBetween(before: Map<number, number>, after: Map<number, number>, q: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const observed = counts.at(-1) ?? 0;
  if (observed <= 0) return null;
  const rank = q * observed;
  for (let i = 0; i < bounds.length; i++) {
    if ((counts[i] as number) >= rank) {
      const upper = bounds[i] as number;
      const lower = i > 0 ? (bounds[i - 1] as number) : 0;
      if (!Number.isFinite(upper)) return lower;
      const below = i > 0 ? (counts[i - 1] as number) : 0;
      const inBucket = (counts[i] as number) - below;
      return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
    }
  }
  return null;
}

/** Successive reads per server, turned into the same sparklines the Prometheus path gives. */
export class ServerMetricsHistory {
  private readonly samples = new Map<string, ServerSample[]>();

  constructor(private readonly keep = 180) {}

  push(service: string, sample: ServerSample): void {
    const list = [...(this.samples.get(service) ?? []), sample].slice(-this.keep);
    this.samples.set(service, list);
  }

  sparklines(service: string): ModelSparklines {
    const list = this.samples.get(service) ?? [];
    const pairs = list.slice(1).map((after, i) => ({ before: list[i] as ServerSample, after }));
    const at = (sample: ServerSample) => sample.at / 1000;
    const quantile = (q: number) =>
      pairs.flatMap(({ before, after }): [number, number][] => {
        const value = quantileBetween(before.ttftBuckets, after.ttftBuckets, q);
        return value === null ? [] : [[at(after), value]];
      });
    const timeline: Record<MetricPanel, [number, number][]> = {
      generationTokensPerS: pairs.map(({ before, after }) => [
        at(after),
        Math.max(0, after.generationTokens - before.generationTokens) / Math.max(0.001, (after.at - before.at) / 1000),
      ]),
      ttftP50Seconds: quantile(0.5),
      ttftP95Seconds: quantile(0.95),
      running: list.map((s) => [at(s), s.running]),
      waiting: list.map((s) => [at(s), s.waiting]),
      kvCachePercent: list.map((s) => [at(s), s.kvCacheUsage * 100]),
    };
    return { service, timeline };
  }
}
