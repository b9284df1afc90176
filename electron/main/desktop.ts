/**
 * Whether this desktop shows tray icons. GNOME shows none without an extension, so there Berth keeps a window
 * with the same actions in its menu bar, and closing it quits (doing what the user chose for quitting).
 */
export function desktopHasTray(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (env.BERTH_TRAY === '1') return true;
  if (env.BERTH_TRAY === '0') return false;
  if (platform !== 'linux') return true;
  const desktops = (env.XDG_CURRENT_DESKTOP ?? '').toLowerCase().split(':');
  return !desktops.includes('gnome') || desktops.includes('ubuntu');
}

/** `Berth --cli status`: the packaged app runs the `berth` CLI itself, with the app's keychain for secrets. */
export function cliArguments(argv: readonly string[]): string[] | undefined {
  const at = argv.indexOf('--cli');
  return at === -1 ? undefined : argv.slice(at + 1);
}
