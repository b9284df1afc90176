import { isOnDemand, type StackPlan } from '../contracts/stack-plan.js';
import { WAKE_SERIES } from '../planner/services.js';
import { modelQueries } from '../monitoring/queries.js';
import { GENERATED_HEADER } from './compose.js';
import { PLAN_SERIES } from './plan-rules.js';

/** The Prometheus a dashboard reads: the stack's own, or one the user picks where Grafana is not Berth's. */
export type DashboardDatasource = 'stack' | 'chosen';

const STACK_DATASOURCE = { type: 'prometheus', uid: 'berth-prometheus' };
/** A datasource variable: the dashboard works in any Grafana, whatever its Prometheus datasource is called. */
const CHOSEN_DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const DATASOURCE_VARIABLE = {
  name: 'datasource',
  label: 'Prometheus',
  type: 'datasource',
  query: 'prometheus',
  current: {},
  hide: 0,
};

interface Panel {
  title: string;
  unit: string;
  targets: { expr: string; legend: string }[];
}

function dashboard(uid: string, title: string, panels: Panel[], datasource: DashboardDatasource): object {
  const DATASOURCE = datasource === 'stack' ? STACK_DATASOURCE : CHOSEN_DATASOURCE;
  return {
    uid,
    title,
    // Marks the file as Berth's, so an export may replace it.
    description: `${GENERATED_HEADER} from the plan; edits are overwritten.`,
    tags: ['berth'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    ...(datasource === 'chosen' ? { templating: { list: [DATASOURCE_VARIABLE] } } : {}),
    panels: panels.map((panel, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: panel.title,
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: panel.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
        expr: t.expr,
        legendFormat: t.legend,
      })),
    })),
  };
}

/** A model on demand: how often it woke, and how long its wakes took (Berth's wake gateway, docs/decisions/0013). */
function wakePanels(service: string): Panel[] {
  const s = `service="${service}"`;
  return [
    {
      title: 'Wakes per hour (Berth, on demand)',
      unit: 'short',
      targets: [{ expr: `sum by (outcome) (increase(${WAKE_SERIES.wakes}{${s}}[1h]))`, legend: '{{outcome}}' }],
    },
    {
      title: 'Wake time, request to answering (Berth, on demand)',
      unit: 's',
      targets: [0.5, 0.95].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (le) (rate(${WAKE_SERIES.seconds}_bucket{${s}}[1h])))`,
        legend: `p${q * 100}`,
      })),
    },
  ];
}

/** One dashboard per model: throughput, latency, queue, KV cache, preemptions and successes; wakes when on demand. */
export function modelDashboard(
  service: string,
  servedName: string,
  datasource: DashboardDatasource = 'stack',
  onDemand = false,
): object {
  const q = modelQueries(service);
  return dashboard(
    `berth-${service}`,
    `${service} (${servedName})`,
    [
      {
        title: 'Tokens per second',
        unit: 'short',
        targets: [
          { expr: q.promptTokensPerS, legend: 'prompt' },
          { expr: q.generationTokensPerS, legend: 'generation' },
        ],
      },
      {
        title: 'Time to first token',
        unit: 's',
        targets: [
          { expr: q.ttftP50, legend: 'p50' },
          { expr: q.ttftP95, legend: 'p95' },
        ],
      },
      {
        title: 'Inter-token latency',
        unit: 's',
        targets: [
          { expr: q.itlP50, legend: 'p50' },
          { expr: q.itlP95, legend: 'p95' },
        ],
      },
      {
        title: 'Requests running and waiting',
        unit: 'short',
        targets: [
          { expr: q.running, legend: 'running' },
          { expr: q.waiting, legend: 'waiting' },
        ],
      },
      { title: 'KV cache usage', unit: 'percent', targets: [{ expr: q.kvCachePercent, legend: 'used' }] },
      {
        title: 'Preemptions and successful requests per second',
        unit: 'reqps',
        targets: [
          { expr: q.preemptionsPerS, legend: 'preemptions' },
          { expr: q.successPerS, legend: 'succeeded' },
        ],
      },
      {
        title: 'Memory: planned and measured at start (Berth)',
        unit: 'bytes',
        targets: [
          { expr: `${PLAN_SERIES.plannedWeights}{service="${service}"}`, legend: 'weights planned' },
          { expr: `${PLAN_SERIES.measuredWeights}{service="${service}"}`, legend: 'weights measured' },
          { expr: `${PLAN_SERIES.plannedMemory}{service="${service}"}`, legend: 'limit planned' },
          { expr: `${PLAN_SERIES.measuredPeak}{service="${service}"}`, legend: 'peak measured' },
        ],
      },
      {
        title: 'KV cache tokens: planned and measured at start (Berth)',
        unit: 'short',
        targets: [
          { expr: `${PLAN_SERIES.plannedKvTokens}{service="${service}"}`, legend: 'planned' },
          { expr: `${PLAN_SERIES.measuredKvTokens}{service="${service}"}`, legend: 'measured' },
        ],
      },
      ...(onDemand ? wakePanels(service) : []),
    ],
    datasource,
  );
}

export function litellmDashboard(datasource: DashboardDatasource = 'stack'): object {
  const s = 'service="litellm"';
  return dashboard(
    'berth-litellm',
    'litellm gateway',
    [
      {
        title: 'Requests per second by model',
        unit: 'reqps',
        targets: [
          {
            expr: `sum by (requested_model) (rate(litellm_proxy_total_requests_metric_total{${s}}[1m]))`,
            legend: '{{requested_model}}',
          },
        ],
      },
      {
        title: 'Failed requests per second',
        unit: 'reqps',
        targets: [
          {
            expr: `sum by (exception_status) (rate(litellm_proxy_failed_requests_metric_total{${s}}[1m]))`,
            legend: '{{exception_status}}',
          },
        ],
      },
      {
        title: 'Request latency',
        unit: 's',
        targets: [
          {
            expr: `histogram_quantile(0.5, sum by (le) (rate(litellm_request_total_latency_metric_bucket{${s}}[1m])))`,
            legend: 'p50',
          },
          {
            expr: `histogram_quantile(0.95, sum by (le) (rate(litellm_request_total_latency_metric_bucket{${s}}[1m])))`,
            legend: 'p95',
          },
        ],
      },
    ],
    datasource,
  );
}

/** CPU and memory of the stack's processes, from the process metrics every vLLM and litellm server exports. */
export function containersDashboard(datasource: DashboardDatasource = 'stack'): object {
  return dashboard(
    'berth-containers',
    'Containers: CPU and memory',
    [
      {
        title: 'CPU (cores)',
        unit: 'short',
        targets: [
          {
            expr: 'sum by (service) (rate(process_cpu_seconds_total{job=~"vllm|litellm"}[1m]))',
            legend: '{{service}}',
          },
        ],
      },
      {
        title: 'Resident memory',
        unit: 'bytes',
        targets: [
          { expr: 'sum by (service) (process_resident_memory_bytes{job=~"vllm|litellm"})', legend: '{{service}}' },
        ],
      },
    ],
    datasource,
  );
}

/** Every dashboard for the plan, by file name. */
export function grafanaDashboards(plan: StackPlan): { file: string; json: object }[] {
  const models = plan.services.filter((s) => s.role === 'model' && s.model);
  return [
    ...models.map((s) => ({
      file: `${s.name}.json`,
      json: modelDashboard(s.name, s.model?.servedName ?? s.name, 'stack', !!plan.onDemand && isOnDemand(s)),
    })),
    { file: 'litellm.json', json: litellmDashboard() },
    { file: 'containers.json', json: containersDashboard() },
  ];
}
