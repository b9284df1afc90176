import type Docker from 'dockerode';
import type { ServiceState, ServiceStatus } from '../../common/contracts/status.js';
import { explainExit, explainFailure } from '../../common/explain/failures.js';
import { withPlanned } from '../../common/status/service-state.js';
import { formatBytes } from '../../common/units.js';
import { statusCode } from './errors.js';
import { type Answered } from './answered.js';
import { restsOnKeptPass, stateOf } from './container-state.js';
import { listOwned } from './owned.js';
import { readLogTail } from './logs.js';

/* One container's status as the contract carries it, read from `docker inspect` and, for a failure, its log. */

type Inspect = Docker.ContainerInspectInfo;

async function problemOf(
  docker: Docker,
  service: string,
  info: Inspect,
  state: ServiceState,
): Promise<ServiceStatus['problem']> {
  if (!['exited', 'oom-killed', 'unhealthy', 'restarting'].includes(state)) return undefined;
  if (state === 'exited' && info.State.ExitCode === 0) return undefined;
  const lines = (await readLogTail(docker, info.Id, 300).catch(() => [])).map((l) => l.text);
  const explained = explainFailure(service, lines);
  if (explained) return explained;
  if (state === 'unhealthy')
    return {
      message: `${service} runs but fails its health check`,
      fix: `read its log: berth logs ${service} --tail 200`,
    };
  return explainExit(
    service,
    info.State.ExitCode,
    info.State.OOMKilled,
    info.HostConfig.Memory ? formatBytes(info.HostConfig.Memory) : undefined,
  );
}

export async function statusOfContainer(
  docker: Docker,
  service: string,
  id: string,
  options: {
    explain?: boolean;
    answered?: Answered;
    /** Told whether the state read is healthy only by a kept pass (container-state.ts, restsOnKeptPass). */
    keptPass?: (service: string, containerId: string, rests: boolean) => void;
  } = {},
): Promise<ServiceStatus> {
  let info: Inspect;
  try {
    info = await docker.getContainer(id).inspect();
  } catch (error) {
    if (statusCode(error) === 404) return { name: service, state: 'missing', ports: [] };
    throw error;
  }
  const state = stateOf(info, options.answered);
  options.keptPass?.(service, info.Id, restsOnKeptPass(info, options.answered));
  const ports = Object.values(info.HostConfig.PortBindings ?? {})
    .flat()
    .map((b) => Number((b as { HostPort?: string }).HostPort))
    .filter((p) => Number.isFinite(p) && p > 0);
  const running = info.State.Running || info.State.Restarting;
  const problem = options.explain === false ? undefined : await problemOf(docker, service, info, state);
  return {
    name: service,
    state,
    ...(state === 'exited' || state === 'oom-killed' ? { exitCode: info.State.ExitCode } : {}),
    containerId: info.Id.slice(0, 12),
    since: running ? info.State.StartedAt : info.State.FinishedAt,
    ports,
    ...(problem ? { problem } : {}),
    image: info.Config.Image,
  };
}

/** Every service of the stack, from one listing: planned services without a container are "missing". */
export async function stackSnapshot(
  docker: Docker,
  stack: string,
  planned: readonly string[],
  answered?: Answered,
  keptPass?: (service: string, containerId: string, rests: boolean) => void,
): Promise<ServiceStatus[]> {
  const owned = await listOwned(docker, stack);
  const live = await Promise.all(
    [...owned].map(([name, container]) => statusOfContainer(docker, name, container.id, { answered, keptPass })),
  );
  return withPlanned(planned, live);
}
