import type { ServiceStatus } from '../common/contracts/status.js';
import { isFailed, servicesState } from '../common/status/service-state.js';

export interface DesktopNotification {
  title: string;
  body: string;
}

/**
 * What to tell the user between two status updates: a service that failed (with its one-sentence
 * explanation, which arrives in a second update after the `die` event) and the stack becoming ready.
 */
export function notificationsFor(
  previous: readonly ServiceStatus[],
  next: readonly ServiceStatus[],
  told: Set<string>,
): DesktopNotification[] {
  const out: DesktopNotification[] = [];
  for (const service of next) {
    const key = `${service.name}:${service.containerId ?? ''}:${service.since ?? ''}`;
    if (!isFailed(service)) {
      for (const k of [...told]) if (k.startsWith(`${service.name}:`)) told.delete(k);
      continue;
    }
    // Wait for the explanation when the state arrives before it; tell once per failure.
    if (!service.problem || told.has(key)) continue;
    told.add(key);
    out.push({ title: `${service.name} failed`, body: `${service.problem.message} ${service.problem.fix}`.trim() });
  }
  if (previous.length && servicesState(previous) !== 'healthy' && servicesState(next) === 'healthy') {
    out.push({ title: 'Berth is ready', body: `All ${next.length} services are healthy.` });
  }
  return out;
}
