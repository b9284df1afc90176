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
    /** Each series with its times, for charts with a time axis. */
    timeline?: Record<MetricPanel, [number, number][]>;
  }[];
}
