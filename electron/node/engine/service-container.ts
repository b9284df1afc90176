/* One service's container: created, recreated or kept, started, measured, and its restart policy restored. */
import type Docker from 'dockerode';
import type { PlannedService, StackPlan } from '../../common/contracts/stack-plan.js';
import { EngineError, dockerMessage } from './errors.js';
import { configArchive } from './config-archive.js';
import type { ContainerSpec } from './container-spec.js';
import { reloadChanged, type StackFiles } from './stack-files.js';
import { LABELS } from './labels.js';
import type { ServiceStep } from './up-steps.js';
import { prefetchWeights } from './weights.js';
import { aboveItsPlan, measureStart } from './measure.js';
import { describeMeasurement } from '../../common/planner/vllm-words.js';
import { httpGet } from '../http-get.js';
import type { EngineContext } from './context.js';
import type { ProgressEvent } from '../../common/contracts/progress.js';
import { passedBefore, recordPassed } from './answered.js';
import { checkHealthOnce } from './health.js';
import { dockerSawFail } from './container-state.js';

export async function removeContainer(docker: Docker, id: string): Promise<void> {
  const container = docker.getContainer(id);
  await container.stop({ t: 10 }).catch(() => undefined);
  await container.remove({ force: true, v: false });
}

/** A container's config files, copied in where the engine cannot bind this machine's (a remote engine). */
async function copyConfigs(ctx: EngineContext, service: PlannedService, id: string, files: StackFiles): Promise<void> {
  if (ctx.local) return;
  const archive = await configArchive(service, files.contents);
  if (archive) await ctx.docker.getContainer(id).putArchive(archive, { path: '/' });
}

/**
 * Acts on one service as its step says (up-steps.ts): keeps, starts, creates or recreates its container, and starts it
 * unless it is left asleep. Returns its id, and whether this run started it.
 */
export async function actOn(
  ctx: EngineContext,
  plan: StackPlan,
  step: ServiceStep,
  service: PlannedService,
  spec: ContainerSpec,
  files: StackFiles,
  created: () => void,
): Promise<{ id: string; started: boolean }> {
  if (step.kind === 'keep' || step.kind === 'start') {
    const id = step.containerId as string;
    created();
    if (step.kind === 'keep') {
      ctx.emit(step.asleep ? { kind: 'asleep', service: service.name } : { kind: 'unchanged', service: service.name });
      if (!step.asleep) await reloadChanged(ctx, service, id, files);
      return { id, started: false };
    }
    ctx.emit({ kind: 'starting', service: service.name });
    await copyConfigs(ctx, service, id, files);
    await ctx.docker.getContainer(id).start();
    return { id, started: true };
  }
  if (service.role === 'model' && ctx.prefetchWeights)
    await prefetchWeights(ctx.docker, plan.stack, service, ctx.secrets, ctx.emit);
  ctx.emit({ kind: 'creating', service: service.name, recreate: step.kind === 'recreate' });
  if (step.containerId) await removeContainer(ctx.docker, step.containerId);
  const container = await createContainer(ctx, service, spec);
  created();
  await copyConfigs(ctx, service, container.id, files);
  if (step.asleep) {
    ctx.emit({ kind: 'asleep', service: service.name });
    return { id: container.id, started: false };
  }
  ctx.emit({ kind: 'starting', service: service.name });
  await startCreated(service, container);
  return { id: container.id, started: true };
}

/**
 * Created without a restart policy: a first start that fails stays stopped with its real exit code instead of
 * crash-looping. The plan's policy is applied once the service is healthy (restorePolicy).
 */
async function createContainer(
  ctx: EngineContext,
  service: PlannedService,
  spec: ContainerSpec,
): Promise<Docker.Container> {
  const dependsOnLabel = service.dependsOn.map((d) => `${d.service}:${d.condition}`).join(',');
  const options = {
    ...spec.options,
    Labels: { ...spec.options.Labels, [LABELS.dependsOn]: dependsOnLabel },
    HostConfig: { ...spec.options.HostConfig, RestartPolicy: { Name: '' } },
  };
  try {
    return await ctx.docker.createContainer(options);
  } catch (error) {
    throw new EngineError(
      `cannot create ${service.name}: ${dockerMessage(error)}`,
      'read the message: a wrong image, a missing GPU runtime or a bad setting is the usual cause',
    );
  }
}

