// The main process's composition root: Electron's real objects handed to the tray app (tray-app.ts), or to the
// CLI when the packaged app is run as `berth` (`Berth --cli …`). The backend runs in-process (docs/decisions/0006).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, safeStorage, session, shell, Tray } from 'electron';
import ElectronStore from 'electron-store';
import electronUpdater from 'electron-updater';
import { runCli } from '../node/cli/main.js';
import { berthHome } from '../node/settings/paths.js';
import type { SettingsFile, SettingsFileFactory } from '../node/settings/store.js';
import { cliArguments } from './desktop.js';
import { chooseSecretCipher } from './secret-cipher.js';
import { runTrayApp } from './tray-app.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const openSettings: SettingsFileFactory = (options) => new ElectronStore(options) as unknown as SettingsFile;

async function runCliInApp(args: string[]): Promise<void> {
  app.dock?.hide();
  await app.whenReady();
  const { cipher } = chooseSecretCipher(safeStorage, process.platform);
  app.exit(await runCli(args, undefined, { cipher }));
}

const cliArgs = cliArguments(process.argv);
if (cliArgs) {
  void runCliInApp(cliArgs);
} else if (!app.requestSingleInstanceLock()) {
  // A second launch shows the first one's window (its 'second-instance' event) and leaves.
  app.quit();
} else {
  void runTrayApp(
    {
      app,
      BrowserWindow,
      dialog,
      ipcMain,
      Menu,
      Notification,
      safeStorage,
      session,
      shell,
      Tray,
      updater: app.isPackaged ? electronUpdater.autoUpdater : undefined,
    },
    {
      home: berthHome(),
      env: process.env,
      platform: process.platform,
      argv: process.argv,
      resources: app.isPackaged ? process.resourcesPath : path.join(here, '..', '..', '..', 'resources'),
      rendererIndex: path.join(here, '..', '..', 'renderer', 'index.html'),
      preload: path.join(here, 'preload.cjs'),
      openSettings,
    },
  );
}
