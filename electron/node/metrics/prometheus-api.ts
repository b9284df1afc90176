import { z } from 'zod';
import type { MetricPanel, ModelMetrics } from '../../common/contracts/metrics.js';
import { modelQueries } from '../../common/monitoring/queries.js';
import { httpGet } from '../http-get.js';

const Sample = z.tuple([z.number(), z.string()]);
const Response = z.object({
  status: z.enum(['success', 'error']),
  error: z.string().optional(),
  data: z
    .object({
      resultType: z.string(),
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()),
          value: Sample.optional(),
          values: z.array(Sample).optional(),
        }),
      ),
    })
    .optional(),
});

export interface Series {
  labels: Record<string, string>;
  points: { time: number; value: number }[];
}

async function call(
  baseUrl: string,
  path: string,
  params: Record<string, string>,
  timeoutMs: number,
): Promise<Series[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(params)}`;
  // node:http rather than fetch: these reads repeat every few seconds while a window shows metrics.
  const res = await httpGet(url, timeoutMs);
  if (!res) throw new Error(`Prometheus did not answer at ${baseUrl}`);
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    throw new Error(`Prometheus answered ${res.status} without JSON at ${baseUrl}`);
  }
  const body = Response.parse(json);
  if (body.status !== 'success' || !body.data)
    throw new Error(`Prometheus refused the query: ${body.error ?? res.status}`);
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
export function queryRange(
  baseUrl: string,
  expr: string,
  minutes: number,
  stepS: number,
  now = Date.now() / 1000,
  timeoutMs = 3000,
): Promise<Series[]> {
  return call(
    baseUrl,
    '/api/v1/query_range',
    { query: expr, start: String(now - minutes * 60), end: String(now), step: String(stepS) },
    timeoutMs,
  );
}

export type ModelSparklines = ModelMetrics['models'][number];

const PANELS = ['generationTokensPerS', 'ttftP50', 'ttftP95', 'running', 'waiting', 'kvCachePercent'] as const;
/** Each query's series as the API calls it. */
const PANEL_OF: Record<(typeof PANELS)[number], MetricPanel> = {
  generationTokensPerS: 'generationTokensPerS',
  ttftP50: 'ttftP50Seconds',
  ttftP95: 'ttftP95Seconds',
  running: 'running',
  waiting: 'waiting',
  kvCachePercent: 'kvCachePercent',
};

/**
 * The app's sparklines for each model: what the Metrics view and the tray read while a window shows them. One
 * range query for every model and panel (each expression tagged with labels naming both, joined with `or`),
 * so a refresh costs one request however many models run.
 */
export async function modelSparklines(
  baseUrl: string,
  services: readonly string[],
  minutes = 15,
  stepS = 15,
  timeoutMs = 3000,
): Promise<ModelSparklines[]> {
  if (!services.length) return [];
  const tagged = services.flatMap((service) => {
    const q = modelQueries(service);
    return PANELS.map(
      (panel) =>
        `label_replace(label_replace(${q[panel]}, "berth_panel", "${panel}", "", ""), "berth_service", "${service}` +
        '", "", "")',
    );
  });
  const series = await queryRange(baseUrl, tagged.join(' or '), minutes, stepS, Date.now() / 1000, timeoutMs);
  const points = (service: string, panel: (typeof PANELS)[number]): [number, number][] =>
    series
      .find((s) => s.labels.berth_service === service && s.labels.berth_panel === panel)
      ?.points.filter((p) => Number.isFinite(p.value))
      .map((p) => [p.time, p.value]) ?? [];
  return services.map((service) => {
    const timeline = Object.fromEntries(PANELS.map((panel) => [PANEL_OF[panel], points(service, panel)])) as Record<
      MetricPanel,
      [number, number][]
    >;
    return { service, timeline };
  });
}
