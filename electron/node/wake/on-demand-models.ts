import type Docker from 'dockerode';
import { isOnDemand, type StackPlan } from '../../common/contracts/stack-plan.js';
import type { ServiceState, ServiceStatus } from '../../common/contracts/status.js';
import type { ActionResult } from '../../common/api/berth-api.js';
import { listOwned } from '../engine/owned.js';
import { ContainerTarget } from './engine-target.js';
import { HostProcessTarget } from '../model-servers/host-process/host-target.js';
import type { HostContext } from '../model-servers/host-process/host-models.js';
import { PressureGuard } from '../model-servers/vllm-metal/pressure.js';
import { runsOnHost } from '../../common/model-servers/registry.js';
import { WakeGateway } from './wake-gateway.js';
import type { WakeSeries } from './wake-series.js';
import { Waker, type SleepingModel } from './waker.js';
import type { StackSession } from '../session/stack-session.js';
import { gatewayProblem, syncWithSession, type GatewayProblem } from './session-sync.js';
import { SerialQueue } from '../serial-queue.js';

/**
 * Models on demand, run by Berth's backend (docs/decisions/0013): the wake gateway litellm reaches them through, the
 * waker that makes room and puts idle ones to sleep, and Berth's series of wakes for the stack's Prometheus.
 */

/** Docker's states in which a model's container answers nothing. */
const STOPPED = new Set<ServiceState>(['missing', 'created', 'exited', 'oom-killed', 'asleep', 'restarting']);

export interface OnDemandOptions {
  /** How often idle models are looked at. */
  checkEveryMs?: number;
  /** How long a request waits for a wake before it is answered with why. */
  wakeTimeoutMs?: number;
  log(message: string): void;
  /** The gateway could not start (why, and what to do), or runs again (undefined). */
  onProblem?(problem: GatewayProblem | undefined): void;
  /** The Mac's memory pressure turned critical while models run on its GPU: what happened, in words. */
  onPressure?(message: string): void;
}

export class OnDemandModels {
  private gateway: WakeGateway | undefined;
  private listening: string | undefined;
  private waker: Waker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pinned = new Set<string>();
  private readonly lastUses = new Map<string, number>();
  /** One change at a time: the engine's return and the end of an `up` may both ask at once. */
  private readonly changes = new SerialQueue();
  /** The stack's wake key, which litellm sends with every request (node/secrets/wake-key.ts). */
  private key = '';
  /** Closed for good: a sync still on its way (a settings save) opens no gateway after close(). */
  private closed = false;
  /** Why the gateway is not running, while it cannot start. */
  problem: GatewayProblem | undefined;
  /** Loaded with the first gateway: a stack without models on demand never loads prom-client. */
  private series: WakeSeries | undefined;

  constructor(private readonly options: OnDemandOptions) {}

  /** The Mac's memory guard, while models run on its GPU and settings keep it on (metal.pressureGuard). */
  private pressure: PressureGuard | undefined;

  /** Starts or stops the Mac's memory guard. */
  guardMac(on: boolean): void {
    if (!on) {
      this.pressure?.stop();
      this.pressure = undefined;
      return;
    }
    this.pressure ??= new PressureGuard({
      relieve: async () => this.waker?.sleepLeastRecentlyUsed(),
      say: (message) => {
        this.options.log(message);
        this.options.onPressure?.(message);
      },
    });
    this.pressure.start();
  }

  /**
   * Follows the plan: fronts its models on demand (their containers as they are now), listening at `listenHost` on
   * the plan's gateway port; stops when the plan has none.
   */
  sync(
    docker: Docker,
    plan: StackPlan,
    probeHost: string,
    listenHost: string,
    key: string,
    host?: HostContext,
  ): Promise<void> {
    return this.changes.run(() => {
      this.key = key;
      return this.syncNow(docker, plan, probeHost, listenHost, host);
    });
  }

  private async syncNow(
    docker: Docker,
    plan: StackPlan,
    probeHost: string,
    listenHost: string,
    host: HostContext | undefined,
  ): Promise<void> {
    const group = plan.onDemand;
    if (!group || this.closed) return this.closeNow();
    const owned = await listOwned(docker, plan.stack);
    const models = new Map<string, SleepingModel>();
    for (const service of plan.services.filter(isOnDemand)) {
      // A model server on the host sleeps and wakes through its supervisor; a container through the engine.
      const id = owned.get(service.name)?.id;
      const target =
        runsOnHost(service) && host
          ? new HostProcessTarget(host, plan, service)
          : id
            ? new ContainerTarget(docker, id, service, probeHost)
            : undefined;
      if (!target) continue;
      await target.refresh();
      const keepAlive = service.model?.keepAlive ?? 'always';
      const pinned = this.pinned;
      models.set(service.name, {
        upstream: target.upstream,
        awake: () => target.awake(),
        wake: () => target.wake(),
        lost: () => target.lost(),
        sleep: () => target.sleep(),
        memoryBytes: service.memoryBytes ?? 0,
        get keepAlive() {
          return pinned.has(service.name) ? 'always' : keepAlive;
        },
      });
    }
    const waker = new Waker(
      models,
      group.budgetBytes,
      { count: (s) => this.gateway?.count(s) ?? 0 },
      Date.now,
      this.lastUses,
    );
    // A model found awake counts as used now, unless it was asked for before: it is not put to sleep at once.
    for (const [service, model] of models) if (model.awake() && !this.lastUses.has(service)) waker.used(service);
    this.waker = waker;
    const address = `${listenHost}:${group.gatewayPort}`;
    if (this.listening !== address) {
      await this.gateway?.close();
      if (!this.series) this.series = new (await import('./wake-series.js')).WakeSeries();
      this.gateway = this.newGateway(this.series);
      this.listening = undefined;
      await this.gateway.listen(group.gatewayPort, listenHost);
      this.listening = address;
    }
    this.timer ??= setInterval(() => void this.sleepIdle(), this.options.checkEveryMs ?? 30_000).unref();
  }

