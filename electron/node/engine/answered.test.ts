import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answeredSince, readAnsweredSync, recordAnswered } from './answered.js';

describe('the starts up saw answer', () => {
  it('keeps every one of many written at once, per stack, and trusts only that start of the container', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-answered-'));
    const at = '2026-12-03T10:00:00.000000000Z';
    await Promise.all(Array.from({ length: 12 }, (_, i) => recordAnswered(home, 'a', `id${i}`, at)));
    await recordAnswered(home, 'b', 'other', at);
    const answered = readAnsweredSync(home, 'a');
    expect(Object.keys(answered).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `id${i}`).sort());
    expect(answeredSince(answered, 'id3', at)).toBe(true);
    // A restart is another StartedAt: not trusted until it answers again.
    expect(answeredSince(answered, 'id3', '2026-12-03T10:05:00.000000000Z')).toBe(false);
    expect(answeredSince(answered, 'other', at)).toBe(false);
    expect(readAnsweredSync(home, 'none')).toEqual({});
  });
});
