import { onlyLinkDown, type EngineTrouble } from '../contracts/engine-trouble.js';
import type { PlannedService } from '../contracts/stack-plan.js';
import type { ServiceState, ServiceStatus } from '../contracts/status.js';

/**
 * The one meaning of a service's state, for the tray, the window, the CLI and the backend alike. A table test
 * (service-state.test.ts) pins every state's answer to every question.
 */

/** Serving: its health check passes, or it has none and runs. */
export function isUp(state: ServiceState): boolean {
  return state === 'healthy' || state === 'running';
}

/** On its way up: created, starting, waking for a request, or restarting after a crash. */
export function isComingUp(state: ServiceState): boolean {
  return state === 'created' || state === 'starting' || state === 'waking' || state === 'restarting';
}

/** A model on demand that sleeps: it holds no memory, and its next request wakes it. Available, not up. */
export function isAsleep(state: ServiceState): boolean {
  return state === 'asleep';
}

/** Docker holds a container that runs or is about to: stopping it means something, and it uses the machine. */
export function isActive(state: ServiceState): boolean {
  return isUp(state) || isComingUp(state) || state === 'unhealthy';
}

/** It died (out of memory, a non-zero exit) or runs but fails its health check for a known reason. */
export function isFailed(status: Pick<ServiceStatus, 'state' | 'exitCode' | 'problem'>): boolean {
  return (
    status.state === 'oom-killed' ||
    (status.state === 'exited' && (status.exitCode ?? 0) !== 0) ||
    (status.state === 'unhealthy' && !!status.problem)
  );
}

/** What the stack is at a glance. */
export type StackState = 'stopped' | 'starting' | 'healthy' | 'degraded' | 'failed';

export const STACK_STATES: readonly StackState[] = ['stopped', 'starting', 'healthy', 'degraded', 'failed'];

/** The engine as the stack's state needs it: its endpoint while it answers, and why it does not. */
export interface EngineReach {
  endpoint: string | null;
  trouble?: EngineTrouble | undefined;
}

/**
 * The stack's state, for the tray and the window alike: with no engine answering, degraded when only the link to a
 * remote engine is down (the stack there may still run) and stopped otherwise; else the services' state.
 */
export function stackState(
  engine: EngineReach,
  services: readonly ServiceStatus[],
  options: { busy?: boolean } = {},
): StackState {
  if (!engine.endpoint) return onlyLinkDown(engine.trouble) ? 'degraded' : 'stopped';
  return servicesState(services, options);
}

/**
 * The services' state on an engine that answers: failed when one died or went unhealthy with a reason, starting
 * while one comes up (or an operation runs), healthy when every service is up or asleep on demand, degraded when only
 * some are, else stopped.
 */
export function servicesState(services: readonly ServiceStatus[], options: { busy?: boolean } = {}): StackState {
  if (services.some(isFailed)) return 'failed';
  if (options.busy || services.some((s) => isComingUp(s.state))) return 'starting';
  const up = services.filter((s) => isUp(s.state)).length;
  if (up === 0) return 'stopped';
  const available = up + services.filter((s) => isAsleep(s.state)).length;
  return available === services.length ? 'healthy' : 'degraded';
}

/**
 * Where a service answers from this machine: its first published port, on the address it binds, or on 127.0.0.1 when
 * it binds every interface. Undefined for a service that publishes no port.
 */
export function serviceUrl(service: Pick<PlannedService, 'ports'>): string | undefined {
  const port = service.ports[0];
  if (!port) return undefined;
  const host = !port.bind || port.bind === '0.0.0.0' || port.bind === '::' ? '127.0.0.1' : port.bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.host}/`;
}

/**
 * Where a service answers from this machine, given where the backend made it reachable (`Snapshot.urls`: local
 * forwards of a remote engine's ports), else from its published port.
 */
export function reachableUrl(
  service: Pick<PlannedService, 'name' | 'ports'>,
  urls?: Readonly<Record<string, string>>,
): string | undefined {
  return urls?.[service.name] ?? serviceUrl(service);
}

/**
 * Planned and live services together: every planned one in the plan's order (a service without a container is
 * 'missing'), then any live one the plan no longer has (a model turned off that still runs).
 */
export function withPlanned(planned: readonly string[], live: readonly ServiceStatus[]): ServiceStatus[] {
  const byName = new Map(live.map((s) => [s.name, s]));
  const extra = live.filter((s) => !planned.includes(s.name));
  return [...planned.map((name): ServiceStatus => byName.get(name) ?? { name, state: 'missing', ports: [] }), ...extra];
}
