import { useEffect, useState } from 'react';
import type { BerthApi, ModelMetrics } from '../../../electron/common/api/berth-api.js';

const REFRESH_MS = 5000;

function Sparkline({ values, label, unit }: { values: number[]; label: string; unit: string }) {
  const shown = values.slice(-60);
  const max = Math.max(1e-9, ...shown);
  const points = shown.map((v, i) => `${(i / Math.max(1, shown.length - 1)) * 120},${30 - (v / max) * 28}`).join(' ');
  const last = shown.at(-1);
  return (
    <figure className="sparkline" aria-label={label}>
      <svg width="120" height="32" viewBox="0 0 120 32" role="img" aria-hidden="true">
        <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <figcaption>
        {label}: <strong data-testid={`metric-${label}`}>{last === undefined ? '–' : `${Math.round(last * 100) / 100}${unit}`}</strong>
      </figcaption>
    </figure>
  );
}

/** Read only while this view is open and the window visible: nothing is polled otherwise. */
export function Metrics({ api }: { api: BerthApi }) {
  const [metrics, setMetrics] = useState<ModelMetrics | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const read = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const next = await api.metrics();
        if (!stopped) setMetrics(next);
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
    };
    void read();
    const timer = setInterval(read, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api]);
  return (
    <section aria-label="Metrics">
      {error && <p role="alert" className="error">{error}</p>}
      {metrics?.source === 'none' && <p className="muted">No model server runs: start the stack to see its metrics.</p>}
      {metrics && metrics.source !== 'none' && <p className="muted" data-testid="metrics-source">From {metrics.source === 'prometheus' ? 'Prometheus' : "the model servers' /metrics (Prometheus is not running)"}, every {REFRESH_MS / 1000} s.</p>}
      {metrics?.models.map((model) => (
        <div key={model.service} className="metrics-row" data-service={model.service}>
          <h2>{model.service}</h2>
          <Sparkline values={model.generationTokensPerS} label="generation tokens/s" unit="" />
          <Sparkline values={model.ttftP50Seconds.map((s) => s * 1000)} label="TTFT p50" unit=" ms" />
          <Sparkline values={model.running} label="running" unit="" />
          <Sparkline values={model.waiting} label="waiting" unit="" />
          <Sparkline values={model.kvCachePercent} label="KV cache" unit="%" />
        </div>
      ))}
    </section>
  );
}
