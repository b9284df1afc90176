import { describe, expect, it } from 'vitest';
import type { KeepAlive } from '../../common/planner/on-demand.js';
import { Waker, type SleepingModel } from './waker.js';

const GiB = 2 ** 30;

/** A model that records its sleeps and wakes in one shared log. */
function fake(log: string[], service: string, gib: number, awake: boolean, keepAlive: KeepAlive = 5): SleepingModel {
  let up = awake;
  return {
    upstream: `http://127.0.0.1/${service}`,
    memoryBytes: gib * GiB,
    keepAlive,
    awake: () => up,
    sleep: async () => {
      log.push(`sleep ${service}`);
      up = false;
    },
    wake: async () => {
      log.push(`wake ${service}`);
      up = true;
    },
  };
}

function waker(models: SleepingModel[], names: string[], budgetGiB: number, busy: Record<string, number> = {}) {
  let clock = 0;
  const w = new Waker(
    new Map(models.map((m, i) => [names[i] as string, m])),
    budgetGiB * GiB,
    { count: (s) => busy[s] ?? 0 },
    () => clock,
  );
  return { w, tick: (ms: number) => (clock += ms) };
}

describe('making room for a wake', () => {
  it('puts the least recently used idle model to sleep before waking one that does not fit beside it', async () => {
    const log: string[] = [];
    const { w, tick } = waker(
      [fake(log, 'qwen', 3, true), fake(log, 'llama', 3, true), fake(log, 'coder', 3, false)],
      ['qwen', 'llama', 'coder'],
      7,
    );
    w.used('llama');
    tick(1000);
    w.used('qwen');
    await w.target('coder')?.wake();
    // 3 + 3 awake, 3 more in 7 GiB: one must sleep, the one used longest ago (llama).
    expect(log).toEqual(['sleep llama', 'wake coder']);
  });

  it('never puts a model answering a request to sleep: the older one in use stays, the idle one goes', async () => {
    const log: string[] = [];
    const { w, tick } = waker(
      [fake(log, 'qwen', 3, true), fake(log, 'llama', 3, true), fake(log, 'coder', 3, false)],
      ['qwen', 'llama', 'coder'],
      7,
      { llama: 1 },
    );
    w.used('llama');
    tick(1000);
    w.used('qwen');
    await w.wake('coder');
    expect(log).toEqual(['sleep qwen', 'wake coder']);
  });

  it('says why when the memory is held by models in use, and wakes nothing', async () => {
    const log: string[] = [];
    const { w } = waker(
      [fake(log, 'qwen', 3, true), fake(log, 'llama', 3, true), fake(log, 'coder', 3, false)],
      ['qwen', 'llama', 'coder'],
      7,
      { qwen: 1, llama: 2 },
    );
    await expect(w.wake('coder')).rejects.toThrow(
      'its memory is held by qwen and llama, answering requests or kept awake: ask again when done, or stop one',
    );
    expect(log).toEqual([]);
  });

  it('says a model larger than what the engine leaves models can never wake', async () => {
    const log: string[] = [];
    const { w } = waker([fake(log, 'big', 9, false)], ['big'], 7);
    await expect(w.wake('big')).rejects.toThrow('it needs 9 GiB, more than the 7 GiB the engine leaves models');
  });

  it('puts models to sleep once idle past their keep-alive, and not one set to always', async () => {
    const log: string[] = [];
    const { w, tick } = waker(
      [fake(log, 'qwen', 3, true, 5), fake(log, 'llama', 3, true, 'always')],
      ['qwen', 'llama'],
      7,
    );
    w.used('qwen');
    w.used('llama');
    tick(4 * 60_000);
    expect(await w.sleepIdle()).toEqual([]);
    tick(2 * 60_000);
    expect(await w.sleepIdle()).toEqual(['qwen']);
    expect(log).toEqual(['sleep qwen']);
  });
});

describe('when memory is short (the Mac’s pressure guard)', () => {
  it('puts the least recently used idle model to sleep, never one answering a request or kept awake', async () => {
    const log: string[] = [];
    const { w, tick } = waker(
      [fake(log, 'qwen', 3, true), fake(log, 'llama', 3, true), fake(log, 'coder', 3, true, 'always')],
      ['qwen', 'llama', 'coder'],
      12,
      { qwen: 1 },
    );
    w.used('qwen');
    tick(1000);
    w.used('llama');
    // qwen was used longest ago but answers a request; coder is kept awake: llama sleeps.
    expect(await w.sleepLeastRecentlyUsed()).toBe('llama');
    expect(await w.sleepLeastRecentlyUsed()).toBeUndefined();
    expect(log).toEqual(['sleep llama']);
  });
});
