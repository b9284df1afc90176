import type Docker from 'dockerode';
import type { PlannedService } from '../../common/contracts/stack-plan.js';
import { statusCode } from '../engine/errors.js';
import { probeHealthy } from '../engine/health.js';
import { stopContainer } from '../engine/stop.js';
import { statusOfContainer } from '../engine/container-status.js';
import type { WakeTarget } from './wake-gateway.js';

/** How often a wake looks at the container while it waits for the server to answer. */
const LOOK_EVERY_MS = 100;

type Inspect = Awaited<ReturnType<Docker.Container['inspect']>>;

/**
 * Whether this container, running, is what holds the model's port on this machine: while a model sleeps its port is
 * free, and any other local program may listen there. Berth sends a model's requests only where Docker says its own
 * container is bound.
 */
export function holdsPort(info: Inspect, service: PlannedService): boolean {
  const port = service.ports[0];
  if (!info.State.Running || !port) return false;
  const bound = (info.NetworkSettings?.Ports ?? {})[`${port.container}/tcp`] ?? [];
  return bound.some((b) => Number(b.HostPort) === port.host);
}

/**
 * A model server whose container sleeps by stopping (docs/decisions/0013): its memory is free, its weights stay in
 * the Hugging Face cache volume, and waking it is `docker start` until it answers as its users will. A container
 * that dies while it wakes fails the wake at once, with the explanation `berth status` gives. It is awake only while
 * its own container runs and holds its port, and answers there.
 */
export class ContainerTarget implements WakeTarget {
  readonly upstream: string;
  private answering = false;

  constructor(
    private readonly docker: Docker,
    private readonly containerId: string,
    private readonly service: PlannedService,
    private readonly host: string,
    /** A wake that has not answered by then gives up (the gateway answers its requests sooner, at its own bound). */
    private readonly maxWakeMs = 10 * 60_000,
  ) {
    this.upstream = `http://${host}:${service.ports[0]?.host ?? 0}`;
  }

  awake(): boolean {
    return this.answering;
  }

  /**
   * Reads whether it answers now (after a restart of Berth, or a start from elsewhere): its container must run and
   * hold the port before whatever answers there is believed.
   */
  async refresh(): Promise<boolean> {
    const info = await this.docker
      .getContainer(this.containerId)
      .inspect()
      .catch(() => undefined);
    this.answering =
      !!info && holdsPort(info, this.service) && (await probeHealthy(this.service, this.host).catch(() => false));
    return this.answering;
  }

  /** Its server refused a connection, or its container stopped: asleep, and the next request wakes it. */
  lost(): void {
    this.answering = false;
  }

  async sleep(): Promise<void> {
    this.answering = false;
    await stopContainer(this.docker.getContainer(this.containerId));
  }

  async wake(): Promise<void> {
    const container = this.docker.getContainer(this.containerId);
    await container.start().catch((error: unknown) => {
      if (statusCode(error) !== 304) throw error; // 304: already running
    });
    const deadline = Date.now() + this.maxWakeMs;
    for (;;) {
      const info = await container.inspect();
      if (holdsPort(info, this.service) && (await probeHealthy(this.service, this.host).catch(() => false))) {
        this.answering = true;
        return;
      }
      if (!info.State.Running && !info.State.Restarting) {
        const status = await statusOfContainer(this.docker, this.service.name, this.containerId);
        throw new Error(status.problem?.message ?? `its container stopped (exit code ${info.State.ExitCode})`);
      }
      if (Date.now() > deadline) throw new Error(`it did not answer within ${this.maxWakeMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
    }
  }
}
