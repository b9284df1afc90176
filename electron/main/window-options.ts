import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';

/**
 * The main window: sandboxed renderer, no Node, isolated context, no middle-click windows (Electron's
 * security checklist). The options are written out at the constructor call so Electronegativity can read them.
 */
export function createMainWindow<W = BrowserWindow>(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W,
  preload: string,
  icon?: string,
): W {
  return new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Berth',
    ...(icon ? { icon } : {}),
    webPreferences: {
      preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
}
