import type { PlannedService, StackPlan } from '../../../common/contracts/stack-plan.js';
import { probeHealthy } from '../../engine/health.js';
import type { WakeTarget } from '../../wake/wake-gateway.js';
import { startHostModel, stopHostModel, waitHostHealthy, type HostContext } from './host-models.js';
import { alive, readRecord } from './records.js';

/**
 * A model server on the host that sleeps by stopping (docs/decisions/0013 and 0014): asleep, its process is gone and
 * its memory free; waking it starts it under its supervisor until it answers. It is awake only while its supervisor
 * runs it and it answers on its own port.
 */
export class HostProcessTarget implements WakeTarget {
  readonly upstream: string;
  private answering = false;

  constructor(
    private readonly host: HostContext,
    private readonly plan: StackPlan,
    private readonly service: PlannedService,
    private readonly maxWakeMs = 10 * 60_000,
  ) {
    this.upstream = `http://127.0.0.1:${service.ports[0]?.host ?? 0}`;
  }

  awake(): boolean {
    return this.answering;
  }

  async refresh(): Promise<boolean> {
    const record = await readRecord(this.host.home, this.plan.stack, this.service.name);
    this.answering = alive(record?.supervisorPid) && (await probeHealthy(this.service, '127.0.0.1').catch(() => false));
    return this.answering;
  }

  lost(): void {
    this.answering = false;
  }

  async sleep(): Promise<void> {
    this.answering = false;
    await stopHostModel(this.host.home, this.plan.stack, this.service.name, 'asleep');
  }

  async wake(): Promise<void> {
    await startHostModel(this.host, this.plan, this.service);
    await waitHostHealthy(this.host.home, this.plan.stack, this.service.name, this.maxWakeMs);
    this.answering = await probeHealthy(this.service, '127.0.0.1').catch(() => false);
    if (!this.answering) throw new Error('it answers its health check but does not list its model yet');
  }
}
