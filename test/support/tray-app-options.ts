import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LinuxAutostart } from '../../electron/main/login-item/linux.js';
import type { TrayAppOptions } from '../../electron/main/tray-app.js';
import { repoRoot } from './repo-root.js';

export const RENDERER_INDEX = path.join(repoRoot(), 'dist', 'renderer', 'index.html');

/** The tray app as an AppImage on Linux would run it, with the built renderer and an autostart folder of its own. */
export async function linuxTrayApp(options: {
  home: string;
  env: NodeJS.ProcessEnv;
  argv?: string[];
  configHome?: string;
}): Promise<TrayAppOptions> {
  const configHome = options.configHome ?? (await mkdtemp(path.join(os.tmpdir(), 'berth-xdg-')));
  return {
    home: options.home,
    env: options.env,
    platform: 'linux',
    argv: ['/opt/Berth.AppImage', ...(options.argv ?? [])],
    resources: path.join(repoRoot(), 'resources'),
    rendererIndex: RENDERER_INDEX,
    preload: '/app/preload.cjs',
    loginItem: new LinuxAutostart({ configHome, appImagePath: '/opt/Berth.AppImage' }),
  };
}
