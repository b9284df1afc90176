import { describe, expect, it } from 'vitest';
import { allFitTogether, idleTooLong, roomFor, type AwakeModel } from './on-demand.js';

const GiB = 2 ** 30;
const model = (service: string, gib: number, lastUsedAt: number, inFlight = 0): AwakeModel => ({
  service,
  memoryBytes: gib * GiB,
  lastUsedAt,
  inFlight,
});

describe('room for a model that wakes', () => {
  // An 8 GiB Docker Desktop VM: 8 GiB less 2.5 GiB for litellm, Open WebUI, Prometheus, Grafana and the engine.
  const budget = 5.5 * GiB;

  it('puts nothing to sleep when it fits beside the models awake', () => {
    expect(roomFor({ service: 'b', memoryBytes: 2 * GiB }, [model('a', 3, 100)], budget)).toEqual({
      fits: true,
      sleep: [],
    });
  });

  it('puts the least recently used idle model to sleep first, and only as many as needed', () => {
    // 2 + 2 + 1 = 5 GiB awake; 3 GiB more needs 2.5 GiB freed: the oldest (c, used at 10) frees 2, then a (at 20) 2.
    const awake = [model('a', 2, 20), model('b', 1, 30), model('c', 2, 10)];
    expect(roomFor({ service: 'd', memoryBytes: 3 * GiB }, awake, budget)).toEqual({ fits: true, sleep: ['c', 'a'] });
  });

  it('never puts a model with requests in flight to sleep, even the least recently used one', () => {
    const awake = [model('a', 3, 10, 1), model('b', 2, 20)];
    expect(roomFor({ service: 'c', memoryBytes: 2.5 * GiB }, awake, budget)).toEqual({ fits: true, sleep: ['b'] });
  });

  it('waits when the models in use hold the memory it needs', () => {
    const awake = [model('a', 3, 10, 2), model('b', 2, 20, 1)];
    expect(roomFor({ service: 'c', memoryBytes: 2 * GiB }, awake, budget)).toEqual({
      fits: false,
      why: 'busy',
      busy: ['a', 'b'],
    });
  });

  it('says a model larger than the whole budget can never fit', () => {
    expect(roomFor({ service: 'big', memoryBytes: 6 * GiB }, [], budget)).toEqual({
      fits: false,
      why: 'never',
      needBytes: 6 * GiB,
      budgetBytes: budget,
    });
  });

  it('does not count the waking model against itself when it is listed as awake', () => {
    expect(roomFor({ service: 'a', memoryBytes: 5 * GiB }, [model('a', 5, 1)], budget)).toEqual({
      fits: true,
      sleep: [],
    });
  });

  it('tells when a set of models can all be awake at once', () => {
    expect(allFitTogether([{ memoryBytes: 3 * GiB }, { memoryBytes: 2.5 * GiB }], budget)).toBe(true);
    expect(allFitTogether([{ memoryBytes: 3 * GiB }, { memoryBytes: 2.6 * GiB }], budget)).toBe(false);
  });
});

describe('keep-alive', () => {
  const minute = 60_000;
  const now = 100 * minute;

  it('puts to sleep the models idle for longer than their keep-alive, never one set to always or in use', () => {
    const awake = [
      { ...model('a', 3, now - 6 * minute), keepAlive: 5 }, // idle 6 min, keep 5: sleeps
      { ...model('b', 2, now - 4 * minute), keepAlive: 5 }, // idle 4 min: stays
      { ...model('c', 2, now - 60 * minute), keepAlive: 'always' as const }, // always: stays
      { ...model('d', 2, now - 60 * minute, 1), keepAlive: 1 }, // answering a request: stays
      { ...model('e', 1, now - 5 * minute), keepAlive: 5 }, // exactly its keep-alive: stays until it has passed
    ];
    expect(idleTooLong(awake, now)).toEqual(['a']);
  });
});
