import { idleTooLong, roomFor, type AwakeModel, type KeepAlive } from '../../common/planner/on-demand.js';
import { formatGiB } from '../../common/units.js';
import type { InFlight, WakeTarget } from './wake-gateway.js';

/** A model the waker may put to sleep and wake: its target, what it holds awake, and how long it may idle. */
export interface SleepingModel extends WakeTarget {
  sleep(): Promise<void>;
  /** Its container's memory limit, freed when it sleeps. */
  memoryBytes: number;
  keepAlive: KeepAlive;
}

/**
 * Makes room before a wake (docs/decisions/0013): the least recently used idle models sleep first, never one
 * answering a request, and a model that could never fit says so. Puts models to sleep when idle past their
 * keep-alive.
 */
export class Waker {
  constructor(
    private readonly models: ReadonlyMap<string, SleepingModel>,
    /** What the engine gives models once the always-on services and the engine itself have theirs. */
    private readonly budgetBytes: number,
    private readonly inFlight: InFlight,
    private readonly now: () => number = Date.now,
    /** When each model was last asked for; kept by the owner across wakers made for a changed plan. */
    private readonly lastUsed = new Map<string, number>(),
  ) {}

  /** When each model was last asked for (ms since the epoch). */
  lastUses(): ReadonlyMap<string, number> {
    return this.lastUsed;
  }

  /** The gateway's `used` hook: the model was asked for now. */
  used(service: string): void {
    this.lastUsed.set(service, this.now());
  }

  /** The gateway's target for a service: waking it makes room first. */
  target(service: string): WakeTarget | undefined {
    const model = this.models.get(service);
    if (!model) return undefined;
    return { upstream: model.upstream, awake: () => model.awake(), wake: () => this.wake(service) };
  }

  private awakeModels(): (AwakeModel & { keepAlive: KeepAlive })[] {
    return [...this.models]
      .filter(([, m]) => m.awake())
      .map(([service, m]) => ({
        service,
        memoryBytes: m.memoryBytes,
        lastUsedAt: this.lastUsed.get(service) ?? 0,
        inFlight: this.inFlight.count(service),
        keepAlive: m.keepAlive,
        pinned: m.keepAlive === 'always',
      }));
  }

  async wake(service: string): Promise<void> {
    const model = this.models.get(service);
    if (!model) throw new Error(`${service} is not a model Berth wakes`);
    const room = roomFor({ service, memoryBytes: model.memoryBytes }, this.awakeModels(), this.budgetBytes);
    if (!room.fits && room.why === 'never') {
      throw new Error(
        `it needs ${formatGiB(room.needBytes)}, more than the ${formatGiB(room.budgetBytes)} the engine leaves models`,
      );
    }
    if (!room.fits) {
      throw new Error(
        `its memory is held by ${room.busy.join(' and ')}, answering requests or kept awake: ask again when done, or ` +
          'stop one',
      );
    }
    for (const other of room.sleep) await this.models.get(other)?.sleep();
    await model.wake();
  }

  /** Puts one model to sleep now (the user stopped it); false for a model it does not hold. */
  async sleep(service: string): Promise<boolean> {
    const model = this.models.get(service);
    if (!model) return false;
    await model.sleep();
    return true;
  }

  /** Puts to sleep the models idle past their keep-alive; returns which. */
  async sleepIdle(): Promise<string[]> {
    const idle = idleTooLong(this.awakeModels(), this.now());
    for (const service of idle) await this.models.get(service)?.sleep();
    return idle;
  }
}
