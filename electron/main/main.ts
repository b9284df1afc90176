import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, shell } from 'electron';
import { Backend } from '../node/api/backend.js';
import { dispatch } from '../node/api/dispatch.js';
import { berthHome } from '../node/settings/paths.js';
import { mainWindowOptions } from './window-options.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '..', '..', 'renderer', 'index.html');
const backend = new Backend({ home: berthHome(), env: process.env });

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(path.join(here, 'preload.cjs')));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://') || /^http:\/\/127\.0\.0\.1:\d+\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const off = backend.onEvent((event) => window.webContents.send('berth:event', event));
  window.on('closed', off);
  window.once('ready-to-show', () => window.show());
  void window.loadFile(rendererIndex);
  return window;
}

ipcMain.handle('berth:call', async (event, method: unknown, args: unknown) => {
  // Only Berth's own page, loaded from the app's files, may call the backend.
  if (!event.senderFrame?.url.startsWith('file://')) return { ok: false, error: { message: 'refused: not the Berth window' } };
  return dispatch(backend, method, args);
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.show());
  void app.whenReady().then(async () => {
    createWindow();
    await backend.start();
    app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
  });
  app.on('window-all-closed', () => process.platform !== 'darwin' && app.quit());
  app.on('before-quit', () => void backend.close());
}
