import { engineTrouble, type EngineTrouble } from '../../common/contracts/engine-trouble.js';
import type Docker from 'dockerode';
import type { ServiceStatus } from '../../common/contracts/status.js';
import { withPlanned } from '../../common/status/service-state.js';
import { subscribeContainerEvents, type ContainerEvent } from './docker-events.js';
import { LABELS, sleptQuietly } from './labels.js';
import { type Answered } from './answered.js';
import { stackSnapshot, statusOfContainer } from './container-status.js';
import { SerialQueue } from '../serial-queue.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import { runsOnHost } from '../../common/model-servers/registry.js';
import { watchHostRecords, withHostStatuses } from '../model-servers/host-process/host-status.js';

export interface StatusTrackerOptions {
  docker: Docker;
  stack: string;
  planned: readonly string[];
  onChange: (services: ServiceStatus[], changed: string | null) => void;
  onEngine?: (connected: boolean, trouble?: EngineTrouble) => void;
  /** How a loss is told: a remote engine's is its SSH connection lost, not Docker stopped. */
  describeLoss?: (cause: Error | undefined) => EngineTrouble;
  /** Waits before reconnecting after the engine went away: 250 ms doubling to 5 s. */
  backoffMs?: (attempt: number) => number;
  /** Where a failed refresh is told (the app's log); the state is then read again on the container's next event. */
  log?: (message: string) => void;
  /** The starts `up` saw answer before Docker's check (answered.ts), read at each look. */
  answered?: () => Answered;
  /** Where model servers on the host are kept (BERTH_HOME) and the plan's services: their records are followed too. */
  host?: { home: string; plan: Pick<StackPlan, 'stack' | 'services'> };
}

/**
 * The stack's live state: one listing, then Docker's event stream (no polling). When the engine goes away it
 * reconnects with backoff and lists again, so a restarted engine, app or CLI re-attaches from the labels.
 */
export class StatusTracker {
  private readonly services = new Map<string, ServiceStatus>();
  private readonly oomKilled = new Set<string>();
  private readonly abort = new AbortController();
  /** Each event read in the order Docker sent it, a container's failed checks among them. */
  private readonly queue = new SerialQueue();
  /** Containers whose health checks are followed, while their "healthy" rests on a kept pass. */
  private readonly followed = new Map<string, AbortController>();
  private readonly keptPass = (service: string, containerId: string, rests: boolean) =>
    rests ? this.followChecks(service, containerId) : this.unfollow(containerId);
  private running: Promise<void> | undefined;

  constructor(private readonly options: StatusTrackerOptions) {}

  private lost(cause: Error | undefined): EngineTrouble {
    if (this.options.describeLoss) return this.options.describeLoss(cause);
    return engineTrouble('absent', `the Docker engine went away${cause ? ` (${cause.message})` : ''}; reconnecting`);
  }

  current(): ServiceStatus[] {
    return withPlanned(
      this.options.planned,
      [...this.services.values()].filter((s) => s.state !== 'missing' || this.options.planned.includes(s.name)),
    );
  }

