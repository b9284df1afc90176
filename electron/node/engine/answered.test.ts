import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answeredSince, passedBefore, readAnsweredSync, recordAnswered, recordPassed } from './answered.js';

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

  it('keeps a health check that passed per image and check: another image, or the check changed, runs it again', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-checked-'));
    const check = ['CMD', 'python3', '-c', "urlopen('http://localhost:8000/health')"];
    expect(await passedBefore(home, 'sha256:aaa', check)).toBe(false);
    await Promise.all([
      recordPassed(home, 'sha256:aaa', check, new Date('2026-12-03T10:00:00Z')),
      recordAnswered(home, 'a', 'id1', '2026-12-03T10:00:00.000000000Z'),
    ]);
    expect(await passedBefore(home, 'sha256:aaa', check)).toBe(true);
    expect(await passedBefore(home, 'sha256:bbb', check)).toBe(false);
    expect(
      await passedBefore(home, 'sha256:aaa', [...check.slice(0, 3), "urlopen('http://localhost:8001/health')"]),
    ).toBe(false);
    // Two stores: a check's pass is not a start of a container, nor the other way round.
    expect(Object.keys(readAnsweredSync(home, 'a'))).toEqual(['id1']);
    // Not even for a stack named "checks", a name the settings allow.
    await recordAnswered(home, 'checks', 'id2', '2026-12-03T10:00:01.000000000Z');
    expect(Object.keys(readAnsweredSync(home, 'checks'))).toEqual(['id2']);
    expect(await passedBefore(home, 'sha256:aaa', check)).toBe(true);
  });
});
