import { Counter, Histogram, Registry } from 'prom-client';
import { WAKE_SERIES } from '../../common/planner/services.js';

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
