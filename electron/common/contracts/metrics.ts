import type { ServiceState } from './status.js';
/** The charts' series: [unix seconds, value] pairs. */
export type MetricPanel =
  'generationTokensPerS' | 'ttftP50Seconds' | 'ttftP95Seconds' | 'running' | 'waiting' | 'kvCachePercent';

export interface ModelMetrics {
  source: 'prometheus' | 'servers' | 'none';
  /**
   * Why the numbers do not come from Prometheus, when they do not: it is not running, or it runs and does not answer
   * queries (starting, or not a Prometheus at its port).
   */
  prometheus?: 'not-running' | 'not-answering';
  models: {
    service: string;
    /** The model's service state now: a model asleep on demand shows its charts up to when it went to sleep. */
    state?: ServiceState;
    /** Each series, once, as [unix seconds, value] pairs: the charts draw them, the tray reads the last. */
    timeline: Record<MetricPanel, [number, number][]>;
  }[];
}
