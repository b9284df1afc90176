import type { LoginItemState, LoginItemStrategy } from './login-item.js';

/** The part of Electron's `app` the macOS login item needs. */
export interface MacLoginApp {
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin?: boolean; status?: string };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

const APPROVAL_NOTE = 'Allow Berth in System Settings › General › Login Items';
const NOT_FOUND_NOTE = 'macOS cannot find Berth’s login item; move Berth to Applications and try again';

/** Electron's login item, which is SMAppService on macOS 13 and later and may wait for the user's approval. */
export class MacLoginItem implements LoginItemStrategy {
  constructor(private readonly app: MacLoginApp) {}

  async get(): Promise<LoginItemState> {
    const settings = this.app.getLoginItemSettings();
    if (settings.status === 'requires-approval') return { enabled: true, note: APPROVAL_NOTE };
    if (settings.status === 'not-found') return { enabled: false, note: NOT_FOUND_NOTE };
    return { enabled: settings.status ? settings.status === 'enabled' : settings.openAtLogin };
  }

  async set(enabled: boolean): Promise<LoginItemState> {
    this.app.setLoginItemSettings({ openAtLogin: enabled });
    return this.get();
  }

  launchedAtLogin(): boolean {
    return this.app.getLoginItemSettings().wasOpenedAtLogin === true;
  }
}
