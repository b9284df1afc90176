import type * as Electron from 'electron';
import type { BerthEvent } from '../common/api/berth-api.js';
import { hardenWebContents } from './security.js';
import { createMainWindow } from './window-options.js';

export interface WindowControllerOptions {
  app: Pick<Electron.App, 'quit'> & { dock?: Pick<Electron.Dock, 'show' | 'hide'> };
  BrowserWindow: typeof Electron.BrowserWindow;
  platform: NodeJS.Platform;
  hasTray: boolean;
  preload: string;
  icon: string;
  rendererIndex: string;
  onEvent: (listener: (event: BerthEvent) => void) => () => void;
  openExternal: (url: string) => void;
  stackPorts: () => ReadonlySet<number>;
  /** The window is shown or hidden: the tray's tokens/s are read while it shows. */
  looking: (shown: boolean) => void;
  quitting: () => boolean;
}

/**
 * The app's one window: created at its first show (it shows itself at its first paint, so no blank window flashes),
 * hidden to the tray on close where there is one, quitting the app where there is none.
 */
export class WindowController {
  private window: Electron.BrowserWindow | undefined;

  constructor(private readonly options: WindowControllerOptions) {}

  current(): Electron.BrowserWindow | undefined {
    return this.window;
  }

  show(): Electron.BrowserWindow {
    if (this.options.platform === 'darwin') void this.options.app.dock?.show();
    if (!this.window || this.window.isDestroyed()) {
      this.window = this.create();
      return this.window;
    }
    this.window.show();
    this.window.focus();
    return this.window;
  }

  /** Shows the window on one service's log, once its page is ready for the message. */
  showLogs(service: string): void {
    this.showOn({ type: 'navigate', view: 'logs', service });
  }

  /** Shows the window on its Updates view: the newer images to try. */
  showUpdates(): void {
    this.showOn({ type: 'navigate', view: 'updates' });
  }

  private showOn(event: Extract<BerthEvent, { type: 'navigate' }>): void {
    const shown = this.show();
    const navigate = () => shown.webContents.send('berth:event', event satisfies BerthEvent);
    if (shown.webContents.isLoading()) shown.webContents.once('did-finish-load', navigate);
    else navigate();
  }

  private create(): Electron.BrowserWindow {
    const { app, platform, hasTray } = this.options;
    const created = createMainWindow(this.options.BrowserWindow, this.options.preload, this.options.icon);
    hardenWebContents(created.webContents, this.options.openExternal, this.options.stackPorts);
    const off = this.options.onEvent((event) => created.webContents.send('berth:event', event));
    created.on('show', () => this.options.looking(true));
    created.on('hide', () => {
      this.options.looking(false);
      if (platform === 'darwin' && hasTray) app.dock?.hide();
    });
    created.on('close', (event) => {
      // With a tray, closing hides to it; without one (plain GNOME) closing quits, as the user chose to quit.
      if (hasTray && !this.options.quitting()) {
        event.preventDefault();
        created.hide();
      }
    });
    created.on('closed', () => {
      off();
      this.options.looking(false);
      if (!hasTray) app.quit();
    });
    created.once('ready-to-show', () => created.show());
    void created.loadFile(this.options.rendererIndex);
    return created;
  }
}
