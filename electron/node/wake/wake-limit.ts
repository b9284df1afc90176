/**
 * How often one model may wake: at most `wakes` in any `windowMs`. A client that alternates between two models that
 * do not fit together would otherwise make them swap for as long as it likes; past the limit a request is answered
 * 429 with when to ask again, and the model that is awake stays awake.
 */
export class WakeLimit {
  private readonly started = new Map<string, number[]>();

  constructor(
    private readonly wakes: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a wake of `service` now, or says why it may not wake and in how many seconds it may. */
  take(service: string): { message: string; retryAfterS: number } | undefined {
    const now = this.now();
    const recent = (this.started.get(service) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.wakes) {
      this.started.set(service, recent);
      const retryAfterS = Math.max(1, Math.ceil(((recent[0] ?? now) + this.windowMs - now) / 1000));
      return {
        message:
          `woke ${recent.length} times in the last ${Math.round(this.windowMs / 60_000)} min, the most Berth allows: ` +
          `ask again in ${retryAfterS} s, or keep it awake (its keep-alive in Settings)`,
        retryAfterS,
      };
    }
    recent.push(now);
    this.started.set(service, recent);
    return undefined;
  }
}
