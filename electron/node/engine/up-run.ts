/* `up`'s steps executed: removals in order, then every service's chain at once, each held by the gates it waits on. */
import type Docker from 'dockerode';
import type { PlannedService, StackPlan } from '../../common/contracts/stack-plan.js';
import type { ProgressEvent } from '../../common/contracts/progress.js';
import { EngineError, ServiceStoppedError } from './errors.js';
import type { ContainerSpec } from './container-spec.js';
import { subscribeContainerEvents } from './docker-events.js';
import { untilAnswers, waitHealthy } from './health.js';
import { recordAnswered } from './answered.js';
import type { StackFiles } from './stack-files.js';
import { ensureImage } from './images.js';
import type { EngineContext, UpResult } from './context.js';
import type { HostStep, ServiceStep, UpStep } from './up-steps.js';
import { upHostModel } from '../model-servers/host-process/host-up.js';
import { containerServices } from '../../common/model-servers/registry.js';
import { actOn, afterStart, checkOnImage, keepMeasurement, removeContainer } from './service-container.js';

class Deferred {
  promise: Promise<boolean>;
  resolve!: (ok: boolean) => void;
  constructor() {
    this.promise = new Promise((resolve) => (this.resolve = resolve));
    this.promise.catch(() => undefined);
  }
}

/**
 * What each service has reached, for what waits on it: its container created, started, answering as its users reach
 * it, and healthy. A service that fails or is skipped settles all four as false.
 */
class Gates {
  private readonly all = new Map<string, Record<'created' | 'started' | 'answering' | 'healthy', Deferred>>();
  constructor(services: readonly string[]) {
    for (const s of services)
      this.all.set(s, {
        created: new Deferred(),
        started: new Deferred(),
        answering: new Deferred(),
        healthy: new Deferred(),
      });
  }
  reached(service: string, gate: 'created' | 'started' | 'answering' | 'healthy', ok = true): void {
    this.all.get(service)?.[gate].resolve(ok);
  }
  wait(service: string, gate: 'created' | 'started' | 'answering' | 'healthy'): Promise<boolean> | undefined {
    return this.all.get(service)?.[gate].promise;
  }
  fail(service: string): void {
    for (const gate of ['created', 'started', 'answering', 'healthy'] as const) this.reached(service, gate, false);
  }
}

/** A service acted on and started by its step, which its wait-for step then waits on. */
interface Started {
  service: PlannedService;
  id: string;
  startedNow: boolean;
  t0: number;
}

export interface UpParts {
  selected: readonly PlannedService[];
  specs: ReadonlyMap<string, ContainerSpec>;
  files: StackFiles;
}

async function isRunning(docker: Docker, id: string): Promise<boolean> {
  return (await docker.getContainer(id).inspect()).State.Running;
}

/** Executes `up`'s steps (up-steps.ts): each service's chain starts at once and waits on the gates its step names. */
export async function runSteps(
  ctx: EngineContext,
  plan: StackPlan,
  steps: readonly UpStep[],
  parts: UpParts,
): Promise<UpResult> {
  const run = new UpRun(ctx, plan, parts);
  const chains = new Map<string, Promise<Started | undefined>>();
  await run.open();
  try {
    for (const step of steps) {
      if (step.kind === 'remove') await run.remove(step.service, step.containerId);
      else if (step.kind === 'host')
        chains.set(
          step.service,
          run.host(step).then(() => undefined),
        );
      else if (step.kind === 'wait-for')
        chains.set(
          step.service,
          (chains.get(step.service) ?? Promise.resolve(undefined)).then((s) => run.waitFor(s)),
        );
      // A model left asleep that its first request woke meanwhile is waited for as any started service is.
      else
        chains.set(
          step.service,
          run.act(step).then((s) => (s && step.asleep ? run.waitFor(s) : s)),
        );
    }
    await Promise.all(chains.values());
  } finally {
    await run.close();
  }
  return run.result;
}

class UpRun {
  readonly result: UpResult = { healthy: [], asleep: [], failed: [], skipped: [] };
  private readonly gates: Gates;
  private readonly images: Map<string, Promise<void>>;
  private readonly nudges = new Map<string, () => void>();
  private readonly events = new AbortController();
  private subscription: { closed: Promise<void> } | undefined;
  /**
   * Model servers take longest to become healthy: their containers are created first, so the engine has their starts
   * in hand before the quick services' (or after 1.5 s, when a model is still pulling or downloading). The quick
   * services do not wait for those starts to finish: on Docker 20.10 a start takes most of a second, and waiting for it
   * put that second on every path to healthy.
   */
  private readonly modelsCreated: Promise<unknown>;

  constructor(
    private readonly ctx: EngineContext,
    private readonly plan: StackPlan,
    private readonly parts: UpParts,
  ) {
    this.gates = new Gates(parts.selected.map((s) => s.name));
    this.images = new Map(containerServices(parts.selected).map((s) => [s.name, ensureImage(ctx.docker, s, ctx.emit)]));
    this.images.forEach((p) => p.catch(() => undefined));
    this.modelsCreated = Promise.race([
      Promise.all(
        containerServices(parts.selected)
          .filter((s) => s.role === 'model')
          .map((s) => this.gates.wait(s.name, 'created')),
      ),
      new Promise((resolve) => setTimeout(resolve, 1500).unref()),
    ]);
  }

  /** Docker's events nudge the health waits: a service's change is read at once rather than at its next poll. */
  async open(): Promise<void> {
    this.subscription = await subscribeContainerEvents(
      this.ctx.docker,
      this.plan.stack,
      (event) => {
        if (event.service) this.nudges.get(event.service)?.();
      },
      this.events.signal,
    ).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.events.abort();
    await this.subscription?.closed;
  }

