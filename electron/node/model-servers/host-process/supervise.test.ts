import { describe, expect, it } from 'vitest';
import { restartDelayMs } from './supervise.js';

describe('restarts of a model server on the host', () => {
  it('wait 1 s, doubling to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(restartDelayMs)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });
});
