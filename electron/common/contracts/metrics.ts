import type { ServiceState } from './status.js';
/** The charts' series: [unix seconds, value] pairs. */
export type MetricPanel =
  'generationTokensPerS' | 'ttftP50Seconds' | 'ttftP95Seconds' | 'running' | 'waiting' | 'kvCachePercent';

export interface ModelMetrics {
  source: 'prometheus' | 'servers' | 'none';
  models: {
    service: string;
    generationTokensPerS: number[];
    ttftP50Seconds: number[];
    running: number[];
    waiting: number[];
    kvCachePercent: number[];
    /** The model's service state now: a model asleep on demand shows its charts up to when it went to sleep. */
    state?: ServiceState;
    /** Each series with its times, for charts with a time axis. */
    timeline?: Record<MetricPanel, [number, number][]>;
  }[];
}
