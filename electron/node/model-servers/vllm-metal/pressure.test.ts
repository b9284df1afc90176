import { describe, expect, it } from 'vitest';
import { PressureGuard, type PressureLevel } from './pressure.js';

function guard(levels: (PressureLevel | undefined)[], asleep: (string | undefined)[] = ['vllm-llama3']) {
  const said: string[] = [];
  const relieved: string[] = [];
  const g = new PressureGuard({
    read: async () => levels.shift(),
    relieve: async () => {
      const next = asleep.shift();
      if (next) relieved.push(next);
      return next;
    },
    say: (message) => said.push(message),
  });
  return { g, said, relieved };
}

describe("the Mac's memory guard", () => {
  it('puts the least recently used idle model to sleep once each time pressure turns critical, and says so', async () => {
    const { g, said, relieved } = guard(
      ['normal', 'critical', 'critical', 'warn', 'critical'],
      ['vllm-llama3', 'vllm-qwen3'],
    );
    for (let i = 0; i < 5; i++) await g.check();
    expect(relieved).toEqual(['vllm-llama3', 'vllm-qwen3']);
    expect(said).toHaveLength(2);
    expect(said[0]).toBe(
      'macOS says memory pressure is critical while models run on its GPU: vllm-llama3 is asleep now, its memory ' +
        'freed (it wakes on its next request)',
    );
  });

  it('says what to do when no idle model could sleep, and nothing while the level cannot be read', async () => {
    const { g, said } = guard([undefined, 'critical'], [undefined]);
    await g.check();
    expect(said).toEqual([]);
    await g.check();
    expect(said[0]).toContain('no idle model could be put to sleep: stop a model');
  });
});
