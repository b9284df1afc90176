import { z } from 'zod';
import { modelQueries } from '../../common/monitoring/queries.js';

const Sample = z.tuple([z.number(), z.string()]);
const Response = z.object({
  status: z.enum(['success', 'error']),
  error: z.string().optional(),
  data: z
    .object({
      resultType: z.string(),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: Sample.optional(), values: z.array(Sample).optional() })),
    })
    .optional(),
});

export interface Series {
  labels: Record<string, string>;
  points: { time: number; value: number }[];
}

async function call(baseUrl: string, path: string, params: Record<string, string>, timeoutMs: number): Promise<Series[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(params)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = Response.parse(await res.json());
  if (body.status !== 'success' || !body.data) throw new Error(`Prometheus refused the query: ${body.error ?? res.statusText}`);
  return body.data.result.map((r) => ({
    labels: r.metric,
    points: (r.values ?? (r.value ? [r.value] : [])).map(([time, value]) => ({ time, value: Number(value) })),
  }));
}

/** Prometheus's HTTP API: an expression's value now. */
export function queryInstant(baseUrl: string, expr: string, timeoutMs = 3000): Promise<Series[]> {
  return call(baseUrl, '/api/v1/query', { query: expr }, timeoutMs);
}

/** Prometheus's HTTP API: an expression over the last minutes, for sparklines. */
export function queryRange(baseUrl: string, expr: string, minutes: number, stepS: number, now = Date.now() / 1000, timeoutMs = 3000): Promise<Series[]> {
  return call(baseUrl, '/api/v1/query_range', { query: expr, start: String(now - minutes * 60), end: String(now), step: String(stepS) }, timeoutMs);
}

export interface ModelSparklines {
  service: string;
  generationTokensPerS: number[];
  ttftP50Seconds: number[];
  running: number[];
  waiting: number[];
  kvCachePercent: number[];
}

/** The app's sparklines for each model: what the Metrics view and the tray read while a window shows them. */
export async function modelSparklines(baseUrl: string, services: readonly string[], minutes = 15, stepS = 15): Promise<ModelSparklines[]> {
  return Promise.all(
    services.map(async (service) => {
      const q = modelQueries(service);
      const values = async (expr: string) => (await queryRange(baseUrl, expr, minutes, stepS))[0]?.points.map((p) => p.value).filter((v) => Number.isFinite(v)) ?? [];
      const [generationTokensPerS, ttftP50Seconds, running, waiting, kvCachePercent] = await Promise.all([
        values(q.generationTokensPerS),
        values(q.ttftP50),
        values(q.running),
        values(q.waiting),
        values(q.kvCachePercent),
      ]);
      return { service, generationTokensPerS, ttftP50Seconds, running, waiting, kvCachePercent };
    }),
  );
}
