import os from 'node:os';
import path from 'node:path';

/** BERTH_HOME, or the platform's app-data folder, where Electron keeps the app's userData too. */
export function berthHome(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = os.homedir(),
): string {
  if (env.BERTH_HOME) return path.resolve(env.BERTH_HOME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Berth');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Berth');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Berth');
}

export function settingsPath(home: string): string {
  return path.join(home, 'settings.json');
}
