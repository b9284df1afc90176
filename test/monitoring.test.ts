import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultMonitoringFiles } from '../electron/common/export/monitoring-defaults.js';
import { stackFiles } from '../electron/common/export/files.js';
import { exportedSamples, selectedMetrics, type UpstreamMetrics } from './support/promql.js';
import { modelQueries } from '../electron/common/monitoring/queries.js';
import { planStack } from '../electron/common/planner/plan.js';
import { SettingsSchema } from '../electron/common/contracts/settings.js';
import { corpus } from './support/hosts.js';
import { repoRoot } from './support/repo-root.js';
import { WakeSeries } from '../electron/node/wake/wake-series.js';

interface Dashboard {
  uid: string;
  title: string;
  panels: { type: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
}

/** The series the rules file written beside the dashboards records: Berth's own, from its plan. */
function recorded(files: { path: string; content: string }[]): Set<string> {
  const rules = files.find((f) => f.path.endsWith('rules.yaml'));
  const doc = parse(rules?.content ?? '') as { groups: { rules: { record?: string }[] }[] };
  return new Set(doc.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
}

/** What the rules record once every model has measured a start: the measured_ series join the planned ones. */
function recordedWhenMeasured(): Set<string> {
  const facts = corpus()['workstation-16c32t-2numa'];
  if (!facts) throw new Error('no workstation fixture');
  const plan = planStack(facts, SettingsSchema.parse({}));
  const measurements = plan.services.flatMap((s) =>
    s.model
      ? [
          {
            service: s.name,
            image: s.image,
            model: s.model.id,
            device: s.model.device,
            engine: facts.engine?.endpoint ?? '',
            at: '2026-12-01T00:00:00Z',
            planned: s.model.expected ?? {},
            measured: { weightsBytes: 1, kvTokens: 1, peakBytes: 1 },
          },
        ]
      : [],
  );
  return recorded(stackFiles(planStack(facts, SettingsSchema.parse({}), { measurements })));
}

function everyGeneratedDashboard(): { name: string; dashboard: Dashboard; recorded: Set<string> }[] {
  const out: { name: string; dashboard: Dashboard; recorded: Set<string> }[] = [];
  const defaults = defaultMonitoringFiles();
  for (const file of defaults.filter((f) => f.path.endsWith('.json')))
    out.push({ name: file.path, dashboard: JSON.parse(file.content), recorded: recorded(defaults) });
  for (const [host, facts] of Object.entries(corpus())) {
    for (const profile of ['development', 'production'] as const) {
      const files = stackFiles(planStack(facts, SettingsSchema.parse({ profile })));
      for (const file of files.filter((f) => f.path.endsWith('.json'))) {
        out.push({
          name: `${host}/${profile}/${file.path}`,
          dashboard: JSON.parse(file.content),
          recorded: recorded(files),
        });
      }
    }
  }
  return out;
}

describe('the monitoring configuration', () => {
  it('checked-in defaults in monitoring/ are what the generator writes (npm run monitoring:update)', () => {
    for (const file of defaultMonitoringFiles()) {
      expect(readFileSync(path.join(repoRoot(), file.path), 'utf8'), file.path).toBe(file.content);
    }
  });

  const upstream = JSON.parse(
    readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'upstream-metrics.json'), 'utf8'),
  ) as UpstreamMetrics;
  const exported = exportedSamples(upstream);

  it("every dashboard query parses as PromQL and names only metrics vLLM's or litellm's source exports, or the berth: series its rules file records, or the wake gateway's berth_ series, through the provisioned datasource", async () => {
    const datasource = parse(
      readFileSync(path.join(repoRoot(), 'monitoring/grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
    );
    const uid = datasource.datasources[0].uid;
    const dashboards = everyGeneratedDashboard();
    // The wake gateway's own series, as prom-client writes them: a counter, and a histogram's buckets, sum and count.
    const wakes = new WakeSeries();
    wakes.woke('vllm-qwen3', 3, true);
    const wakeSeries = new Set(
      [...(await wakes.text()).body.matchAll(/^(berth_[a-z_]+)(?:\{| )/gm)].map((m) => m[1] as string),
    );
    expect([...wakeSeries].sort()).toEqual([
      'berth_model_wake_seconds_bucket',
      'berth_model_wake_seconds_count',
      'berth_model_wake_seconds_sum',
      'berth_model_wakes_total',
    ]);
    expect(
      dashboards.some((d) => d.dashboard.panels.some((p) => p.targets.some((t) => t.expr.includes('berth_model_')))),
    ).toBe(true);
    const measured = recordedWhenMeasured();
    expect([...measured].filter((m) => m.startsWith('berth:measured_')).length).toBeGreaterThan(0);
    expect(dashboards.length).toBeGreaterThan(20);
    for (const { name, dashboard, recorded: berthSeries } of dashboards) {
      expect(dashboard.uid, name).toMatch(/^berth-/);
      expect(dashboard.panels.length, name).toBeGreaterThan(0);
      for (const panel of dashboard.panels) {
        expect(panel.datasource.uid).toBe(uid);
        for (const target of panel.targets) {
          const names = selectedMetrics(target.expr);
          expect(names.length, `${name}: ${target.expr}`).toBeGreaterThan(0);
          for (const metric of names) {
            const known = metric.startsWith('berth:')
              ? berthSeries.has(metric) || measured.has(metric)
              : metric.startsWith('berth_')
                ? wakeSeries.has(metric)
                : exported.has(metric);
            expect(
              known,
              `${name} queries ${metric}, which ${Object.keys(upstream.sources).join(' and ')} do not export and Berth's rules do not record`,
            ).toBe(true);
          }
        }
      }
    }
  });

  it("the Metrics view's and the tray's queries name only exported metrics too", () => {
    for (const [key, expr] of Object.entries(modelQueries('vllm-qwen3'))) {
      for (const metric of selectedMetrics(expr)) expect(exported.has(metric), `${key}: ${metric}`).toBe(true);
    }
  });

  it('the check reads names the way Prometheus does, and refuses a removed or unknown one', () => {
    expect(
      selectedMetrics(
        'histogram_quantile(0.5, sum by (le) (rate(vllm:time_per_output_token_seconds_bucket{service="x"}[1m])))',
      ),
    ).toEqual(['vllm:time_per_output_token_seconds_bucket']);
    // A selector without braces, which a regex looking for "name{" misses.
    expect(selectedMetrics('rate(vllm:gpu_cache_usage_perc[5m]) / on() group_left vllm:num_requests_running')).toEqual([
      'vllm:gpu_cache_usage_perc',
      'vllm:num_requests_running',
    ]);
    for (const removed of [
      'vllm:gpu_cache_usage_perc',
      'vllm:time_per_output_token_seconds_bucket',
      'vllm:prompt_tokens',
    ])
      expect(exported.has(removed), removed).toBe(false);
    expect(() => selectedMetrics('sum(rate(vllm:prompt_tokens_total[1m])')).toThrow(/not PromQL/);
    for (const source of Object.values(upstream.sources)) expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('provisioning files have the shape Grafana reads', () => {
    const root = repoRoot();
    const datasources = parse(
      readFileSync(path.join(root, 'monitoring/grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
    );
    expect(datasources).toMatchObject({
      apiVersion: 1,
      datasources: [
        { name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true },
      ],
    });
    const providers = parse(
      readFileSync(path.join(root, 'monitoring/grafana/provisioning/dashboards/berth.yaml'), 'utf8'),
    );
    expect(providers).toMatchObject({
      apiVersion: 1,
      providers: [{ type: 'file', options: { path: '/var/lib/grafana/dashboards' } }],
    });
    // The folder the provider reads is where the plan mounts the dashboards.
    const plan = planStack(corpus()['server-64core'] as never, SettingsSchema.parse({}));
    expect(plan.services.find((s) => s.name === 'grafana')?.mounts.map((m) => m.target)).toContain(
      '/var/lib/grafana/dashboards',
    );
  });

  it('the stack config scrapes every model and litellm every 5 s, with service and model labels', () => {
    const config = parse(readFileSync(path.join(repoRoot(), 'monitoring/prometheus.yaml'), 'utf8'));
    expect(config.global.scrape_interval).toBe('5s');
    const vllm = config.scrape_configs.find((j: { job_name: string }) => j.job_name === 'vllm');
    expect(
      vllm.static_configs.map((c: { targets: string[]; labels: Record<string, string> }) => [
        c.targets[0],
        c.labels.service,
        c.labels.model,
      ]),
    ).toEqual([
      ['vllm-qwen3:8000', 'vllm-qwen3', 'qwen3-1.7b'],
      ['vllm-llama3:8000', 'vllm-llama3', 'llama3.2-3b'],
      ['vllm-coder:8000', 'vllm-coder', 'qwen2.5-coder-7b'],
      ['vllm-gpt-oss:8000', 'vllm-gpt-oss', 'gpt-oss-20b'],
    ]);
  });

  it('an added model is scraped and gets a dashboard', () => {
    const settings = SettingsSchema.parse({
      models: [
        {
          id: 'Qwen/Qwen3-0.6B',
          device: 'cpu',
          layers: 28,
          kvHeads: 8,
          headDim: 128,
          maxModelLen: 40960,
          weightsGiB: 1.2,
        },
      ],
    });
    const files = stackFiles(planStack(corpus()['server-64core'] as never, settings));
    expect(files.find((f) => f.path.endsWith('prometheus.yaml'))?.content).toMatch(/vllm-qwen3-0\.6b:8000/);
    expect(files.some((f) => f.path.endsWith('dashboards/vllm-qwen3-0.6b.json'))).toBe(true);
  });
});
