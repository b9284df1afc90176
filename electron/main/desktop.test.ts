import { describe, expect, it } from 'vitest';
import { cliArguments, desktopHasTray } from './desktop.js';

describe('desktops', () => {
  it('without a tray (plain GNOME) get the window with the same actions instead', () => {
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(false);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' })).toBe(true);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'KDE' })).toBe(true);
    expect(desktopHasTray('darwin', {})).toBe(true);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'GNOME', BERTH_TRAY: '1' })).toBe(true);
  });
});

describe('the CLI inside the app', () => {
  it('takes the arguments after --cli', () => {
    expect(cliArguments(['/Applications/Berth.app/Contents/MacOS/Berth', '--cli', 'status', '--json'])).toEqual([
      'status',
      '--json',
    ]);
    expect(cliArguments(['/opt/Berth.AppImage', '--hidden'])).toBeUndefined();
  });
});
