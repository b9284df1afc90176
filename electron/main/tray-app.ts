// The tray app: the tray, the window, start at login, notifications, updates and quitting, wired to the
// backend. Electron's objects come in as parameters (main.ts passes the real ones), so the whole of it runs in
// tests with simple stand-ins and a real Docker engine.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Electron from 'electron';
import { AppLog } from '../node/app-log.js';
import { Backend } from '../node/api/backend.js';
import { StackSession } from '../node/session/stack-session.js';
import { dispatch } from '../node/api/dispatch.js';
import { loadSecrets, type Secrets } from '../node/engine/secrets.js';
import { loadSettings } from '../node/settings/load.js';
import type { SettingsFileFactory } from '../node/settings/store.js';
import { desktopHasTray } from './desktop.js';
import { loginItemFor, reconcileLoginItem } from './login-item/choose.js';
import type { LoginItemState, LoginItemStrategy } from './login-item/login-item.js';
import { currentRates, TokensPerSecondPoller } from './metrics-poller.js';
import { notificationsFor } from './notifications.js';
import { QuitController } from './quit.js';
import { chooseSecretCipher } from './secret-cipher.js';
import { hardenSession, hardenWebContents, isAllowedExternalUrl, isTrustedSender } from './security.js';
import { menuTemplate, trayIconFile } from './tray/electron-menu.js';
import { trayMenu, type TrayAction } from './tray/menu-model.js';
import { idle, stackViewFromSnapshot, withEvent, type StackView } from './tray/tray-input.js';
import { UpdateController, type Updater } from './updates.js';
import { createMainWindow } from './window-options.js';

/** The Electron objects the tray app uses; the updater only in a packaged app. */
export interface ElectronObjects {
  app: Electron.App;
  BrowserWindow: typeof Electron.BrowserWindow;
  dialog: Pick<Electron.Dialog, 'showMessageBox'>;
  ipcMain: Pick<Electron.IpcMain, 'handle'>;
  Menu: typeof Electron.Menu;
  Notification: typeof Electron.Notification;
  safeStorage: Electron.SafeStorage;
  session: { defaultSession: Pick<Electron.Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> };
  shell: Pick<Electron.Shell, 'openExternal'>;
  Tray: typeof Electron.Tray;
  updater?: Updater;
}

export interface TrayAppOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  argv: readonly string[];
  /** Icons and tray images: resources/ in the source, the app's Resources folder when packaged. */
  resources: string;
  rendererIndex: string;
  preload: string;
  openSettings?: SettingsFileFactory;
  loginItem?: LoginItemStrategy;
}

export interface TrayAppHandle {
  backend: Backend;
  tray: Electron.Tray | undefined;
  window: () => Electron.BrowserWindow | undefined;
  quit: QuitController;
}

