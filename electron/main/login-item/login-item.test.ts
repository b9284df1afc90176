import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginItemFor, reconcileLoginItem } from './choose.js';
import { LinuxAutostart } from './linux.js';
import { MacLoginItem, type MacLoginApp } from './macos.js';

/** Electron's `app` as far as login items go, holding what macOS would. */
function macApp(status: string | undefined, wasOpenedAtLogin = false): MacLoginApp & { calls: boolean[] } {
  const calls: boolean[] = [];
  return {
    calls,
    getLoginItemSettings: () => ({ openAtLogin: status === 'enabled', status, wasOpenedAtLogin }),
    setLoginItemSettings: ({ openAtLogin }) => {
      calls.push(openAtLogin);
      status = openAtLogin ? 'enabled' : 'not-registered';
    },
  };
}

describe('start at login on macOS', () => {
  it("uses Electron's login item and reports the state macOS gives back", async () => {
    const app = macApp('not-registered');
    const item = new MacLoginItem(app);
    expect(await item.get()).toEqual({ enabled: false });
    expect(await item.set(true)).toEqual({ enabled: true });
    expect(app.calls).toEqual([true]);
    expect(await item.set(false)).toEqual({ enabled: false });
  });

  it('tells the user when macOS waits for approval in System Settings', async () => {
    expect(await new MacLoginItem(macApp('requires-approval')).get()).toEqual({
      enabled: true,
      note: 'Allow Berth in System Settings › General › Login Items',
    });
  });

  it('knows a launch made at login, so the app starts hidden in the tray', () => {
    expect(new MacLoginItem(macApp('enabled', true)).launchedAtLogin()).toBe(true);
    expect(new MacLoginItem(macApp('enabled', false)).launchedAtLogin()).toBe(false);
  });
});

describe('start at login on Linux', () => {
  it('writes an XDG autostart entry holding the AppImage path, and removes it when turned off', async () => {
    const configHome = await mkdtemp(path.join(os.tmpdir(), 'berth-xdg-'));
    const item = new LinuxAutostart({ configHome, appImagePath: '/home/me/Apps/Berth 0.2.0.AppImage' });
    expect(await item.get()).toEqual({ enabled: false });
    expect(await item.set(true)).toEqual({ enabled: true, note: undefined });
    const entry = await readFile(path.join(configHome, 'autostart', 'berth.desktop'), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/home/me/Apps/Berth 0.2.0.AppImage" --hidden');
    expect(await item.set(false)).toEqual({ enabled: false });
    await expect(readFile(path.join(configHome, 'autostart', 'berth.desktop'))).rejects.toThrow();
    expect(item.launchedAtLogin(['/app', '--hidden'])).toBe(true);
    expect(item.launchedAtLogin(['/app'])).toBe(false);
  });

  it('says why it cannot without an AppImage, instead of pointing autostart at a development build', async () => {
    const configHome = await mkdtemp(path.join(os.tmpdir(), 'berth-xdg-'));
    const item = loginItemFor('linux', macApp(undefined), { XDG_CONFIG_HOME: configHome });
    expect(await item.set(true)).toEqual({ enabled: false, note: 'Start at login needs the AppImage build of Berth' });
  });

  it('honours an entry the desktop disabled', async () => {
    const configHome = await mkdtemp(path.join(os.tmpdir(), 'berth-xdg-'));
    const item = new LinuxAutostart({ configHome, appImagePath: '/opt/Berth.AppImage' });
    await item.set(true);
    const file = path.join(configHome, 'autostart', 'berth.desktop');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'),
    );
    expect((await item.get()).enabled).toBe(false);
    await rm(configHome, { recursive: true });
  });
});

describe('the start-at-login choice', () => {
  it('is off by default and an item removed in the OS settings is remembered as an opt-out', async () => {
    const app = macApp('not-registered');
    const item = new MacLoginItem(app);
    expect(await reconcileLoginItem(item, false)).toMatchObject({ wanted: false });
    // The user had it on, then removed Berth from Login Items in System Settings.
    expect(await reconcileLoginItem(item, true)).toMatchObject({ wanted: false });
    expect(app.calls).toEqual([]);
  });

  it('stays on while the OS waits for approval', async () => {
    expect(await reconcileLoginItem(new MacLoginItem(macApp('requires-approval')), true)).toMatchObject({
      wanted: true,
      state: { enabled: true },
    });
  });
});
