// The tray app's main process: a thin shell that hands Electron's objects to small pieces (tray model, login
// item, quit, updates, security) and hosts the backend in-process (docs/decisions/0006).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, safeStorage, session, shell, Tray } from 'electron';
import ElectronStore from 'electron-store';
import electronUpdater from 'electron-updater';
import { AppLog } from '../node/app-log.js';
import { Backend } from '../node/api/backend.js';
import { dispatch } from '../node/api/dispatch.js';
import { runCli } from '../node/cli/main.js';
import { loadSecrets, type Secrets } from '../node/engine/secrets.js';
import { loadSettings } from '../node/settings/load.js';
import { berthHome } from '../node/settings/paths.js';
import type { SettingsFile, SettingsFileFactory } from '../node/settings/store.js';
import { cliArguments, desktopHasTray } from './desktop.js';
import { loginItemFor, reconcileLoginItem } from './login-item/choose.js';
import type { LoginItemState } from './login-item/login-item.js';
import { currentRates, TokensPerSecondPoller } from './metrics-poller.js';
import { notificationsFor } from './notifications.js';
import { QuitController } from './quit.js';
import { chooseSecretCipher } from './secret-cipher.js';
import { hardenSession, hardenWebContents, isAllowedExternalUrl, isTrustedSender } from './security.js';
import { menuTemplate, trayIconFile } from './tray/electron-menu.js';
import { trayMenu, type TrayAction } from './tray/menu-model.js';
import { idle, stackViewFromSnapshot, withEvent, type StackView } from './tray/tray-input.js';
import { UpdateController } from './updates.js';
import { createMainWindow } from './window-options.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '..', '..', 'renderer', 'index.html');
const resources = app.isPackaged ? process.resourcesPath : path.join(here, '..', '..', '..', 'resources');
const home = berthHome();
const openSettings: SettingsFileFactory = (options) => new ElectronStore(options) as unknown as SettingsFile;

async function runCliInApp(args: string[]): Promise<void> {
  app.dock?.hide();
  await app.whenReady();
  const { cipher } = chooseSecretCipher(safeStorage, process.platform);
  app.exit(await runCli(args, undefined, { cipher }));
}

async function runTrayApp(): Promise<void> {
  await app.whenReady();
  const { cipher, note: keychainNote } = chooseSecretCipher(safeStorage, process.platform);
  const backend = new Backend({ home, env: process.env, cipher, openSettings });
  let secrets: Secrets = {};
  const log = AppLog.inHome(home, () => secrets);
  if (keychainNote) log.write('warn', keychainNote);
  // The master key and the Grafana password are generated on the first run, in the keychain.
  secrets = await loadSecrets(home, process.env, { cipher }).catch((error: Error) => (log.write('error', error.message), {}));

  hardenSession(session.defaultSession);
  const hasTray = desktopHasTray(process.platform, process.env);
  const loginItem = loginItemFor(process.platform, app, process.env);
  let settings = await loadSettings(home, openSettings).catch((error: Error) => (log.write('error', error.message), undefined));
  const reconciled = await reconcileLoginItem(loginItem, settings?.startAtLogin ?? false);
  let loginState: LoginItemState = reconciled.state;
  if (settings && reconciled.wanted !== settings.startAtLogin) settings = await backend.updateSettings({ startAtLogin: reconciled.wanted });
  const startHidden = hasTray && loginItem.launchedAtLogin(process.argv);

  let view: StackView = { engine: { endpoint: null }, services: [], models: [], links: {}, tokensPerS: {} };
  let stackPorts = new Set<number>();
  let updateReady: string | undefined;
  const told = new Set<string>();
  const tray = hasTray ? new Tray(trayIconFile(resources, 'stopped', process.platform)) : undefined;
  let window: BrowserWindow | undefined;

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

  const poller = new TokensPerSecondPoller({ read: async () => currentRates((await backend.metrics()).models), onRates: (rates) => render({ ...view, tokensPerS: rates }), intervalMs: 5000 });

  function showWindow(): BrowserWindow {
    if (process.platform === 'darwin') void app.dock?.show();
    if (!window || window.isDestroyed()) {
      // A new window shows itself at its first paint, so no blank window flashes.
      window = createWindow();
      return window;
    }
    window.show();
    window.focus();
    return window;
  }

  function createWindow(): BrowserWindow {
    const created = createMainWindow(BrowserWindow, path.join(here, 'preload.cjs'), path.join(resources, 'icons', '512x512.png'));
    hardenWebContents(created.webContents, (url) => void shell.openExternal(url), () => stackPorts);
    const off = backend.onEvent((event) => created.webContents.send('berth:event', event));
    created.on('show', () => poller.watch('window', true));
    created.on('hide', () => {
      poller.watch('window', false);
      if (process.platform === 'darwin' && hasTray) app.dock?.hide();
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
          settings = await backend.updateSettings({ startAtLogin: loginState.enabled });
          window?.webContents.send('berth:event', { type: 'settings-changed' });
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

  let lastMenu = '';
  let lastState: string | undefined;
  function render(next: StackView = view): void {
    const model = trayMenu({ ...next, startAtLogin: loginState, updateReady, quitStopsStack: settings?.onQuit === 'stop-stack' });
    const key = JSON.stringify(model);
    if (key === lastMenu) return;
    lastMenu = key;
    const menu = Menu.buildFromTemplate(menuTemplate(model.items, (action) => void run(action)));
    if (tray) {
      if (!lastState) log.write('info', `tray ready (${model.state})`);
      lastState = model.state;
      tray.setImage(trayIconFile(resources, model.state, process.platform));
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
    return response;
  });

  const updates = app.isPackaged
    ? new UpdateController({
        updater: electronUpdater.autoUpdater,
        askToRestart: async (version) =>
          (await dialog.showMessageBox({ type: 'info', buttons: ['Restart Now', 'Later'], defaultId: 0, cancelId: 1, message: `Berth ${version} is ready`, detail: 'Restart Berth to finish updating. The stack keeps running unless you chose to stop it on quit.' })).response === 0,
        onReady: (version) => ((updateReady = version), render()),
        log: (message) => log.write('warn', message),
      })
    : undefined;

  async function applySettings(): Promise<void> {
    const previous = settings;
    settings = await loadSettings(home, openSettings);
    if (settings.startAtLogin !== previous?.startAtLogin) loginState = await loginItem.set(settings.startAtLogin);
    updates?.setEnabled(settings.autoUpdate);
    await refresh();
  }

  app.on('before-quit', (event) => quit.onBeforeQuit(event));
  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => undefined);

  if (startHidden && process.platform === 'darwin') app.dock?.hide();
  if (!startHidden) showWindow();
  await backend.start().catch((error: Error) => log.write('error', `engine: ${error.message}`));
  await refresh().catch((error: Error) => log.write('error', `snapshot: ${error.message}`));
  updates?.setEnabled(settings?.autoUpdate ?? true);
}

const cliArgs = cliArguments(process.argv);
if (cliArgs) {
  void runCliInApp(cliArgs);
} else if (!app.requestSingleInstanceLock()) {
  // A second launch shows the first one's window (its 'second-instance' event) and leaves.
  app.quit();
} else {
  void runTrayApp();
}
