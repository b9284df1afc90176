import { createRequire } from 'node:module';
import type { Counter as CounterClass, Histogram as HistogramClass, Registry as RegistryClass } from 'prom-client';
import { WAKE_SERIES } from '../../common/planner/services.js';

// prom-client's index also loads its cluster aggregator, its push gateway and its default metrics, which keep an idle
// process busy (about 100 ms of CPU a minute, measured with benchmarks/dashboard.ts's "backend CPU with no window
// open"); the three classes Berth uses are loaded alone, from the files the index re-exports.
const load = createRequire(import.meta.url);
const Registry = load('prom-client/lib/registry') as typeof RegistryClass;
const Counter = load('prom-client/lib/counter') as typeof CounterClass;
const Histogram = load('prom-client/lib/histogram') as typeof HistogramClass;

/** Berth's own series about models on demand, in Prometheus's text format (prom-client), for the stack's Prometheus. */
export class WakeSeries {
  private readonly registry = new Registry();
  private readonly wakes = new Counter({
    name: WAKE_SERIES.wakes,
    help: 'Wakes of a model on demand, by outcome (ok: it answered; failed: it could not start or did not answer)',
    labelNames: ['service', 'outcome'],
    registers: [this.registry],
  });
  private readonly seconds = new Histogram({
    name: WAKE_SERIES.seconds,
    help: "Seconds from a wake's first request to the model answering",
    labelNames: ['service'],
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  /** A wake ended: it answered after `seconds`, or it failed. */
  woke(service: string, seconds: number, ok: boolean): void {
    this.wakes.inc({ service, outcome: ok ? 'ok' : 'failed' });
    if (ok) this.seconds.observe({ service }, seconds);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