/** Starts a container this run created; one that cannot start is removed, and why is said. */
async function startCreated(service: PlannedService, container: Docker.Container): Promise<void> {
  try {
    await container.start();
  } catch (error) {
    const dockerSaid = dockerMessage(error);
    await container.remove({ force: true }).catch(() => undefined);
    if (/port is already allocated|address already in use/.test(dockerSaid)) {
      throw new EngineError(
        `${service.name}'s port ${service.ports[0]?.host} was taken before it could start`,
        `free it, or set another port (settings: "ports": { "${service.name}": … })`,
      );
    }
    throw new EngineError(
      `cannot start ${service.name}: ${dockerSaid}`,
      'read the message; berth doctor checks the usual causes',
    );
  }
}

/** Keeps what a model server reported at its start: one that answered, one killed at its limit, or one that stopped. */
export async function keepMeasurement(
  ctx: EngineContext,
  service: PlannedService,
  containerId: string,
  start: 'answered' | 'oom-killed' | 'stopped',
): Promise<void> {
  if (!ctx.record) return;
  const port = service.ports[0]?.host;
  try {
    const measurement = await measureStart({
      docker: ctx.docker,
      containerId,
      service,
      engine: ctx.engineEndpoint ?? 'unknown',
      oomKilled: start === 'oom-killed',
      stopped: start === 'stopped',
      metrics: async () =>
        ctx.probeHost && port !== undefined
          ? (await httpGet(`http://${ctx.probeHost}:${port}/metrics`, 2000))?.body
          : undefined,
    });
    if (!measurement) return;
    await ctx.record(measurement);
    const over = aboveItsPlan(measurement);
    ctx.emit({ kind: 'measured', service: service.name, overPlan: over, message: describeMeasurement(measurement) });
  } catch (error) {
    ctx.emit({
      kind: 'warning',
      message: `${service.name}: what it reported at start could not be kept (${(error as Error).message})`,
    });
  }
}

/**
 * The service's own health check, run once now in its container, unless it has passed on this image before (a pass
 * is kept: answered.ts).
 */
export async function checkOnImage(
  ctx: EngineContext,
  id: string,
  imageId: string,
  health: NonNullable<PlannedService['health']>,
): Promise<{ ok: boolean; output: string }> {
  // A pass kept from an earlier start counts only while Docker's own check has not seen this start fail.
  const failing = await ctx.docker
    .getContainer(id)
    .inspect()
    .then(
      (info) => dockerSawFail(info.State),
      () => false,
    );
  if (!failing && (await passedBefore(ctx.home, imageId, health.test)))
    return { ok: true, output: 'passed on this image before' };
  const check = await checkHealthOnce(ctx.docker, id, health);
  if (check.ok) await recordPassed(ctx.home, imageId, health.test, new Date());
  return check;
}

/**
 * What follows a start once the service has proved it starts: the plan's restart policy back, and for a model server
 * this run started, what it measured. Begun at its first answer, beside its health check, so neither waits on the
 * other; the measurement's lines are held and returned, to follow the service's "healthy". Idempotent; a failure
 * waits for the caller (a handler is attached at once, so nothing is left unhandled meanwhile).
 */
export function afterStart(
  ctx: EngineContext,
  service: PlannedService,
  id: string,
  measure: boolean,
): () => Promise<ProgressEvent[]> {
  let work: Promise<ProgressEvent[]> | undefined;
  return () => {
    if (work) return work;
    const held: ProgressEvent[] = [];
    work = Promise.all([
      restorePolicy(ctx.docker, id, service),
      measure ? keepMeasurement({ ...ctx, emit: (event) => held.push(event) }, service, id, 'answered') : undefined,
    ]).then(() => held);
    work.catch(() => undefined);
    return work;
  };
}

/** The plan's restart policy, once the service has proved it starts. */
export async function restorePolicy(docker: Docker, id: string, service: PlannedService): Promise<void> {
  const wanted = service.restart === 'no' ? '' : service.restart;
  const info = await docker.getContainer(id).inspect();
  if ((info.HostConfig.RestartPolicy?.Name ?? '') !== wanted)
    await docker.getContainer(id).update({ RestartPolicy: { Name: wanted } });
}
