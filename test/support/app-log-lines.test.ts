import { describe, expect, it } from 'vitest';
import { TRAY_READY_LINE } from './app-log-lines.js';

describe("the smoke test's tray-ready line", () => {
  it('matches the line the tray app writes, and no other line that happens to say failed or healthy', () => {
    expect('2026-11-28T01:00:00.000Z info tray ready (healthy)').toMatch(TRAY_READY_LINE);
    expect('2026-11-28T01:00:00.000Z info tray ready (stopped)\n').toMatch(TRAY_READY_LINE);
    for (const other of [
      '2026-11-28T01:00:00.000Z error litellm failed to start',
      '2026-11-28T01:00:00.000Z info stack healthy',
      '2026-11-28T01:00:00.000Z info tray ready (stopped',
      'info tray ready (sideways)',
    ]) {
      expect(other).not.toMatch(TRAY_READY_LINE);
    }
  });
});
