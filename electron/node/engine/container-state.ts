import type Docker from 'dockerode';
import type { ServiceState } from '../../common/contracts/status.js';
import { answeredSince, type Answered } from './answered.js';
import { LABELS, sleptQuietly } from './labels.js';

/** A container's state in the contract's terms, from `docker inspect` and the starts Berth saw answer. */

type Inspect = Docker.ContainerInspectInfo;

/** The contract's state for what `docker inspect` says. */
export function stateOf(
  info: Pick<Inspect, 'State' | 'Id'> & { Config?: { Labels?: Record<string, string> | null } },
  answered?: Answered,
): ServiceState {
  const state = stateFromDocker(info);
  // Docker's next check is a whole interval away on engines before 25; `up` saw this start answer and pass the check.
  // A check Docker ran since then and saw fail outvotes it: a kept pass is a speed-up, never a verdict, and a service
  // that answered and then failed its own check is failing (Docker itself says "starting" for the whole start period).
  if ((state === 'starting' || state === 'waking') && answeredSince(answered, info.Id, info.State.StartedAt))
    return dockerSawFail(info.State) ? 'unhealthy' : 'healthy';
  return state;
}

/**
 * Whether the state is healthy only by a kept pass (`up` saw this start answer) while Docker still counts the start:
 * Docker then reports no failed check until its start period ends, so the status tracker follows the checks itself.
 */
export function restsOnKeptPass(
  info: Pick<Inspect, 'State' | 'Id'> & { Config?: { Labels?: Record<string, string> | null } },
  answered?: Answered,
): boolean {
  const state = stateFromDocker(info);
  return (
    (state === 'starting' || state === 'waking') &&
    answeredSince(answered, info.Id, info.State.StartedAt) &&
    !dockerSawFail(info.State)
  );
}

/** Whether Docker's own check says failing for this start: unhealthy, or its latest run since the start failed. */
export function dockerSawFail(state: Pick<Inspect['State'], 'Health' | 'StartedAt'>): boolean {
  const health = state.Health;
  if (!health) return false;
  if (health.Status === 'unhealthy') return true;
  const since = state.StartedAt ? Date.parse(state.StartedAt) : 0;
  const runs = (health.Log ?? []).filter((run) => Date.parse(run.Start) >= since);
  const latest = runs[runs.length - 1];
  return !!latest && latest.ExitCode !== 0;
}

function stateFromDocker(
  info: Pick<Inspect, 'State'> & { Config?: { Labels?: Record<string, string> | null } },
): ServiceState {
  const state = info.State;
  const onDemand = info.Config?.Labels?.[LABELS.onDemand] === 'true';
  if (state.Restarting) return 'restarting';
  if (state.Status === 'created') return onDemand ? 'asleep' : 'created';
  if (state.Running || state.Status === 'paused') {
    const health = state.Health?.Status;
    if (health === 'starting') return onDemand ? 'waking' : 'starting';
    if (health === 'healthy') return 'healthy';
    if (health === 'unhealthy') return 'unhealthy';
    return 'running';
  }
  if (sleptQuietly(info.Config?.Labels, state.ExitCode, state.OOMKilled)) return 'asleep';
  return state.OOMKilled ? 'oom-killed' : 'exited';
}
