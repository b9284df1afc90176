import { Alert, Group, Paper, Stack, Text, Title, useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BerthApi } from '../../../electron/common/api/berth-api.js';
import type { MetricPanel, ModelMetrics } from '../../../electron/common/contracts/metrics.js';
import { StatusBadge } from '../ui/status.js';

const REFRESH_MS = 5000;

interface ChartSpec {
  title: string;
  unit: string;
  /** Panels drawn in this chart, with their legend names; values are multiplied by `scale` (seconds → ms). */
  series: { panel: MetricPanel; name: string; color: string }[];
  scale?: number;
  digits: number;
  /** A count: its axis has whole-number ticks only. */
  integer?: boolean;
}

const CHARTS: ChartSpec[] = [
  {
    title: 'Generation',
    unit: 'tokens/s',
    series: [{ panel: 'generationTokensPerS', name: 'tokens/s', color: 'blue' }],
    digits: 1,
  },
  {
    title: 'Time to first token',
    unit: 'ms',
    series: [
      { panel: 'ttftP50Seconds', name: 'p50', color: 'teal' },
      { panel: 'ttftP95Seconds', name: 'p95', color: 'orange' },
    ],
    scale: 1000,
    digits: 0,
  },
  {
    title: 'Requests',
    unit: 'requests',
    series: [
      { panel: 'running', name: 'running', color: 'grape' },
      { panel: 'waiting', name: 'waiting', color: 'red' },
    ],
    digits: 0,
    integer: true,
  },
  { title: 'KV cache', unit: '%', series: [{ panel: 'kvCachePercent', name: 'used', color: 'cyan' }], digits: 1 },
];

type Timeline = Record<MetricPanel, [number, number][]>;

/**
 * A model's series as uPlot's columns: the union of their times, each series aligned to it (null where it has none).
 */
export function chartData(timeline: Timeline, spec: ChartSpec): uPlot.AlignedData {
  const times = [...new Set(spec.series.flatMap((s) => timeline[s.panel].map(([t]) => t)))].sort((a, b) => a - b);
  const columns = spec.series.map((s) => {
    const byTime = new Map(timeline[s.panel]);
    return times.map((t) => {
      const v = byTime.get(t);
      return v === undefined ? null : v * (spec.scale ?? 1);
    });
  });
  return [times, ...columns];
}

/**
 * At least this much time on the axis: a single reading (or two close ones) shows where it sits in the last minutes.
 */
export const MIN_TIME_SPAN_S = 5 * 60;

/**
 * The time axis for readings between min and max (Unix seconds), at least five minutes ending at the last. uPlot's own
 * range for one reading is 1000 days long: it drew an axis from 2027 to 2029.
 */
export function timeRange(min: number | null, max: number | null): [number, number] {
  const end = max ?? Date.now() / 1000;
  const start = min ?? end;
  return end - start >= MIN_TIME_SPAN_S ? [start, end] : [end - MIN_TIME_SPAN_S, end];
}

/**
 * The value axis: from zero (rates, counts and latencies are never negative) to a little above the highest value; 0–1
 * for an all-zero series.
 */
export function valueRange(min: number | null, max: number | null): [number, number] {
  const top = Math.max(max ?? 0, min ?? 0);
  if (top <= 0) return [Math.min(0, min ?? 0), 1];
  return [Math.min(0, min ?? 0), top * 1.1];
}

/**
 * The ticks of a count's axis between min and max: whole numbers, a step of 1, 2 or 5 times a power of ten, at most
 * `most` of them. uPlot's own steps include halves, which a count's labels round to the same number twice ("0, 1, 1").
 */
export function integerSplits(min: number, max: number, most = 6): number[] {
  const low = Math.ceil(Math.max(0, min));
  const high = Math.floor(max);
  if (high < low) return [low];
  const count = (step: number) => Math.floor((high - low) / step) + 1;
  let step = 1;
  for (let power = 1; count(step) > most; power *= 10)
    step = [1, 2, 5].map((m) => m * power).find((s) => count(s) <= most) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high; tick += step) ticks.push(tick);
  return ticks;
}

function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(`--mantine-color-${name}`).trim() || '#888';
}

