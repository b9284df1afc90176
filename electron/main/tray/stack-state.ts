import type { ServiceStatus } from '../../common/contracts/status.js';

/** What the tray icon says at a glance. */
export type StackState = 'stopped' | 'starting' | 'healthy' | 'degraded' | 'failed';

export const STACK_STATES: readonly StackState[] = ['stopped', 'starting', 'healthy', 'degraded', 'failed'];

const UP = new Set(['healthy', 'running']);
const COMING_UP = new Set(['created', 'starting', 'restarting']);

function failed(service: ServiceStatus): boolean {
  return service.state === 'oom-killed' || (service.state === 'exited' && (service.exitCode ?? 0) !== 0) || (service.state === 'unhealthy' && !!service.problem);
}

/**
 * The stack's state from its services: failed when one died or went unhealthy with a reason, starting while
 * one comes up (or an operation runs), healthy when every service is up, degraded when only some are.
 */
export function stackState(services: readonly ServiceStatus[], options: { busy?: boolean } = {}): StackState {
  if (services.some(failed)) return 'failed';
  if (options.busy || services.some((s) => COMING_UP.has(s.state))) return 'starting';
  const up = services.filter((s) => UP.has(s.state)).length;
  if (up === 0) return 'stopped';
  return up === services.length ? 'healthy' : 'degraded';
}
