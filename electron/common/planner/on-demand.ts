import type { KeepAlive } from '../contracts/settings.js';
import { formatGiB } from '../units.js';

export type { KeepAlive };

/**
 * Room for a model that wakes (docs/decisions/0013): what must go to sleep first so that the models awake fit in what
 * the engine gives them. Pure: the waker asks it with the containers' limits and when each model was last used.
 */

/** A model server that is awake, as the waker sees it. */
export interface AwakeModel {
  service: string;
  /** Its container's memory limit: what it may hold, and so what sleeping frees. */
  memoryBytes: number;
  /** When it last answered or was asked (ms since the epoch): the least recent idle one sleeps first. */
  lastUsedAt: number;
  /** Requests it is answering now: a model with any is never put to sleep. */
  inFlight: number;
  /** Kept awake by the user (the tray's Start) until they stop it: never put to sleep to make room. */
  pinned?: boolean;
}

export type Room =
  /** It fits once these (possibly none) are asleep, least recently used first. */
  | { fits: true; sleep: string[] }
  /** It could never fit, even with every other model asleep: said at plan time. */
  | { fits: false; why: 'never'; needBytes: number; budgetBytes: number }
  /** It fits alone, but models answering requests (or kept awake) hold the memory: it waits for one to go idle. */
  | { fits: false; why: 'busy'; busy: string[] };

/**
 * Which idle models to put to sleep so that `waking` fits beside the rest in `budgetBytes` (the engine's memory less
 * the always-on services' and the engine's own): none when it already fits, the least recently used idle ones until
 * it does, never one with requests in flight.
 */
export function roomFor(
  waking: { service: string; memoryBytes: number },
  awake: readonly AwakeModel[],
  budgetBytes: number,
): Room {
  if (waking.memoryBytes > budgetBytes) {
    return { fits: false, why: 'never', needBytes: waking.memoryBytes, budgetBytes };
  }
  const others = awake.filter((m) => m.service !== waking.service);
  let used = others.reduce((sum, m) => sum + m.memoryBytes, 0);
  const sleep: string[] = [];
  const idle = others.filter((m) => m.inFlight === 0 && !m.pinned).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  for (const model of idle) {
    if (used + waking.memoryBytes <= budgetBytes) break;
    sleep.push(model.service);
    used -= model.memoryBytes;
  }
  if (used + waking.memoryBytes <= budgetBytes) return { fits: true, sleep };
  return { fits: false, why: 'busy', busy: others.filter((m) => m.inFlight > 0 || m.pinned).map((m) => m.service) };
}

/** Whether these models can all be awake at once in `budgetBytes`; if not, they take turns on demand. */
export function allFitTogether(models: readonly { memoryBytes: number }[], budgetBytes: number): boolean {
  return models.reduce((sum, m) => sum + m.memoryBytes, 0) <= budgetBytes;
}

/**
 * The keep-alive of a model that cannot run beside the others: Ollama keeps an idle model 5 minutes by default
 * (https://github.com/ollama/ollama/blob/main/docs/faq.md, "How do I keep a model loaded in memory"), but a vLLM CPU
 * server takes a minute or more to start where Ollama loads in seconds, so Berth waits longer before a wake is needed.
 */
export const DEFAULT_KEEP_ALIVE_MINUTES = 15;

/**
 * The awake models idle for longer than their keep-alive at `now`: these go to sleep. A model answering requests is
 * not idle, whatever its last use.
 */
export function idleTooLong(awake: readonly (AwakeModel & { keepAlive: KeepAlive })[], now: number): string[] {
  return awake
    .filter(
      (m) => m.keepAlive !== 'always' && !m.pinned && m.inFlight === 0 && now - m.lastUsedAt > m.keepAlive * 60_000,
    )
    .map((m) => m.service);
}

/**
 * Whether Berth, running where this plan is made, can wake this engine's models: its wake gateway must be on the
 * engine's host, so the engine must be this machine's (a unix socket or named pipe), or none answered yet.
 */
export function wakesHere(facts: { engine?: { endpoint: string } | null | undefined }): boolean {
  const endpoint = facts.engine?.endpoint;
  return !endpoint || endpoint.startsWith('unix://') || endpoint.startsWith('npipe://');
}

/** What the window says under a model on demand: how it wakes and sleeps, and when it was last asked for. */
export function onDemandWords(keepAlive: number, lastUsed: string | undefined): string {
  const last = lastUsed
    ? `last used ${new Date(lastUsed).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })}`
    : 'not used since Berth started';
  return `wakes on request · sleeps after ${keepAlive} min idle · ${last}`;
}

/** A model's keep-alive in a few words, for tables and menus: "always", "15 min". */
export function keepAliveWords(keepAlive: KeepAlive | undefined): string {
  return keepAlive === undefined || keepAlive === 'always' ? 'always' : `${keepAlive} min`;
}

/** The plan's on-demand group in a sentence, for `berth plan`, `berth up` and the plan pictures. */
export function takingTurns(
  onDemand: { services: readonly string[]; budgetBytes: number; atOnce: number; gatewayPort: number } | undefined,
): string | undefined {
  if (!onDemand?.services.length) return undefined;
  const { services, atOnce } = onDemand;
  const howMany =
    services.length === 1
      ? ''
      : atOnce >= services.length
        ? ' (all fit at once)'
        : atOnce === 0
          ? ' (none fits: see the warnings)'
          : ` (${atOnce === 1 ? 'one' : atOnce} of these at a time${
              onDemand.budgetBytes ? ` in ${formatGiB(onDemand.budgetBytes)}` : ''
            })`;
  return (
    `On demand${howMany}: ${services.join(', ')}. Each sleeps when idle for its keep-alive and wakes on its next ` +
    `request through Berth's wake gateway (port ${onDemand.gatewayPort}) while Berth runs: the tray app or berth serve.`
  );
}
