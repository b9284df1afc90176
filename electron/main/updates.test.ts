import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { UPDATE_CHECK_INTERVAL_MS, UpdateController, type Updater } from './updates.js';

class UpdaterDouble extends EventEmitter implements Updater {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  installs = 0;
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    return null;
  }
  quitAndInstall(): void {
    this.installs++;
  }
}

function controller(answer: boolean) {
  const updater = new UpdaterDouble();
  const timers: { fn: () => void; ms: number }[] = [];
  const ready: string[] = [];
  const asked: string[] = [];
  const control = new UpdateController({
    updater,
    askToRestart: async (version) => (asked.push(version), answer),
    onReady: (version) => ready.push(version),
    log: () => undefined,
    setInterval: (fn, ms) => (timers.push({ fn, ms }), 1 as unknown as ReturnType<typeof setInterval>),
    clearInterval: () => timers.splice(0),
  });
  return { updater, timers, ready, asked, control };
}

describe('updates', () => {
  it('are checked at start and daily, and downloaded in the background', () => {
    const { updater, timers, control } = controller(false);
    expect(updater.autoDownload).toBe(true);
    control.setEnabled(true);
    expect(updater.checks).toBe(1);
    expect(timers).toEqual([{ fn: expect.any(Function), ms: UPDATE_CHECK_INTERVAL_MS }]);
    timers[0]?.fn();
    expect(updater.checks).toBe(2);
  });

  it('ask before restarting, and a "later" leaves the update for the tray or the next quit', async () => {
    const { updater, ready, asked, control } = controller(false);
    updater.emit('update-downloaded', { version: '0.3.0' });
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual(['0.3.0']);
    expect(ready).toEqual(['0.3.0']);
    expect(updater.installs).toBe(0);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    control.installNow();
    expect(updater.installs).toBe(1);
  });

  it('restart at once when the user says so', async () => {
    const { updater } = controller(true);
    updater.emit('update-downloaded', { version: '0.3.0' });
    await new Promise((r) => setImmediate(r));
    expect(updater.installs).toBe(1);
  });

  it('can be turned off: no check and no timer', () => {
    const { updater, timers, control } = controller(false);
    control.setEnabled(true);
    control.setEnabled(false);
    expect(timers).toEqual([]);
    control.setEnabled(false);
    expect(updater.checks).toBe(1);
  });
});
