import os from 'node:os';
import path from 'node:path';
import { LinuxAutostart } from './linux.js';
import { UnsupportedLoginItem, type LoginItemStrategy } from './login-item.js';
import { MacLoginItem, type MacLoginApp } from './macos.js';

export function loginItemFor(
  platform: NodeJS.Platform,
  app: MacLoginApp,
  env: NodeJS.ProcessEnv,
  home = os.homedir(),
): LoginItemStrategy {
  if (platform === 'darwin') return new MacLoginItem(app);
  if (platform === 'linux')
    return new LinuxAutostart({
      configHome: env.XDG_CONFIG_HOME ?? path.join(home, '.config'),
      appImagePath: env.APPIMAGE,
    });
  return new UnsupportedLoginItem('Start at login is available on macOS and Linux');
}

/**
 * At launch: the setting is the user's choice, but the OS has the last word. An item the user removed in the
 * OS's own settings is an opt-out, remembered so Berth never turns it back on; an item that is off stays off.
 */
export async function reconcileLoginItem(
  strategy: LoginItemStrategy,
  wanted: boolean,
): Promise<{ wanted: boolean; state: Awaited<ReturnType<LoginItemStrategy['get']>> }> {
  const state = await strategy.get();
  if (wanted && !state.enabled && !state.note) return { wanted: false, state };
  return { wanted, state };
}
