import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, shell } from 'electron';
import { planStack } from '../common/planner/plan.js';
import { probeHostFacts } from '../node/probe/facts.js';
import { planContext } from '../node/cli/context.js';
import { mainWindowOptions } from './window-options.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '..', '..', 'renderer', 'index.html');

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(path.join(here, 'preload.cjs')));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  void window.loadFile(rendererIndex);
  return window;
}

ipcMain.handle('berth:overview', async (event) => {
  if (!event.senderFrame?.url.startsWith('file://')) throw new Error('refused: not the Berth window');
  try {
    const [context, facts] = await Promise.all([planContext({}), probeHostFacts()]);
    return { facts, plan: planStack(facts, context.settings, context.profile ? { profile: context.profile } : {}) };
  } catch (error) {
    return { error: (error as Error).message };
  }
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.show());
  void app.whenReady().then(() => {
    createWindow();
    app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
  });
  app.on('window-all-closed', () => process.platform !== 'darwin' && app.quit());
}
