import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

describe('the serial queue', () => {
  it('runs tasks one at a time in the order asked, and a failure reaches its caller only', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) =>
      queue.run(async () => {
        log.push(`${name} start`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`${name} end`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const results = await Promise.allSettled([task('a', 30), task('b', 10, true), task('c', 0)]);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'a',
      'b failed',
      'c',
    ]);
  });
});
