/** Whether Berth starts at login, as the OS sees it, with what the user must still do (if anything). */
export interface LoginItemState {
  enabled: boolean;
  /** Set when the OS holds the item back, e.g. macOS waiting for approval in System Settings. */
  note?: string;
}

/** One strategy per OS (as Podman Desktop does): the shell picks one and the rest of the app never asks which. */
export interface LoginItemStrategy {
  get(): Promise<LoginItemState>;
  set(enabled: boolean): Promise<LoginItemState>;
  /** This launch was made by the OS at login, so the app starts hidden in the tray. */
  launchedAtLogin(argv: readonly string[]): boolean;
}

/** The flag the Linux autostart entry passes; macOS says so through getLoginItemSettings(). */
export const HIDDEN_FLAG = '--hidden';

export class UnsupportedLoginItem implements LoginItemStrategy {
  constructor(private readonly why: string) {}
  async get(): Promise<LoginItemState> {
    return { enabled: false, note: this.why };
  }
  async set(): Promise<LoginItemState> {
    return this.get();
  }
  launchedAtLogin(argv: readonly string[]): boolean {
    return argv.includes(HIDDEN_FLAG);
  }
}
