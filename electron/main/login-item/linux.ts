import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HIDDEN_FLAG, type LoginItemState, type LoginItemStrategy } from './login-item.js';

/** Quotes a path for a desktop entry's Exec key (the spec's reserved characters are escaped). */
function execQuoted(file: string): string {
  return `"${file.replace(/([\\"`$])/g, '\\$1')}"`;
}

export function autostartEntry(appImagePath: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Berth',
    'Comment=Your own LLM stack, in the tray',
    `Exec=${execQuoted(appImagePath)} ${HIDDEN_FLAG}`,
    'Icon=berth',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * An XDG autostart entry (~/.config/autostart/berth.desktop) naming the AppImage, which is where the user
 * keeps it; without an AppImage (a development run) there is nothing stable to start, and it says so.
 */
export class LinuxAutostart implements LoginItemStrategy {
  private readonly file: string;

  constructor(private readonly options: { configHome: string; appImagePath: string | undefined }) {
    this.file = path.join(options.configHome, 'autostart', 'berth.desktop');
  }

  async get(): Promise<LoginItemState> {
    if (!this.options.appImagePath) return { enabled: false, note: 'Start at login needs the AppImage build of Berth' };
    const text = await readFile(this.file, 'utf8').catch(() => undefined);
    if (text === undefined) return { enabled: false };
    const enabled = !/^Hidden=true$/m.test(text) && !/^X-GNOME-Autostart-enabled=false$/m.test(text);
    const current = text.includes(execQuoted(this.options.appImagePath));
    return {
      enabled,
      note:
        enabled && !current
          ? 'The autostart entry names another copy of Berth; turn it off and on to use this one'
          : undefined,
    };
  }

  async set(enabled: boolean): Promise<LoginItemState> {
    if (!this.options.appImagePath) return this.get();
    if (enabled) {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(this.file, autostartEntry(this.options.appImagePath));
    } else {
      await rm(this.file, { force: true });
    }
    return this.get();
  }

  launchedAtLogin(argv: readonly string[]): boolean {
    return argv.includes(HIDDEN_FLAG);
  }
}
