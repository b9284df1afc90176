/* One service's container: created, recreated or kept, started, measured, and its restart policy restored. */
import type Docker from 'dockerode';
import type { PlannedService, StackPlan } from '../../common/contracts/stack-plan.js';
import { EngineError, dockerMessage } from './errors.js';
import { configArchive } from './config-archive.js';
import type { ContainerSpec } from './container-spec.js';
import { reloadChanged, type StackFiles } from './stack-files.js';
import { LABELS } from './labels.js';
import type { OwnedContainer } from './owned.js';
import { prefetchWeights } from './weights.js';
import { aboveItsPlan, measureStart } from './measure.js';
import { describeMeasurement } from '../../common/planner/vllm-words.js';
import { httpGet } from '../http-get.js';
import type { EngineContext } from './converge.js';
import type { ProgressEvent } from '../../common/contracts/progress.js';
import { passedBefore, recordPassed } from './answered.js';
import { checkHealthOnce } from './health.js';
import { dockerSawFail } from './container-state.js';

export async function removeContainer(docker: Docker, id: string): Promise<void> {
  const container = docker.getContainer(id);
  await container.stop({ t: 10 }).catch(() => undefined);
  await container.remove({ force: true, v: false });
}

/**
 * Creates, recreates or keeps one service's container, then starts it, except a model on demand, which is left asleep
 * (created or stopped) unless it is awake already. Returns its id, and whether this run started it.
 */
export async function ensureContainer(
  ctx: EngineContext,
  plan: StackPlan,
  service: PlannedService,
  spec: ContainerSpec,
  existing: OwnedContainer | undefined,
  stack: StackFiles,
  created: () => void,
  /** A model on demand that nobody named: left asleep unless it is awake already. */
  leaveAsleep = false,
): Promise<{ id: string; started: boolean }> {
  const files = stack.contents;
  if (existing && existing.planHash === spec.hash) {
    created();
    if (existing.state === 'running') {
      ctx.emit({ kind: 'unchanged', service: service.name });
      await reloadChanged(ctx, service, existing.id, stack);
      return { id: existing.id, started: false };
    }
    if (leaveAsleep) {
      ctx.emit({ kind: 'asleep', service: service.name });
      return { id: existing.id, started: false };
    }
    ctx.emit({ kind: 'starting', service: service.name });
    if (!ctx.local) {
      const archive = await configArchive(service, files);
      if (archive) await ctx.docker.getContainer(existing.id).putArchive(archive, { path: '/' });
    }
    await ctx.docker.getContainer(existing.id).start();
    return { id: existing.id, started: true };
  }
  if (service.role === 'model' && ctx.prefetchWeights)
    await prefetchWeights(ctx.docker, plan.stack, service, ctx.secrets, ctx.emit);
  ctx.emit({ kind: 'creating', service: service.name, recreate: existing !== undefined });
  if (existing) await removeContainer(ctx.docker, existing.id);
  const dependsOnLabel = service.dependsOn.map((d) => `${d.service}:${d.condition}`).join(',');
  // Created without a restart policy: a first start that fails stays stopped with its real exit code instead of
  // crash-looping. The plan's policy is applied once the service is healthy (restorePolicy).
  const options = {
    ...spec.options,
    Labels: { ...spec.options.Labels, [LABELS.dependsOn]: dependsOnLabel },
    HostConfig: { ...spec.options.HostConfig, RestartPolicy: { Name: '' } },
  };
  let container: Docker.Container;
  try {
    container = await ctx.docker.createContainer(options);
  } catch (error) {
    throw new EngineError(
      `cannot create ${service.name}: ${dockerMessage(error)}`,
      'read the message: a wrong image, a missing GPU runtime or a bad setting is the usual cause',
    );
  }
  created();
  if (leaveAsleep) {
    if (!ctx.local) {
      const archive = await configArchive(service, files);
      if (archive) await container.putArchive(archive, { path: '/' });
    }
    ctx.emit({ kind: 'asleep', service: service.name });
    return { id: container.id, started: false };
  }
  ctx.emit({ kind: 'starting', service: service.name });
  try {
    const archive = ctx.local ? undefined : await configArchive(service, files);
    if (archive) await container.putArchive(archive, { path: '/' });
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
  return { id: container.id, started: true };
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
