import { idleTooLong, roomFor, type AwakeModel, type KeepAlive } from '../../common/planner/on-demand.js';
import { formatGiB } from '../../common/units.js';
import type { InFlight, WakeTarget } from './wake-gateway.js';
import { SerialQueue } from '../serial-queue.js';

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
 * keep-alive. Wakes run one at a time, and a model waking counts as awake: two first requests at once cannot both
 * find the room free.
 */
export class Waker {
  private readonly turns = new SerialQueue();
  private readonly waking = new Set<string>();

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
    return {
      upstream: model.upstream,
      awake: () => model.awake(),
      wake: () => this.wake(service),
      lost: () => model.lost?.(),
    };
  }

  private awakeModels(): (AwakeModel & { keepAlive: KeepAlive })[] {
    return [...this.models]
      .filter(([service, m]) => m.awake() || this.waking.has(service))
      .map(([service, m]) => ({
        service,
        memoryBytes: m.memoryBytes,
        lastUsedAt: this.lastUsed.get(service) ?? 0,
        inFlight: this.inFlight.count(service),
        keepAlive: m.keepAlive,
        // A model waking holds its memory already, and is never the one put to sleep.
        pinned: m.keepAlive === 'always' || this.waking.has(service),
      }));
  }

  wake(service: string): Promise<void> {
    return this.turns.run(() => this.wakeNow(service));
  }

  private async wakeNow(service: string): Promise<void> {
    const model = this.models.get(service);
    if (!model) throw new Error(`${service} is not a model Berth wakes`);
    // It woke while this wake waited its turn.
    if (model.awake()) return;
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
    this.waking.add(service);
    try {
      for (const other of room.sleep) await this.models.get(other)?.sleep();
      await model.wake();
    } finally {
      this.waking.delete(service);
    }
  }

  /** Puts one model to sleep now (the user stopped it); false for a model it does not hold. */
  async sleep(service: string): Promise<boolean> {
    const model = this.models.get(service);
    if (!model) return false;
    await model.sleep();
    return true;
  }

  /**
   * Puts the least recently used awake model to sleep that no request holds and that is not kept awake: memory is
   * short (the Mac's pressure guard). Returns which, or undefined where none may sleep.
   */
  sleepLeastRecentlyUsed(): Promise<string | undefined> {
    return this.turns.run(async () => {
      const idle = this.awakeModels()
        .filter((m) => !m.pinned && m.inFlight === 0)
        .sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
      if (!idle) return undefined;
      await this.models.get(idle.service)?.sleep();
      return idle.service;
    });
  }

  /** Puts to sleep the models idle past their keep-alive; returns which. */
  async sleepIdle(): Promise<string[]> {
    const idle = idleTooLong(this.awakeModels(), this.now());
    for (const service of idle) await this.models.get(service)?.sleep();
    return idle;
  }
}
