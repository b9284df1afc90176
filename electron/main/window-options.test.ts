import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from './window-options.js';

describe('the main window', () => {
  it("runs the renderer sandboxed, isolated and without Node (Electron's security checklist)", () => {
    expect(mainWindowOptions('/app/preload.cjs').webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });

  it('stays hidden until its first paint, so no blank window flashes', () => {
    expect(mainWindowOptions('/app/preload.cjs').show).toBe(false);
  });
});
