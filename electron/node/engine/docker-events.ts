import readline from 'node:readline';
import type Docker from 'dockerode';
import { stackFilter } from './labels.js';

/** The container events that can change a service's state. */
export const STATE_EVENTS = [
  'create',
  'start',
  'restart',
  'die',
  'kill',
  'oom',
  'stop',
  'destroy',
  'pause',
  'unpause',
  'health_status',
];

/** One container event as Docker's /events reports it. */
export interface ContainerEvent {
  action: string;
  id: string;
  service?: string;
  attributes: Record<string, string>;
  timeNano: number;
}

/**
 * Subscribes to Docker's event stream for this stack's containers. Resolves once the stream is open; `closed`
 * settles when it ends (the engine went away) or `signal` aborts.
 */
export async function subscribeContainerEvents(
  docker: Docker,
  stack: string,
  onEvent: (event: ContainerEvent) => void,
  signal?: AbortSignal,
  /** One container's health checks' ends (exec_die, with their exit codes) instead of the stack's state events. */
  checksOf?: string,
): Promise<{ closed: Promise<void> }> {
  const stream = (await docker.getEvents({
    // Health checks run an exec every few seconds per container: those events are left at the engine, unless one
    // container's are asked for.
    filters: checksOf
      ? { type: ['container'], event: ['exec_die'], container: [checksOf] }
      : { type: ['container'], event: STATE_EVENTS, ...stackFilter(stack) },
    ...(signal ? { abortSignal: signal } : {}),
  } as Docker.GetEventsOptions)) as unknown as NodeJS.ReadableStream & { destroy: () => void };
  signal?.addEventListener('abort', () => stream.destroy(), { once: true });
  const closed = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  const reader = readline.createInterface({ input: stream, crlfDelay: Infinity });
  // readline re-emits its input's errors (a dropped connection): the stream's own handler above deals with it.
  reader.on('error', () => undefined);
  reader.on('line', (line) => {
    if (!line.trim()) return;
    try {
      const raw = JSON.parse(line) as {
        Action?: string;
        status?: string;
        id?: string;
        Actor?: { ID?: string; Attributes?: Record<string, string> };
        timeNano?: number;
      };
      const attributes = raw.Actor?.Attributes ?? {};
      onEvent({
        action: raw.Action ?? raw.status ?? '',
        id: raw.Actor?.ID ?? raw.id ?? '',
        service: attributes['dev.berth.service'],
        attributes,
        timeNano: raw.timeNano ?? Date.now() * 1e6,
      });
    } catch {
      // A partial line from a dropped connection: the reconnect re-lists everything anyway.
    }
  });
  return { closed };
}