  /**
   * Follows the session's plan (syncWithSession). A gateway that cannot start is kept as the problem and told once,
   * for the window and the tray, besides the log; told again when it runs.
   */
  async followSession(session: StackSession): Promise<void> {
    let problem: GatewayProblem | undefined;
    try {
      await syncWithSession(this, session);
    } catch (error) {
      this.options.log((error as Error).message);
      problem = gatewayProblem(error as Error);
    }
    if (JSON.stringify(problem) === JSON.stringify(this.problem)) return;
    this.problem = problem;
    this.options.onProblem?.(problem);
  }

  /** Kept awake until stopped: never put to sleep, for room or when idle. */
  pin(service: string): void {
    this.pinned.add(service);
    this.waker?.used(service);
  }

  /**
   * The tray's Start: awake now, through the waker (which makes room first, as for a request, and refuses when the
   * room is held), and kept awake until stopped.
   */
  async keepAwake(services: readonly string[]): Promise<ActionResult> {
    const failed: ActionResult['failed'] = [];
    for (const service of services) {
      this.pin(service);
      try {
        await this.waker?.wake(service);
      } catch (error) {
        this.pinned.delete(service);
        failed.push({
          service,
          message: `${service} could not wake: ${(error as Error).message}`,
          fix: 'stop a model that is kept awake, or ask again when its requests end',
        });
      }
    }
    return failed.length
      ? { ok: false, summary: `${failed.length} could not wake`, failed }
      : { ok: true, summary: `${services.join(', ')} awake until stopped`, failed };
  }

  /** The tray's Stop of a model on demand: asleep now, woken again by its next request. */
  async sleepNow(service: string): Promise<boolean> {
    this.pinned.delete(service);
    return (await this.waker?.sleep(service)) ?? false;
  }

  /** When each model it fronts was last asked for, as ISO times. */
  lastUsed(): Record<string, string> {
    return Object.fromEntries(
      [...(this.waker?.lastUses() ?? [])].map(([service, at]) => [service, new Date(at).toISOString()]),
    );
  }

  /** What the window's snapshot says of models on demand: their last use, and why the gateway is down. */
  forSnapshot(): { lastUsed?: Record<string, string>; wakeGateway?: GatewayProblem } {
    const lastUsed = this.lastUsed();
    return {
      ...(Object.keys(lastUsed).length ? { lastUsed } : {}),
      ...(this.problem ? { wakeGateway: this.problem } : {}),
    };
  }

  fronts(service: string): boolean {
    return !!this.waker?.target(service);
  }

  /**
   * Follows Docker's word on each service: a model on demand whose container died or was stopped elsewhere is asleep
   * now, and its next request wakes it.
   */
  follow(services: readonly ServiceStatus[]): void {
    for (const service of services) if (STOPPED.has(service.state)) this.waker?.target(service.name)?.lost?.();
  }

  private newGateway(series: WakeSeries): WakeGateway {
    return new WakeGateway({
      key: () => this.key,
      log: (message) => this.options.log(message),
      target: (s) => this.waker?.target(s),
      used: (s) => this.waker?.used(s),
      wakeTimeoutMs: this.options.wakeTimeoutMs ?? 10 * 60_000,
      woke: (service, seconds, ok) => {
        series.woke(service, seconds, ok);
        this.options.log(`${service} ${ok ? `woke in ${seconds.toFixed(1)} s` : 'could not wake'}`);
      },
      metrics: () => series.text(),
    });
  }

  private async sleepIdle(): Promise<void> {
    try {
      const slept = (await this.waker?.sleepIdle()) ?? [];
      for (const service of slept) this.options.log(`${service} is asleep: idle past its keep-alive`);
    } catch (error) {
      this.options.log(`putting idle models to sleep failed: ${(error as Error).message}`);
    }
  }

  /** Stops fronting models on demand: the gateway closes, and nothing is put to sleep any more. */
  close(): Promise<void> {
    this.closed = true;
    this.guardMac(false);
    return this.stop();
  }

  /** Fronts nothing until the next sync: the plan has no model on demand, or no engine answers. */
  stop(): Promise<void> {
    return this.changes.run(() => this.closeNow());
  }

  private async closeNow(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.waker = undefined;
    this.listening = undefined;
    await this.gateway?.close();
    this.gateway = undefined;
  }
}
