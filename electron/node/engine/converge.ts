import type Docker from 'dockerode';
import {
  blockingWarnings,
  isOnDemand,
  type PlannedService,
  type StackPlan,
} from '../../common/contracts/stack-plan.js';
import type { ProgressEvent, ProgressListener } from '../../common/contracts/progress.js';
import { EngineError, ServiceStoppedError } from './errors.js';
import { containerSpec, type ContainerSpec, type GpuDevices } from './container-spec.js';
import { subscribeContainerEvents } from './docker-events.js';
import { edgesOf, withDependencies } from './graph.js';
import { untilAnswers, waitHealthy } from './health.js';
import { recordAnswered } from './answered.js';
import { writeStackFiles } from './stack-files.js';
import { enginePlatform, imageProblem, resolveImages } from './image-preflight.js';
import { ensureImage } from './images.js';
import { withStackLock } from './lock.js';
import { listOwned } from './owned.js';
import { checkNameCollisions, checkPorts, ensureNetwork, ensureVolumes } from './preflight.js';
import type { Secrets } from '../../common/contracts/secrets.js';
import type { Measurement } from '../../common/contracts/measurement.js';
import { afterStart, checkOnImage, ensureContainer, keepMeasurement, removeContainer } from './service-container.js';

/** What the engine acts on, passed in so the CLI, `berth serve`, the app and tests build it the same way. */
export interface EngineContext {
  docker: Docker;
  home: string;
  secrets: Secrets;
  gpuRuntime: boolean;
  /** How the engine gives containers GPUs (facts.engine.gpuDevices): the nvidia runtime unless it uses CDI. */
  gpuDevices?: GpuDevices;
  /** The engine's address, which measurements are kept under (facts.engine.endpoint). */
  engineEndpoint?: string;
  /** Keeps what a model server measured as it started (BERTH_HOME/measured.json); nothing is kept without it. */
  record?: (measurement: Measurement) => Promise<void>;
  /** Where published ports answer (127.0.0.1 for a local engine); undefined for a remote one. */
  probeHost: string | undefined;
  /** The engine runs on this machine: host ports can be checked before they are published. */
  local: boolean;
  prefetchWeights: boolean;
  emit: ProgressListener;
}

export interface UpResult {
  healthy: string[];
  /** Models on demand left asleep: ready, stopped, woken by their first request. */
  asleep: string[];
  failed: { service: string; message: string; fix: string }[];
  skipped: string[];
}

async function isRunning(docker: Docker, id: string): Promise<boolean> {
  return (await docker.getContainer(id).inspect()).State.Running;
}

class Deferred {
  promise: Promise<boolean>;
  resolve!: (ok: boolean) => void;
  constructor() {
    this.promise = new Promise((resolve) => (this.resolve = resolve));
    this.promise.catch(() => undefined);
  }
}

/**
 * Makes Docker match the plan: network, volumes, generated files, images, weights and containers, started in
 * dependency order and gated on health, independent services in parallel. Nothing is created before the
 * checks pass; a failed service stops only what waits for it. Serialised per stack.
 */