  async remove(service: string, containerId: string): Promise<void> {
    this.ctx.emit({ kind: 'stopping', service });
    await removeContainer(this.ctx.docker, containerId);
    this.ctx.emit({ kind: 'removed', service });
  }

  /** A model server on the host: through its supervisor instead of the engine (model-servers/host-process). */
  async host(step: HostStep): Promise<void> {
    const service = this.parts.selected.find((s) => s.name === step.service) as PlannedService;
    const t0 = Date.now();
    try {
      const outcome = await upHostModel(this.ctx, this.plan, service, step.action);
      for (const gate of ['created', 'started', 'answering', 'healthy'] as const)
        this.gates.reached(service.name, gate);
      if (outcome === 'asleep') {
        this.result.asleep.push(service.name);
        return;
      }
      this.ctx.emit({ kind: 'healthy', service: service.name, elapsedS: Math.round((Date.now() - t0) / 100) / 10 });
      this.result.healthy.push(service.name);
    } catch (error) {
      await this.failed(service, error);
    }
  }

  /** The step's gates, then the service's image, then the step itself (service-container.ts, actOn). */
  async act(step: ServiceStep): Promise<Started | undefined> {
    const service = this.parts.selected.find((s) => s.name === step.service) as PlannedService;
    const t0 = Date.now();
    if (service.role !== 'model') await this.modelsCreated;
    for (const gate of step.after) {
      const reached = this.gates.wait(gate.service, gate.condition === 'healthy' ? 'answering' : 'started');
      if (reached && !(await reached)) {
        const because = `${gate.service} did not ${gate.condition === 'healthy' ? 'become healthy' : 'start'}`;
        this.result.skipped.push(service.name);
        this.ctx.emit({ kind: 'skipped', service: service.name, because });
        this.gates.fail(service.name);
        return undefined;
      }
    }
    try {
      await this.images.get(service.name);
      const spec = this.parts.specs.get(service.name) as ContainerSpec;
      const created = () => this.gates.reached(service.name, 'created');
      const { id, started } = await actOn(this.ctx, this.plan, step, service, spec, this.parts.files, created);
      this.gates.reached(service.name, 'started');
      if (step.asleep && !started && !(await isRunning(this.ctx.docker, id))) {
        // Asleep: what waits for it goes on, as it would for a model that answers; its request wakes it.
        this.gates.reached(service.name, 'answering');
        this.gates.reached(service.name, 'healthy');
        this.result.asleep.push(service.name);
        return undefined;
      }
      return { service, id, startedNow: started, t0 };
    } catch (error) {
      await this.failed(service, error);
      return undefined;
    }
  }

  /**
   * A started service's own health check. It answers as its users reach it (probeHealthy) before Docker's next check
   * says so, which on an engine without StartInterval (Docker < 25) is a whole interval after the start: its dependents
   * go on at that answer, and `up` still waits for Docker's check, so `berth status` agrees when it returns.
   */
  async waitFor(started: Started | undefined): Promise<Started | undefined> {
    if (!started) return undefined;
    const { service, id, startedNow, t0 } = started;
    const since = Date.now();
    const probing = new AbortController();
    // Measured when this run started it: a server left running was measured at its own start.
    const settle = afterStart(this.ctx, service, id, service.role === 'model' && startedNow);
    let answeredAt: number | undefined;
    if (this.ctx.probeHost) {
      void untilAnswers(service, this.ctx.probeHost, probing.signal).then((yes) => {
        if (!yes) return;
        answeredAt = Date.now();
        this.gates.reached(service.name, 'answering');
        this.nudges.get(service.name)?.();
        void settle();
      });
    }
    try {
      const health = service.health;
      let measured: ProgressEvent[] = [];
      try {
        const answeredStart = await waitHealthy({
          docker: this.ctx.docker,
          service,
          containerId: id,
          answeredAt: () => answeredAt,
          emit: this.ctx.emit,
          started: since,
          nudge: () => new Promise<void>((resolve) => this.nudges.set(service.name, resolve)),
          ...(health ? { checkOnce: (image: string) => checkOnImage(this.ctx, id, image, health) } : {}),
        });
        this.gates.reached(service.name, 'answering');
        [measured] = await Promise.all([
          settle(),
          // Healthy before Docker's next check: kept, so `berth status` reads this start as healthy too.
          answeredStart ? recordAnswered(this.ctx.home, this.plan.stack, id, answeredStart) : undefined,
        ]);
      } finally {
        probing.abort();
      }
      this.ctx.emit({ kind: 'healthy', service: service.name, elapsedS: Math.round((Date.now() - t0) / 100) / 10 });
      for (const event of measured) this.ctx.emit(event);
      this.result.healthy.push(service.name);
      this.gates.reached(service.name, 'healthy');
      return started;
    } catch (error) {
      await this.failed(service, error);
      return undefined;
    }
  }

  private async failed(service: PlannedService, error: unknown): Promise<void> {
    // A model killed at its limit, or one vLLM refused to start for its KV cache: the next plan follows it.
    if (service.role === 'model' && error instanceof ServiceStoppedError && error.containerId)
      await keepMeasurement(this.ctx, service, error.containerId, error.oomKilled ? 'oom-killed' : 'stopped');
    const failure =
      error instanceof EngineError
        ? { message: error.message, fix: error.fix }
        : { message: (error as Error).message, fix: 'run berth doctor' };
    this.result.failed.push({ service: service.name, ...failure });
    this.ctx.emit({ kind: 'failed', service: service.name, ...failure });
    this.gates.fail(service.name);
  }
}