export async function runTrayApp(electron: ElectronObjects, options: TrayAppOptions): Promise<TrayAppHandle> {
  const { app, BrowserWindow, dialog, ipcMain, Menu, Notification, safeStorage, session, shell, Tray } = electron;
  const { home, env, platform, argv, resources, rendererIndex, preload, openSettings } = options;
  await app.whenReady();
  const { cipher, note: keychainNote } = chooseSecretCipher(safeStorage, platform);
  let secrets: Secrets = {};
  const log = AppLog.inHome(home, () => secrets);
  const stackSession = new StackSession({ env, home, platform, cipher, openSettings });
  const backend = new Backend({ session: stackSession, cipherNote: keychainNote, log: (message) => log.write('error', message) });
  if (keychainNote) log.write('warn', keychainNote);
  // The master key and the Grafana password are generated on the first run, in the keychain.
  secrets = await loadSecrets(home, env, { cipher }).catch((error: Error) => (log.write('error', error.message), {}));

  hardenSession(session.defaultSession);
  const hasTray = desktopHasTray(platform, env);
  const loginItem = options.loginItem ?? loginItemFor(platform, app, env);
  let settings = await loadSettings(home, openSettings).catch((error: Error) => (log.write('error', error.message), undefined));
  const reconciled = await reconcileLoginItem(loginItem, settings?.startAtLogin ?? false);
  let loginState: LoginItemState = reconciled.state;
  backend.setAppState({ startAtLogin: loginState });
  if (settings && reconciled.wanted !== settings.startAtLogin) settings = await backend.updateSettings({ startAtLogin: reconciled.wanted });
  const startHidden = hasTray && loginItem.launchedAtLogin(argv);

  let view: StackView = { engine: { endpoint: null }, services: [], models: [], links: {}, tokensPerS: {} };
  let stackPorts = new Set<number>();
  let updateReady: string | undefined;
  let lastMenu = '';
  let lastState: string | undefined;
  const told = new Set<string>();
  const tray = hasTray ? new Tray(trayIconFile(resources, 'stopped', platform)) : undefined;
  let window: Electron.BrowserWindow | undefined;

  const poller = new TokensPerSecondPoller({ read: async () => currentRates((await backend.metrics()).models), onRates: (rates) => render({ ...view, tokensPerS: rates }), intervalMs: 5000 });
  const updates = electron.updater
    ? new UpdateController({
        updater: electron.updater,
        askToRestart: async (version) =>
          (await dialog.showMessageBox({ type: 'info', buttons: ['Restart Now', 'Later'], defaultId: 0, cancelId: 1, message: `Berth ${version} is ready`, detail: 'Restart Berth to finish updating. The stack keeps running unless you chose to stop it on quit.' })).response === 0,
        onReady: (version) => ((updateReady = version), render()),
        log: (message) => log.write('warn', message),
      })
    : undefined;

  const quit = new QuitController({
    choice: async () => (await loadSettings(home, openSettings).catch(() => settings))?.onQuit ?? 'leave-running',
    stopStack: () => backend.down(),
    closeBackend: async () => {
      poller.watch('window', false);
      poller.watch('menu', false);
      updates?.setEnabled(false);
      await backend.close();
      tray?.destroy();
    },
    exit: () => app.exit(0),
    log: (message) => log.write('error', message),
  });

  function showWindow(): Electron.BrowserWindow {
    if (platform === 'darwin') void app.dock?.show();
    if (!window || window.isDestroyed()) {
      // A new window shows itself at its first paint, so no blank window flashes.
      window = createWindow();
      return window;
    }
    window.show();
    window.focus();
    return window;
  }

  function createWindow(): Electron.BrowserWindow {
    const created = createMainWindow(BrowserWindow, preload, path.join(resources, 'icons', '512x512.png'));
    hardenWebContents(created.webContents, (url) => void shell.openExternal(url), () => stackPorts);
    const off = backend.onEvent((event) => created.webContents.send('berth:event', event));
    created.on('show', () => poller.watch('window', true));
    created.on('hide', () => {
      poller.watch('window', false);
      if (platform === 'darwin' && hasTray) app.dock?.hide();
    });
    created.on('close', (event) => {
      // With a tray, closing hides to it; without one (plain GNOME) closing quits, as the user chose to quit.
      if (hasTray && !quit.quitting) {
        event.preventDefault();
        created.hide();
      }
    });
    created.on('closed', () => {
      off();
      poller.watch('window', false);
      if (!hasTray) app.quit();
    });
    created.once('ready-to-show', () => created.show());
    void created.loadFile(rendererIndex);
    return created;
  }

  async function run(action: TrayAction): Promise<void> {
    try {
      switch (action.type) {
        case 'start':
        case 'stop': {
          const services = action.service ? [action.service] : undefined;
          const result = action.type === 'start' ? await backend.up(services) : await backend.down(services);
          if (!result.ok) for (const failure of result.failed) notify(`${failure.service} failed`, `${failure.message} ${failure.fix}`);
          view = idle(view);
          render();
          return;
        }
        case 'open-dashboard':
          showWindow();
          return;
        case 'open-url':
          if (isAllowedExternalUrl(action.url, stackPorts)) await shell.openExternal(action.url);
          return;
        case 'show-logs': {
          const shown = showWindow();
          const navigate = () => shown.webContents.send('berth:event', { type: 'navigate', view: 'logs', service: action.service });
          if (shown.webContents.isLoading()) shown.webContents.once('did-finish-load', navigate);
          else navigate();
          return;
        }
        case 'toggle-start-at-login':
          loginState = await loginItem.set(!loginState.enabled);
          backend.setAppState({ startAtLogin: loginState });
          settings = await backend.updateSettings({ startAtLogin: loginState.enabled });
          render();
          return;
        case 'install-update':
          updates?.installNow();
          return;
        case 'quit':
          app.quit();
          return;
      }
    } catch (error) {
      log.write('error', `${action.type}: ${(error as Error).message}`);
      notify('Berth could not do that', (error as Error).message);
      view = idle(view);
      render();
    }
  }

  function notify(title: string, body: string): void {
    log.write('info', `${title}: ${body}`);
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body });
    notification.on('click', () => showWindow());
    notification.show();
  }

  function render(next: StackView = view): void {
    const model = trayMenu({ ...next, startAtLogin: loginState, updateReady, quitStopsStack: settings?.onQuit === 'stop-stack' });
    const key = JSON.stringify(model);
    if (key === lastMenu) return;
    lastMenu = key;
    const menu = Menu.buildFromTemplate(menuTemplate(model.items, (action) => void run(action)));
    if (tray) {
      if (!lastState) log.write('info', `tray ready (${model.state})`);
      lastState = model.state;
      tray.setImage(trayIconFile(resources, model.state, platform));
      tray.setToolTip(model.summary);
      menu.on('menu-will-show', () => poller.watch('menu', true));
      menu.on('menu-will-close', () => poller.watch('menu', false));
      tray.setContextMenu(menu);
    } else {
      // No tray on this desktop: the same actions live in the window's menu bar.
      Menu.setApplicationMenu(Menu.buildFromTemplate([{ label: 'Berth', submenu: menuTemplate(model.items, (action) => void run(action)) }, { role: 'editMenu' }, { role: 'viewMenu' }]));
    }
  }

  async function refresh(): Promise<void> {
    const snapshot = await backend.snapshot();
    stackPorts = new Set((snapshot.plan?.services ?? []).flatMap((s) => s.ports.map((p) => p.host)));
    view = { ...stackViewFromSnapshot(snapshot), ...(view.busy ? { busy: view.busy } : {}) };
    render();
  }

  backend.onEvent((event) => {
    const before = view.services;
    view = withEvent(view, event);
    if (event.type === 'status') for (const n of notificationsFor(before, view.services, told)) notify(n.title, n.body);
    if (event.type === 'engine') void refresh();
    render();
  });

  ipcMain.handle('berth:call', async (event, method: unknown, args: unknown) => {
    // Only Berth's own page, loaded from the app's files, may call the backend.
    if (!isTrustedSender(event.senderFrame?.url, pathToFileURL(rendererIndex).href)) return { ok: false, error: { message: 'refused: not the Berth window' } };
    const response = await dispatch(backend, method, args);
    if (method === 'updateSettings' && response.ok) await applySettings();
    // A secret set from the window is redacted from the app's log from now on.
    if ((method === 'setSecret' || method === 'importEnv') && response.ok) secrets = await loadSecrets(home, env, { cipher, generate: false }).catch(() => secrets);
    return response;
  });

  async function applySettings(): Promise<void> {
    const previous = settings;
    settings = await loadSettings(home, openSettings);
    if (settings.startAtLogin !== previous?.startAtLogin) {
      loginState = await loginItem.set(settings.startAtLogin);
      backend.setAppState({ startAtLogin: loginState });
    }
    updates?.setEnabled(settings.autoUpdate);
    await refresh();
  }

  app.on('before-quit', (event) => quit.onBeforeQuit(event));
  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => undefined);

  if (startHidden && platform === 'darwin') app.dock?.hide();
  if (!startHidden) showWindow();
  await backend.start().catch((error: Error) => log.write('error', `engine: ${error.message}`));
  await refresh().catch((error: Error) => log.write('error', `snapshot: ${error.message}`));
  updates?.setEnabled(settings?.autoUpdate ?? true);
  return { backend, tray, window: () => window, quit };
}

