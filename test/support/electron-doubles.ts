// Test doubles of the Electron objects the tray app is handed (tray-app.ts): they keep what the app did to them
// (images, menus, windows, notifications, IPC handlers) so a test can read it and click menu items.
import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions } from 'electron';
import type { ElectronObjects } from '../../electron/main/tray-app.js';

function preventable() {
  const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
  return event;
}

export class AppDouble extends EventEmitter {
  isPackaged = false;
  exitCode: number | undefined;
  readonly exited: Promise<number>;
  private resolveExit!: (code: number) => void;
  dock = { hidden: 0, shown: 0, hide: () => void this.dock.hidden++, show: async () => void this.dock.shown++ };
  constructor() {
    super();
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }
  whenReady = async () => undefined;
  getLoginItemSettings = () => ({ openAtLogin: false, status: 'not-registered', wasOpenedAtLogin: false });
  setLoginItemSettings = () => undefined;
  quit(): void {
    const event = preventable();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.exit(0);
  }
  exit(code = 0): void {
    this.exitCode = code;
    this.resolveExit(code);
  }
}

class WebContentsDouble extends EventEmitter {
  readonly sent: unknown[] = [];
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  send(_channel: string, payload: unknown): void {
    this.sent.push(payload);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  isLoading(): boolean {
    return false;
  }
}

export class BrowserWindowDouble extends EventEmitter {
  static instances: BrowserWindowDouble[] = [];
  readonly webContents = new WebContentsDouble();
  visible = false;
  destroyed = false;
  loaded: string | undefined;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindowDouble.instances.push(this);
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = file;
    setImmediate(() => this.emit('ready-to-show'));
  }
  show(): void {
    this.visible = true;
    this.emit('show');
  }
  hide(): void {
    this.visible = false;
    this.emit('hide');
  }
  focus(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What the user's click on the close button does. */
  close(): void {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

export class MenuDouble extends EventEmitter {
  static applicationMenu: MenuDouble | undefined;
  constructor(readonly template: MenuItemConstructorOptions[]) {
    super();
  }
  static buildFromTemplate(template: MenuItemConstructorOptions[]): MenuDouble {
    return new MenuDouble(template);
  }
  static setApplicationMenu(menu: MenuDouble): void {
    MenuDouble.applicationMenu = menu;
  }
}

export class TrayDouble {
  static instances: TrayDouble[] = [];
  readonly images: string[];
  tooltip = '';
  menu: MenuDouble | undefined;
  destroyed = false;
  constructor(image: string) {
    this.images = [image];
    TrayDouble.instances.push(this);
  }
  setImage(image: string): void {
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: MenuDouble): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class NotificationDouble extends EventEmitter {
  static shown: { title: string; body: string }[] = [];
  static isSupported(): boolean {
    return true;
  }
  constructor(private readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    NotificationDouble.shown.push(this.options);
  }
}

/** The first item with this label (or matching it), anywhere in a menu template. */
export function menuItem(
  template: readonly MenuItemConstructorOptions[],
  label: string | RegExp,
): MenuItemConstructorOptions | undefined {
  for (const item of template) {
    if (item.label !== undefined && (typeof label === 'string' ? item.label === label : label.test(item.label)))
      return item;
    if (Array.isArray(item.submenu)) {
      const inner = menuItem(item.submenu, label);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Electron's objects as the tray app takes them; `exportFolder` is what the folder picker answers (cancelled without one). */
export function electronDoubles(options: { exportFolder?: string } = {}) {
  BrowserWindowDouble.instances = [];
  TrayDouble.instances = [];
  NotificationDouble.shown = [];
  const app = new AppDouble();
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const opened: string[] = [];
  const objects = {
    app,
    BrowserWindow: BrowserWindowDouble,
    dialog: {
      showMessageBox: async () => ({ response: 1, checkboxChecked: false }),
      showOpenDialog: async () =>
        options.exportFolder
          ? { canceled: false, filePaths: [options.exportFolder] }
          : { canceled: true, filePaths: [] },
    },
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => Promise<unknown>) =>
        void handlers.set(channel, handler),
    },
    Menu: MenuDouble,
    Notification: NotificationDouble,
    safeStorage: {
      isEncryptionAvailable: () => false,
      encryptString: () => Buffer.alloc(0),
      decryptString: () => '',
      getSelectedStorageBackend: () => 'basic_text',
    },
    session: {
      defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined },
    },
    shell: { openExternal: async (url: string) => void opened.push(url) },
    Tray: TrayDouble,
  } as unknown as ElectronObjects;
  return { objects, app, handlers, opened };
}
