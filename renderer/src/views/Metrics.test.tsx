// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMetrics } from '../../../electron/common/contracts/metrics.js';
import { fakeApi, renderView } from '../testing.js';
import { MIN_TIME_SPAN_S, Metrics, chartData, integerSplits, timeRange, valueRange } from './Metrics.js';

beforeAll(() => {
  // happy-dom draws nothing: a canvas context that accepts every call, so uPlot can lay out its axes.
  const noop = new Proxy({}, { get: (_t, key) => (key === 'measureText' ? () => ({ width: 10 }) : () => undefined) });
  HTMLCanvasElement.prototype.getContext = (() => noop) as never;
  (globalThis as { Path2D?: unknown }).Path2D = function Path2D() {
    return new Proxy({}, { get: () => () => undefined });
  };
});
afterEach(cleanup);

const now = 1_800_000_000;
const series = (values: number[]): [number, number][] => values.map((v, i) => [now - (values.length - i) * 5, v]);

const NO_SERIES: ModelMetrics['models'][number]['timeline'] = {
  generationTokensPerS: [],
  ttftP50Seconds: [],
  ttftP95Seconds: [],
  running: [],
  waiting: [],
  kvCachePercent: [],
};

function metrics(timeline: ModelMetrics['models'][number]['timeline'] = NO_SERIES): ModelMetrics {
  return { source: 'servers', models: [{ service: 'vllm-qwen3', timeline }] };
}

describe('Metrics', () => {
  it('loading, then no model server: an empty state that says why', async () => {
    renderView(<Metrics api={fakeApi({ metrics: async () => ({ source: 'none', models: [] }) })} />);
    expect(screen.getByText('Reading the metrics…')).toBeTruthy();
    await act(async () => undefined);
    expect(screen.getByTestId('metrics-none').textContent).toMatch(
      /No model server runs, and Prometheus neither: start the stack/,
    );
  });

  it('charts with axes and units and the last value; a chart without data says so', async () => {
    const timeline = {
      generationTokensPerS: series([10, 12.5, 14]),
      ttftP50Seconds: series([0.2, 0.25]),
      ttftP95Seconds: series([0.4, 0.5]),
      running: series([1, 2]),
      waiting: series([0, 1]),
      kvCachePercent: [],
    };
    renderView(<Metrics api={fakeApi({ metrics: async () => metrics(timeline) })} />);
    await act(async () => undefined);
    expect(screen.getByTestId('metrics-source').textContent).toMatch(/the model servers' \/metrics/);
    expect(screen.getByTestId('last-Generation').textContent).toBe('tokens/s 14.0 tokens/s');
    expect(screen.getByTestId('last-Time to first token').textContent).toBe('p50 250 · p95 500 ms');
    expect(screen.getByRole('img', { name: /^Requests, running 2, waiting 1 requests$/ })).toBeTruthy();
    expect(screen.getAllByTestId('chart-empty')).toHaveLength(1);
  });

  it('the source line says what is true: Prometheus not running, or running and not answering queries', async () => {
    renderView(
      <Metrics api={fakeApi({ metrics: async () => ({ ...metrics(), prometheus: 'not-answering' as const }) })} />,
    );
    await act(async () => undefined);
    expect(screen.getByTestId('metrics-source').textContent).toBe(
      "From the model servers' /metrics (Prometheus does not answer queries), every 5 s.",
    );
    cleanup();
    renderView(
      <Metrics api={fakeApi({ metrics: async () => ({ ...metrics(), prometheus: 'not-running' as const }) })} />,
    );
    await act(async () => undefined);
    expect(screen.getByTestId('metrics-source').textContent).toBe(
      "From the model servers' /metrics (Prometheus is not running), every 5 s.",
    );
  });

  it('a model asleep on demand: its state beside its name, and why its charts stopped', async () => {
    const asleep = metrics();
    asleep.models[0] = { ...(asleep.models[0] as ModelMetrics['models'][number]), state: 'asleep' };
    renderView(<Metrics api={fakeApi({ metrics: async () => asleep })} />);
    await act(async () => undefined);
    expect(screen.getByTestId('metrics-state-vllm-qwen3').textContent).toBe('asleep');
    expect(screen.getByText(/^Asleep on demand: it holds no memory and wakes on its next request/)).toBeTruthy();
  });

  it('a failed read: the error, in an alert', async () => {
    renderView(<Metrics api={fakeApi({ metrics: async () => Promise.reject(new Error('the backend is gone')) })} />);
    await act(async () => undefined);
    expect(screen.getByRole('alert').textContent).toBe('the backend is gone');
  });

  it('one reading, or readings close together, sit at the end of a five-minute axis, not on one spanning years', () => {
    const at = Date.UTC(2026, 11, 3, 12) / 1000;
    // uPlot's own range for a zero-width time span pads it by a fraction of the timestamp: years either side.
    expect(timeRange(at, at)).toEqual([at - MIN_TIME_SPAN_S, at]);
    expect(timeRange(at - 10, at)).toEqual([at - 300, at]);
    expect(timeRange(at - 3600, at)).toEqual([at - 3600, at]);
  });

  it('a flat series is drawn inside its axis: from zero to above its value, and 0–1 when it is all zeros', () => {
    expect(valueRange(42, 42)).toEqual([0, 42 * 1.1]);
    expect(valueRange(0, 0)).toEqual([0, 1]);
    expect(valueRange(3, 10)).toEqual([0, 11]);
  });

  it('a count axis has whole-number ticks, each label once: 0 and 1 for a 0–1.1 axis, never "0, 1, 1"', () => {
    // The Requests chart with one request running: the axis runs 0–1.1 (valueRange), and uPlot's own steps were halves.
    expect(integerSplits(...valueRange(0, 1))).toEqual([0, 1]);
    expect(integerSplits(0, 1)).toEqual([0, 1]);
    // 0–11: steps of 1 would be 12 ticks, of 2 six.
    expect(integerSplits(0, 11)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(integerSplits(0, 250)).toEqual([0, 50, 100, 150, 200, 250]);
    for (const top of [1.1, 3.3, 7.7, 13.2, 99, 1234]) {
      const labels = integerSplits(0, top).map((v) => v.toFixed(0));
      expect(new Set(labels).size, `0–${top}`).toBe(labels.length);
    }
  });

  it('series of different times line up on one time axis, gaps as nulls', () => {
    const data = chartData(
      {
        ...metrics().models[0],
        ttftP50Seconds: [
          [1, 0.1],
          [3, 0.3],
        ],
        ttftP95Seconds: [
          [2, 0.2],
          [3, 0.4],
        ],
      } as never,
      {
        title: 'TTFT',
        unit: 'ms',
        digits: 0,
        scale: 1000,
        series: [
          { panel: 'ttftP50Seconds', name: 'p50', color: 'teal' },
          { panel: 'ttftP95Seconds', name: 'p95', color: 'orange' },
        ],
      },
    );
    expect(data).toEqual([
      [1, 2, 3],
      [100, null, 300],
      [null, 200, 400],
    ]);
  });
});
