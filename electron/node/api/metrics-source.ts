import type { ModelMetrics } from '../../common/contracts/metrics.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import { isActive, reachableUrl } from '../../common/status/service-state.js';
import type { ServiceStatus } from '../../common/contracts/status.js';
import { httpGet } from '../http-get.js';
import { modelSparklines } from '../metrics/prometheus-api.js';
import { ServerMetricsHistory, sampleFromText } from '../metrics/server-metrics.js';

/**
 * The Metrics view's and the tray's numbers: from Prometheus's API while it runs and answers, from the model servers'
 * own /metrics otherwise (each read kept, so rates can be computed from two).
 */
export class MetricsSource {
  private readonly history = new ServerMetricsHistory();
  private prometheusUnusableUntil = 0;

  /** `urls`: where each service answers from here (a remote engine's forwards). */
  async read(
    plan: StackPlan,
    running: ReadonlySet<string>,
    urls?: Readonly<Record<string, string>>,
    now = Date.now(),
  ): Promise<ModelMetrics> {
    const models = plan.services.filter((s) => s.role === 'model');
    const prometheus = plan.services.find((s) => s.name === 'prometheus');
    const prometheusUrl = prometheus && reachableUrl(prometheus, urls);
    const up = !!prometheusUrl && running.has('prometheus');
    if (up && now >= this.prometheusUnusableUntil) {
      const read = await modelSparklines(
        prometheusUrl,
        models.map((s) => s.name),
        15,
        15,
        1500,
      ).catch(() => undefined);
      if (read) return { source: 'prometheus', models: read };
      // Not answering queries yet (starting, or not a Prometheus): ask again in a minute, read the servers meanwhile.
      this.prometheusUnusableUntil = now + 60_000;
    }
    const why = { prometheus: up ? ('not-answering' as const) : ('not-running' as const) };
    const read = models.filter((s) => running.has(s.name) && reachableUrl(s, urls));
    if (!read.length) return { source: 'none', ...why, models: [] };
    await Promise.all(
      read.map(async (service) => {
        const res = await httpGet(`${reachableUrl(service, urls)}metrics`, 1500);
        if (res && res.status === 200) this.history.push(service.name, sampleFromText(res.body, Date.now()));
      }),
    );
    return { source: 'servers', ...why, models: read.map((s) => this.history.sparklines(s.name)) };
  }

  /** The numbers for the services as they are now, each model with its state (asleep on demand, waking…). */
  async readFor(
    plan: StackPlan,
    services: readonly ServiceStatus[],
    urls?: Readonly<Record<string, string>>,
  ): Promise<ModelMetrics> {
    const running = new Set(services.filter((s) => isActive(s.state)).map((s) => s.name));
    const metrics = await this.read(plan, running, urls);
    const stateOf = (name: string) => services.find((s) => s.name === name)?.state;
    return {
      ...metrics,
      models: metrics.models.map((m) => {
        const state = stateOf(m.service);
        return state ? { ...m, state } : m;
      }),
    };
  }
}
