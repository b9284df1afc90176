import { describe, expect, it } from 'vitest';
import { currentRates, TokensPerSecondPoller } from './metrics-poller.js';

function poller() {
  const timers = new Set<() => void>();
  let reads = 0;
  const shown: Record<string, number>[] = [];
  const poll = new TokensPerSecondPoller({
    read: async () => (reads++, { 'vllm-qwen3': 21.5 }),
    onRates: (rates) => shown.push(rates),
    intervalMs: 5000,
    setInterval: (fn) => (timers.add(fn), fn as unknown as ReturnType<typeof setInterval>),
    clearInterval: (t) => timers.delete(t as unknown as () => void),
  });
  return { poll, timers, shown, reads: () => reads };
}

describe("the tray's tokens per second", () => {
  it('are read only while the window or the menu is open', async () => {
    const { poll, timers, shown, reads } = poller();
    expect(poll.polling).toBe(false);
    poll.watch('menu', true);
    expect(poll.polling).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(shown).toEqual([{ 'vllm-qwen3': 21.5 }]);
    poll.watch('window', true);
    poll.watch('menu', false);
    expect(poll.polling).toBe(true);
    poll.watch('window', false);
    expect(poll.polling).toBe(false);
    expect(timers.size).toBe(0);
    expect(reads()).toBe(1);
    expect(shown.at(-1)).toEqual({});
  });

  it("take each generating model's latest rate and leave idle ones out", () => {
    expect(
      currentRates([
        {
          service: 'a',
          timeline: {
            generationTokensPerS: [
              [100, 3],
              [105, 12.5],
            ],
          },
        },
        {
          service: 'b',
          timeline: {
            generationTokensPerS: [
              [100, 4],
              [105, 0],
            ],
          },
        },
        { service: 'c', timeline: { generationTokensPerS: [] } },
      ]),
    ).toEqual({ a: 12.5 });
  });
});