  /** Resolves after the first listing; keeps following until stop(). */
  async start(): Promise<void> {
    let first: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (first = resolve));
    this.running = this.loop(first);
    const host = this.options.host;
    if (host && host.plan.services.some(runsOnHost)) {
      // Each change of a host model's record (its supervisor writes it) is read in the order it came, with Docker's.
      this.hostWatch = watchHostRecords(
        host.home,
        () => void this.queue.run(() => this.refreshHost()),
        this.abort.signal,
      );
    }
    await ready;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([this.running, this.hostWatch]);
  }

  private hostWatch: Promise<void> | undefined;

  /** The host's model servers read again from their records; told when one changed. */
  private async refreshHost(): Promise<void> {
    const host = this.options.host;
    if (!host) return;
    let changed: string | undefined;
    for (const status of await withHostStatuses(host.home, host.plan, [])) {
      if (JSON.stringify(this.services.get(status.name)) !== JSON.stringify(status)) changed ??= status.name;
      this.services.set(status.name, status);
    }
    if (changed) this.options.onChange(this.current(), changed);
  }

  /** Reads every service again (after an `up` in this process called them healthy before Docker's next check). */
  async recheck(): Promise<void> {
    await this.relist();
    this.options.onChange(this.current(), null);
  }

  /** One listing of the stack replaces what is known of it. */
  private async relist(): Promise<void> {
    const snapshot = await stackSnapshot(
      this.options.docker,
      this.options.stack,
      this.options.planned,
      this.options.answered?.(),
      this.keptPass,
    );
    const host = this.options.host;
    const all = host ? await withHostStatuses(host.home, host.plan, snapshot) : snapshot;
    this.services.clear();
    for (const status of all) this.services.set(status.name, status);
  }

  private async refresh(event: ContainerEvent): Promise<void> {
    const service = event.service ?? event.attributes[LABELS.service];
    if (!service) return;
    // A model that now runs on the host is told by its record, whatever becomes of a container of its old plan.
    if (this.options.host?.plan.services.some((s) => s.name === service && runsOnHost(s))) return;
    const before0 = this.services.get(service);
    // Docker reports each health check's result; only a change of it is worth an inspect.
    const health = /^health_status:\s*(\w+)/.exec(event.action)?.[1];
    // Docker's own verdict stands from its first health_status: a kept pass no longer speaks for it.
    if (health || event.action === 'destroy') this.unfollow(event.id);
    if (health && before0?.state === health && before0.containerId === event.id.slice(0, 12)) return;
    if (event.action === 'oom') this.oomKilled.add(event.id);
    if (event.action === 'die' && before0) {
      // The event says enough to report the stop at once; the inspect below confirms it.
      const exitCode = Number(event.attributes.exitCode ?? '0');
      const oom = this.oomKilled.has(event.id);
      const state = sleptQuietly(event.attributes, exitCode, oom) ? 'asleep' : oom ? 'oom-killed' : 'exited';
      this.services.set(service, {
        name: service,
        state,
        ...(state === 'asleep' ? {} : { exitCode }),
        ports: before0.ports,
        containerId: event.id.slice(0, 12),
        since: new Date(event.timeNano / 1e6).toISOString(),
      });
      this.options.onChange(this.current(), service);
    }
    if (event.action === 'start') this.oomKilled.delete(event.id);
    // The state first, at once; the explanation of a failure (it reads the log) follows in a second update.
    const status =
      event.action === 'destroy'
        ? { name: service, state: 'missing' as const, ports: [] }
        : await statusOfContainer(this.options.docker, service, event.id, {
            explain: false,
            answered: this.options.answered?.(),
            keptPass: this.keptPass,
          });
    const before = this.services.get(service);
    if (status.state === 'missing' && before?.containerId && before.containerId !== event.id.slice(0, 12)) return;
    if (
      before?.state !== status.state ||
      before?.containerId !== status.containerId ||
      before?.exitCode !== status.exitCode
    ) {
      this.services.set(service, {
        ...status,
        ...(before?.problem && before.state === status.state ? { problem: before.problem } : {}),
      });
      this.options.onChange(this.current(), service);
    }
    if (status.state !== 'missing' && ['exited', 'oom-killed', 'unhealthy', 'restarting'].includes(status.state)) {
      const explained = await statusOfContainer(this.options.docker, service, event.id);
      const current = this.services.get(service);
      if (
        current &&
        explained.problem &&
        current.containerId === explained.containerId &&
        current.state === explained.state &&
        current.problem?.message !== explained.problem.message
      ) {
        this.services.set(service, { ...current, problem: explained.problem });
        this.options.onChange(this.current(), service);
      }
    }
  }

  /**
   * Follows one container's health checks: Docker reports none during its start period, when a kept pass calls the
   * service healthy. Ends when Docker's own verdict stands, the container goes, or the tracker stops.
   */
  private followChecks(service: string, containerId: string): void {
    if (this.followed.has(containerId) || this.abort.signal.aborted) return;
    const stop = new AbortController();
    this.followed.set(containerId, stop);
    const onEvent = (event: ContainerEvent) => {
      if (event.attributes.exitCode === '0') return;
      void this.queue
        .run(() => this.refreshFailedCheck(service, containerId))
        .catch((error: unknown) =>
          this.options.log?.(
            `status: reading ${service} after a failed health check failed: ${(error as Error).message}`,
          ),
        );
    };
    const signal = AbortSignal.any([this.abort.signal, stop.signal]);
    void subscribeContainerEvents(this.options.docker, this.options.stack, onEvent, signal, containerId)
      .then((subscription) => subscription.closed)
      .catch(() => undefined)
      .finally(() => {
        if (this.followed.get(containerId) === stop) this.followed.delete(containerId);
      });
  }

  private unfollow(containerId: string): void {
    this.followed.get(containerId)?.abort();
    this.followed.delete(containerId);
  }

  /**
   * Reads a service again after one of its checks failed. Docker records a check's result just after its exec ends, so
   * a read that still finds the service healthy is made once more, a moment later.
   */
  private async refreshFailedCheck(service: string, id: string): Promise<void> {
    for (const waitMs of [0, 250]) {
      if (waitMs) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const status = await statusOfContainer(this.options.docker, service, id, {
        answered: this.options.answered?.(),
        keptPass: this.keptPass,
      });
      const before = this.services.get(service);
      if (!before || before.containerId !== status.containerId) return;
      if (status.state !== before.state) {
        this.services.set(service, status);
        this.options.onChange(this.current(), service);
        return;
      }
    }
  }

  private async loop(ready: () => void): Promise<void> {
    const backoff = this.options.backoffMs ?? ((attempt: number) => Math.min(5000, 250 * 2 ** attempt));
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      try {
        const queue = this.queue;
        // Subscribe before listing, so nothing that happens in between is missed.
        const subscription = await subscribeContainerEvents(
          this.options.docker,
          this.options.stack,
          (event) => {
            void queue
              .run(() => this.refresh(event))
              .catch((error: unknown) =>
                this.options.log?.(
                  `status: reading ${event.service ?? event.id.slice(0, 12)} after its ${event.action} event ` +
                    `failed: ${(error as Error).message}`,
                ),
              );
          },
          this.abort.signal,
        );
        await this.relist();
        attempt = 0;
        this.options.onEngine?.(true);
        this.options.onChange(this.current(), null);
        ready();
        await subscription.closed;
        if (this.abort.signal.aborted) break;
        this.options.onEngine?.(false, this.lost(undefined));
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.options.onEngine?.(false, this.lost(error as Error));
        ready();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff(attempt++));
        this.abort.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  }
}
