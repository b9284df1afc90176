/**
 * Reads the models' tokens/s for the tray only while someone looks: the window is shown or the tray menu is
 * open. Nothing is polled otherwise, so an idle app costs nothing.
 */
export class TokensPerSecondPoller {
  private readonly watchers = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: {
      read: () => Promise<Record<string, number>>;
      onRates: (rates: Record<string, number>) => void;
      intervalMs: number;
      setInterval?: (fn: () => void, ms: number) => ReturnType<typeof setInterval>;
      clearInterval?: (timer: ReturnType<typeof setInterval>) => void;
    },
  ) {}

  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** `who` is 'window' or 'menu'; polling runs while at least one looks. */
  watch(who: string, looking: boolean): void {
    if (looking) this.watchers.add(who);
    else this.watchers.delete(who);
    if (this.watchers.size && !this.timer) {
      this.tick();
      this.timer = (this.deps.setInterval ?? setInterval)(() => this.tick(), this.deps.intervalMs);
    } else if (!this.watchers.size && this.timer) {
      (this.deps.clearInterval ?? clearInterval)(this.timer);
      this.timer = undefined;
      this.deps.onRates({});
    }
  }

  private tick(): void {
    this.deps.read().then(
      (rates) => this.timer && this.deps.onRates(rates),
      () => undefined,
    );
  }
}

/** The last generation rate of each model that is generating now (an idle model has no entry). */
export function currentRates(
  models: readonly { service: string; timeline: { generationTokensPerS: [number, number][] } }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const model of models) {
    const last = model.timeline.generationTokensPerS.at(-1)?.[1];
    if (last !== undefined && last > 0) out[model.service] = last;
  }
  return out;
}