export async function up(ctx: EngineContext, plan: StackPlan, names?: readonly string[]): Promise<UpResult> {
  const blocking = blockingWarnings(plan)[0];
  if (blocking)
    throw new EngineError(
      `this stack cannot start: ${blocking.code}: ${blocking.message}`,
      'nothing was created or stopped; berth plan shows the whole plan',
    );
  const selected = withDependencies(edgesOf(plan.services), names).map((e) => e.planned);
  // Every image is resolved (here, built from a checkout, or in its registry for this engine's platform) before
  // anything is created or stopped.
  const platform = await enginePlatform(ctx.docker);
  const unavailable = imageProblem(await resolveImages(ctx.docker, selected, platform), platform);
  if (unavailable) throw unavailable;
  return withStackLock(
    ctx.home,
    plan.stack,
    async () => {
      const owned = await listOwned(ctx.docker, plan.stack);
      await checkNameCollisions(ctx.docker, plan, selected);
      await checkPorts(ctx.docker, selected, owned, ctx.local);
      for (const service of selected) {
        if (service.gpus?.length && !ctx.gpuRuntime) {
          ctx.emit({
            kind: 'warning',
            message:
              `${service.name}: the engine has no NVIDIA runtime, so its GPU request (${service.gpus.join(',')}` +
              ') is dropped and it runs without a GPU',
          });
        }
      }

      if ((await ensureNetwork(ctx.docker, plan)) === 'created')
        ctx.emit({ kind: 'step', message: `created network ${plan.network}` });
      for (const volume of await ensureVolumes(ctx.docker, plan, selected))
        ctx.emit({ kind: 'step', message: `created volume ${volume}` });
      const files = await writeStackFiles(ctx.home, plan);
      const specs = new Map(
        selected.map((s) => [
          s.name,
          containerSpec(plan, s, {
            home: ctx.home,
            secrets: ctx.secrets,
            gpuRuntime: ctx.gpuRuntime,
            gpuDevices: ctx.gpuDevices,
            files: files.contents,
            local: ctx.local,
          }),
        ]),
      );

      if (!names?.length) {
        // Services this plan no longer has (a model turned off, the other profile): removed to free their memory.
        for (const [service, container] of owned) {
          if (!plan.services.some((s) => s.name === service)) {
            ctx.emit({ kind: 'stopping', service });
            await removeContainer(ctx.docker, container.id);
            ctx.emit({ kind: 'removed', service });
          }
        }
      }

      const images = new Map(selected.map((s) => [s.name, ensureImage(ctx.docker, s, ctx.emit)]));
      images.forEach((p) => p.catch(() => undefined));
      const started = new Map(selected.map((s) => [s.name, new Deferred()]));
      const healthy = new Map(selected.map((s) => [s.name, new Deferred()]));
      // A service answers as its users reach it (probeHealthy) before Docker's next health check says so, which on an
      // engine without StartInterval (Docker < 25) is a whole interval after the start. Its dependents start on that
      // answer; `up` still waits for Docker's check of every service, so `berth status` agrees when it returns.
      const answering = new Map(selected.map((s) => [s.name, new Deferred()]));
      const result: UpResult = { healthy: [], asleep: [], failed: [], skipped: [] };
      // A model on demand sleeps until asked for, unless it is named (the tray's Start): then it starts now.
      const leaveAsleep = (service: PlannedService) => isOnDemand(service) && !names?.includes(service.name);

      const nudges = new Map<string, () => void>();
      const events = new AbortController();
      const subscription = await subscribeContainerEvents(
        ctx.docker,
        plan.stack,
        (event) => {
          if (event.service) nudges.get(event.service)?.();
        },
        events.signal,
      ).catch(() => undefined);

      // Model servers take longest to become healthy: their containers are created first, so the engine has their
      // starts in hand before the quick services' (or after 1.5 s, when a model is still pulling or downloading). The
      // quick services do not wait for those starts to finish: on Docker 20.10 a start takes most of a second, and
      // waiting for it put that second on every path to healthy.
      const created = new Map(selected.map((s) => [s.name, new Deferred()]));
      const modelsCreated = Promise.race([
        Promise.all(selected.filter((s) => s.role === 'model').map((s) => created.get(s.name)?.promise)),
        new Promise((resolve) => setTimeout(resolve, 1500).unref()),
      ]);

      const run = async (service: PlannedService) => {
        const t0 = Date.now();
        if (service.role !== 'model') await modelsCreated;
        for (const dep of service.dependsOn) {
          const gate = dep.condition === 'healthy' ? answering.get(dep.service) : started.get(dep.service);
          if (gate && !(await gate.promise)) {
            result.skipped.push(service.name);
            ctx.emit({
              kind: 'skipped',
              service: service.name,
              because: `${dep.service} did not ${dep.condition === 'healthy' ? 'become healthy' : 'start'}`,
            });
            created.get(service.name)?.resolve(false);
            started.get(service.name)?.resolve(false);
            answering.get(service.name)?.resolve(false);
            healthy.get(service.name)?.resolve(false);
            return;
          }
        }
        try {
          await images.get(service.name);
          const { id, started: startedNow } = await ensureContainer(
            ctx,
            plan,
            service,
            specs.get(service.name) as ContainerSpec,
            owned.get(service.name),
            files,
            () => created.get(service.name)?.resolve(true),
            leaveAsleep(service),
          );
          started.get(service.name)?.resolve(true);
          if (leaveAsleep(service) && !startedNow && !(await isRunning(ctx.docker, id))) {
            // Asleep: what waits for it goes on, as it would for a model that answers; its request wakes it.
            answering.get(service.name)?.resolve(true);
            healthy.get(service.name)?.resolve(true);
            result.asleep.push(service.name);
            return;
          }
          const since = Date.now();
          const probing = new AbortController();
          // Measured when this run started it: a server left running was measured at its own start.
          const settle = afterStart(ctx, service, id, service.role === 'model' && startedNow);
          let answeredAt: number | undefined;
          if (ctx.probeHost) {
            void untilAnswers(service, ctx.probeHost, probing.signal).then((yes) => {
              if (!yes) return;
              answeredAt = Date.now();
              answering.get(service.name)?.resolve(true);
              nudges.get(service.name)?.();
              void settle();
            });
          }
          const health = service.health;
          let measured: ProgressEvent[] = [];
          try {
            const answeredStart = await waitHealthy({
              docker: ctx.docker,
              service,
              containerId: id,
              answeredAt: () => answeredAt,
              emit: ctx.emit,
              started: since,
              nudge: () => new Promise<void>((resolve) => nudges.set(service.name, resolve)),
              ...(health ? { checkOnce: (image: string) => checkOnImage(ctx, id, image, health) } : {}),
            });
            answering.get(service.name)?.resolve(true);
            [measured] = await Promise.all([
              settle(),
              // Healthy before Docker's next check: kept, so `berth status` reads this start as healthy too.
              answeredStart ? recordAnswered(ctx.home, plan.stack, id, answeredStart) : undefined,
            ]);
          } finally {
            probing.abort();
          }
          ctx.emit({ kind: 'healthy', service: service.name, elapsedS: Math.round((Date.now() - t0) / 100) / 10 });
          for (const event of measured) ctx.emit(event);
          result.healthy.push(service.name);
          healthy.get(service.name)?.resolve(true);
        } catch (error) {
          // A model killed at its limit, or one vLLM refused to start for its KV cache: the next plan follows it.
          if (service.role === 'model' && error instanceof ServiceStoppedError && error.containerId)
            await keepMeasurement(ctx, service, error.containerId, error.oomKilled ? 'oom-killed' : 'stopped');
          const failure =
            error instanceof EngineError
              ? { message: error.message, fix: error.fix }
              : { message: (error as Error).message, fix: 'run berth doctor' };
          result.failed.push({ service: service.name, ...failure });
          ctx.emit({ kind: 'failed', service: service.name, ...failure });
          created.get(service.name)?.resolve(false);
          started.get(service.name)?.resolve(false);
          answering.get(service.name)?.resolve(false);
          healthy.get(service.name)?.resolve(false);
        }
      };
      try {
        await Promise.all(selected.map(run));
      } finally {
        events.abort();
        await subscription?.closed;
      }
      return result;
    },
    (pid) => ctx.emit({ kind: 'step', message: `waiting for another Berth (pid ${pid}) that is changing this stack` }),
  );
}
