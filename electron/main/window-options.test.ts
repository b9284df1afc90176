import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { createMainWindow } from './window-options.js';

/** Stands in for Electron's BrowserWindow: keeps the options it was built with. */
class WindowDouble {
  constructor(readonly options: BrowserWindowConstructorOptions) {}
}

describe('the main window', () => {
  it("runs the renderer sandboxed, isolated and without Node (Electron's security checklist)", () => {
    expect(createMainWindow(WindowDouble, '/app/preload.cjs').options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });

  it('stays hidden until its first paint, so no blank window flashes', () => {
    expect(createMainWindow(WindowDouble, '/app/preload.cjs').options.show).toBe(false);
  });
});