/** One time-series chart: axes with units, a legend with the last value, redrawn in place as data arrives. */
function Chart({ spec, timeline }: { spec: ChartSpec; timeline: Timeline }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scheme = useComputedColorScheme('light');
  const data = chartData(timeline, spec);
  const empty = (data[0]?.length ?? 0) === 0;

  useEffect(() => {
    const el = box.current;
    if (!el || empty) return;
    const axis = scheme === 'dark' ? cssColor('dark-1') : cssColor('gray-7');
    const grid = scheme === 'dark' ? cssColor('dark-4') : cssColor('gray-2');
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: 150,
      scales: {
        // From the data, not the bounds uPlot passes: for a lone time it passes min + round(86400 / ms) as the max,
        // which with times in seconds (ms 1e-3) is 1000 days (autoScaleX, uPlot 1.6.32).
        x: { time: true, range: (u) => timeRange(u.data[0][0] ?? null, u.data[0].at(-1) ?? null) },
        y: { range: (_u, min, max) => valueRange(min, max) },
      },
      axes: [
        { stroke: axis, grid: { stroke: grid } },
        {
          stroke: axis,
          grid: { stroke: grid },
          label: spec.unit,
          size: 56,
          values: (_u, values) => values.map((v) => v.toFixed(spec.digits)),
          ...(spec.integer
            ? { splits: (_u: uPlot, _axis: number, min: number, max: number) => integerSplits(min, max) }
            : {}),
        },
      ],
      series: [
        {},
        ...spec.series.map((s) => ({
          label: s.name,
          stroke: cssColor(`${s.color}-6`),
          width: 2,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${v.toFixed(spec.digits)} ${spec.unit}`),
        })),
      ],
      legend: { live: false },
    };
    // Made empty: the effect below gives it the data, on this render and every later one.
    plot.current = new uPlot(opts, [[], ...spec.series.map(() => [])], el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(240, el.clientWidth), height: 150 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Recreated only when the scheme or emptiness changes; data goes through setData below.
  }, [scheme, empty, spec]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const last = spec.series.map((s) => {
    const point = timeline[s.panel].at(-1);
    return `${s.name} ${point ? (point[1] * (spec.scale ?? 1)).toFixed(spec.digits) : '–'}`;
  });
  return (
    <Paper withBorder p="xs" radius="md" className="chart" data-chart={spec.title}>
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Text size="sm" fw={600}>
          {spec.title}
        </Text>
        <Text size="xs" c="dimmed" data-testid={`last-${spec.title}`}>
          {last.join(' · ')} {spec.unit}
        </Text>
      </Group>
      {empty ? (
        <Text size="sm" c="dimmed" h={150} data-testid="chart-empty">
          No data yet: the model has not answered a request since the chart began, or its server has just started.
        </Text>
      ) : (
        <div ref={box} role="img" aria-label={`${spec.title}, ${last.join(', ')} ${spec.unit}`} />
      )}
    </Paper>
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
        if (!stopped) {
          setMetrics(next);
          setError(null);
        }
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
    <Stack gap="md" component="section" aria-label="Metrics">
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {!metrics && !error && (
        <Text c="dimmed" size="sm">
          Reading the metrics…
        </Text>
      )}
      {metrics?.source === 'none' && (
        <Alert color="gray" variant="light" title="No metrics yet" data-testid="metrics-none">
          No model server runs, and Prometheus neither: start the stack in Overview and the charts fill in as the models
          answer.
        </Alert>
      )}
      {metrics && metrics.source !== 'none' && (
        <Text size="sm" c="dimmed" data-testid="metrics-source">
          From{' '}
          {metrics.source === 'prometheus'
            ? 'Prometheus'
            : `the model servers' /metrics (${
                metrics.prometheus === 'not-answering'
                  ? 'Prometheus does not answer queries'
                  : 'Prometheus is not running'
              })`}
          , every {REFRESH_MS / 1000} s.
        </Text>
      )}
      {metrics?.models.map((model) => (
        <Stack key={model.service} gap="xs" data-service={model.service}>
          <Group gap="sm">
            <Title order={2} size="h5">
              {model.service}
            </Title>
            {model.state && <StatusBadge status={{ state: model.state }} testId={`metrics-state-${model.service}`} />}
          </Group>
          {model.state === 'asleep' && (
            <Text size="xs" c="dimmed">
              Asleep on demand: it holds no memory and wakes on its next request; the charts end when it went to sleep.
            </Text>
          )}
          <div className="charts-grid">
            {CHARTS.map((spec) => (
              <Chart key={spec.title} spec={spec} timeline={model.timeline} />
            ))}
          </div>
        </Stack>
      ))}
    </Stack>
  );
}
