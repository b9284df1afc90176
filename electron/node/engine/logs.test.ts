import { describe, expect, it } from 'vitest';
import { LogRing } from './logs.js';

describe('the log ring buffer', () => {
  it('keeps the newest lines up to its line cap', () => {
    const ring = new LogRing(3, 1024);
    for (let i = 0; i < 10; i++) ring.push({ stream: 'stdout', text: `line ${i}` });
    expect(ring.lines().map((l) => l.text)).toEqual(['line 7', 'line 8', 'line 9']);
  });

  it('holds its byte cap however long the lines are', () => {
    const ring = new LogRing(1_000_000, 10_000);
    for (let i = 0; i < 100_000; i++) ring.push({ stream: 'stderr', text: `${i} ${'x'.repeat(i % 300)}` });
    expect(ring.byteSize).toBeLessThanOrEqual(10_000);
    expect(ring.lines().at(-1)?.text.startsWith('99999 ')).toBe(true);
  });
});
