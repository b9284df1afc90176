/** The part of electron-updater's autoUpdater Berth uses. */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export const UPDATE_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Checks at start and daily, downloads in the background, and asks before restarting; off when the user
 * turned updates off. The timer is the only one in the app, and it runs once a day.
 */
export class UpdateController {
  private timer: ReturnType<typeof setInterval> | undefined;
  private ready: string | undefined;

  constructor(
    private readonly deps: {
      updater: Updater;
      /** Asks the user; true restarts now. */
      askToRestart: (version: string) => Promise<boolean>;
      onReady: (version: string) => void;
      log: (message: string) => void;
      setInterval?: (fn: () => void, ms: number) => ReturnType<typeof setInterval>;
      clearInterval?: (timer: ReturnType<typeof setInterval>) => void;
    },
  ) {
    deps.updater.autoDownload = true;
    deps.updater.autoInstallOnAppQuit = true;
    deps.updater.on('update-downloaded', (info) => void this.downloaded(info.version));
    deps.updater.on('error', (error) => deps.log(`update check failed: ${error.message}`));
  }

  get readyVersion(): string | undefined {
    return this.ready;
  }

  setEnabled(enabled: boolean): void {
    if (!enabled) {
      if (this.timer) (this.deps.clearInterval ?? clearInterval)(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    this.check();
    this.timer = (this.deps.setInterval ?? setInterval)(() => this.check(), UPDATE_CHECK_INTERVAL_MS);
    if (typeof this.timer === 'object' && this.timer && 'unref' in this.timer) this.timer.unref();
  }

  private check(): void {
    this.deps.updater.checkForUpdates().catch((error: Error) => this.deps.log(`update check failed: ${error.message}`));
  }

  private async downloaded(version: string): Promise<void> {
    this.ready = version;
    this.deps.onReady(version);
    if (await this.deps.askToRestart(version)) this.installNow();
  }

  installNow(): void {
    if (this.ready) this.deps.updater.quitAndInstall();
  }
}
