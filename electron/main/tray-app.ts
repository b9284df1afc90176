// The tray app: the tray, the window, start at login, notifications, updates and quitting, wired to the
// backend. Electron's objects come in as parameters (main.ts passes the real ones), so the whole of it runs in
// tests with simple stand-ins and a real Docker engine.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Electron from 'electron';
import type { Settings } from '../common/contracts/settings.js';
import { AppLog } from '../node/app-log.js';
import { Backend } from '../node/api/backend.js';
import { dispatch } from '../node/api/dispatch.js';
import type { Secrets } from '../common/contracts/secrets.js';
import { StackSession } from '../node/session/stack-session.js';
import type { SettingsFileFactory } from '../node/settings/store.js';
import { desktopHasTray } from './desktop.js';
import { loginItemFor, reconcileLoginItem } from './login-item/choose.js';
import type { LoginItemState, LoginItemStrategy } from './login-item/login-item.js';
import { QuitController } from './quit.js';
import { logUnexpectedFailures, untilStopSignal } from '../node/shutdown.js';
import { chooseSecretCipher } from './secret-cipher.js';
import { hardenSession, isAllowedExternalUrl, isTrustedSender } from './security.js';
import { trayIconFile } from './tray/electron-menu.js';
import type { TrayAction } from './tray/menu-model.js';
import { TrayPresenter } from './tray/tray-presenter.js';
import { UpdateController, type Updater } from './updates.js';
import { WindowController } from './window-controller.js';

/** The Electron objects the tray app uses; the updater only in a packaged app. */
export interface ElectronObjects {
  app: Electron.App;
  BrowserWindow: typeof Electron.BrowserWindow;
  dialog: Pick<Electron.Dialog, 'showMessageBox' | 'showOpenDialog'>;
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
  /**
   * Resolves when the OS asks the app to stop (SIGINT, SIGTERM, SIGHUP: logout, `kill`); the app then quits as Quit
   * does.
   */
  stopRequested?: Promise<unknown>;
}

export interface TrayAppHandle {
  backend: Backend;
  tray: Electron.Tray | undefined;
  window: () => Electron.BrowserWindow | undefined;
  quit: QuitController;
}

/** What the app chose and what the OS says of it; each field has one writer below. */
interface AppState {
  settings: Settings | undefined;
  loginItem: LoginItemState;
  updateReady?: string;
  secrets: Secrets;
}

export async function runTrayApp(electron: ElectronObjects, options: TrayAppOptions): Promise<TrayAppHandle> {
  const { app, BrowserWindow, dialog, ipcMain, Menu, Notification, safeStorage, shell, Tray } = electron;
  const { home, env, platform, argv, resources, rendererIndex, preload, openSettings } = options;
  await app.whenReady();
  const { cipher, note: keychainNote } = chooseSecretCipher(safeStorage, platform);
  const state: AppState = { settings: undefined, loginItem: { enabled: false }, secrets: {} };
  const log = AppLog.inHome(home, () => state.secrets);
  const stackSession = new StackSession({
    env,
    home,
    platform,
    cipher,
    openSettings,
    log: (m) => log.write('warn', m),
  });
  logUnexpectedFailures((message) => log.write('error', message));
  const backend = new Backend({
    session: stackSession,
    cipherNote: keychainNote,
    log: (message) => log.write('error', message),
    chooseFolder: () => chooseFolder(),
  });
  if (keychainNote) log.write('warn', keychainNote);
  // The master key and the Grafana password are generated on the first run, in the keychain.
  state.secrets = await stackSession.secrets().catch((error: Error) => (log.write('error', error.message), {}));

  hardenSession(electron.session.defaultSession);
  const hasTray = desktopHasTray(platform, env);
  const loginItem = options.loginItem ?? loginItemFor(platform, app, env);
  state.settings = await stackSession.settings().then(
    (r) => r.settings,
    (error: Error) => (log.write('error', error.message), undefined),
  );
  const reconciled = await reconcileLoginItem(loginItem, state.settings?.startAtLogin ?? false);
  state.loginItem = reconciled.state;
  backend.setAppState({ startAtLogin: state.loginItem });
  if (state.settings && reconciled.wanted !== state.settings.startAtLogin)
    state.settings = await backend.updateSettings({ startAtLogin: reconciled.wanted });
  const startHidden = hasTray && loginItem.launchedAtLogin(argv);

  // Settings → Export: the system's folder picker, over the window when one is open.
  const chooseFolder = async (): Promise<string | null> => {
    const options: Electron.OpenDialogOptions = {
      title: 'Export the stack to a folder',
      buttonLabel: 'Export Here',
      properties: ['openDirectory', 'createDirectory'],
    };
    const parent = windows.current();
    const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  };
  const notify = (title: string, body: string) => {
    log.write('info', `${title}: ${body}`);
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body });
    notification.on('click', () => windows.show());
    notification.show();
  };
  const tray = hasTray ? new Tray(trayIconFile(resources, 'stopped', platform)) : undefined;
  const presenter = new TrayPresenter({
    backend,
    Menu,
    tray,
    resources,
    platform,
    choices: () => ({
      startAtLogin: state.loginItem,
      updateReady: state.updateReady,
      quitStopsStack: state.settings?.onQuit === 'stop-stack',
    }),
    run: (action) => void run(action),
    notify,
    log: (message) => log.write('info', message),
  });
  const updates = electron.updater
    ? new UpdateController({
        updater: electron.updater,
        askToRestart: async (version) =>
          (
            await dialog.showMessageBox({
              type: 'info',
              buttons: ['Restart Now', 'Later'],
              defaultId: 0,
              cancelId: 1,
              message: `Berth ${version} is ready`,
              detail: 'Restart Berth to finish updating. The stack keeps running unless you chose to stop it on quit.',
            })
          ).response === 0,
        onReady: (version) => ((state.updateReady = version), presenter.render()),
        log: (message) => log.write('warn', message),
      })
    : undefined;
  const quit = new QuitController({
    choice: async () =>
      (
        await stackSession.settings().then(
          (r) => r.settings,
          () => state.settings,
        )
      )?.onQuit ?? 'leave-running',
    stopStack: () => backend.down(),
    closeBackend: async () => {
      presenter.poller.watch('window', false);
      presenter.poller.watch('menu', false);
      updates?.setEnabled(false);
      await backend.close();
      tray?.destroy();
    },
    exit: () => app.exit(0),
    log: (message) => log.write('error', message),
  });
  const windows = new WindowController({
    app,
    BrowserWindow,
    platform,
    hasTray,
    preload,
    icon: path.join(resources, 'icons', '512x512.png'),
    rendererIndex,
    onEvent: (listener) => backend.onEvent(listener),
    openExternal: (url) => void shell.openExternal(url),
    stackPorts: () => presenter.stackPorts(),
    looking: (shown) => presenter.poller.watch('window', shown),
    quitting: () => quit.quitting,
  });

  async function run(action: TrayAction): Promise<void> {
    try {
      switch (action.type) {
        case 'start':
        case 'stop': {
          const services = action.service ? [action.service] : undefined;
          const result = action.type === 'start' ? await backend.up(services) : await backend.down(services);
          if (!result.ok)
            for (const failure of result.failed)
              notify(`${failure.service} failed`, `${failure.message} ${failure.fix}`);
          presenter.done();
          return;
        }
        case 'open-dashboard':
          windows.show();
          return;
        case 'open-url':
          if (isAllowedExternalUrl(action.url, presenter.stackPorts())) await shell.openExternal(action.url);
          return;
        case 'show-logs':
          windows.showLogs(action.service);
          return;
        case 'keep-alive': {
          const { settings } = await stackSession.settings();
          await backend.updateSettings({ keepAlive: { ...settings.keepAlive, [action.service]: action.keepAlive } });
          return;
        }
        case 'use-engine':
          await backend.updateSettings({ engine: action.name });
          return;
        case 'toggle-start-at-login':
          state.loginItem = await loginItem.set(!state.loginItem.enabled);
          backend.setAppState({ startAtLogin: state.loginItem });
          await backend.updateSettings({ startAtLogin: state.loginItem.enabled });
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
      presenter.done();
    }
  }

  /** Settings changed, whoever changed them: the login item and updates follow, then the tray reads the plan again. */
  async function applySettings(): Promise<void> {
    const previous = state.settings;
    state.settings = (await stackSession.settings()).settings;
    if (
      state.settings.startAtLogin !== previous?.startAtLogin &&
      state.settings.startAtLogin !== state.loginItem.enabled
    ) {
      state.loginItem = await loginItem.set(state.settings.startAtLogin);
      backend.setAppState({ startAtLogin: state.loginItem });
    }
    updates?.setEnabled(state.settings.autoUpdate);
  }

  backend.onEvent((event) => {
    if (event.type === 'settings-changed')
      void applySettings().catch((error: Error) => log.write('error', `settings: ${error.message}`));
    presenter.onEvent(event);
  });

  ipcMain.handle('berth:call', async (event, method: unknown, args: unknown) => {
    // Only Berth's own page, loaded from the app's files, may call the backend.
    if (!isTrustedSender(event.senderFrame?.url, pathToFileURL(rendererIndex).href))
      return { ok: false, error: { message: 'refused: not the Berth window' } };
    const response = await dispatch(backend, method, args, (message) => log.write('error', message));
    // A secret set from the window is redacted from the app's log from now on.
    if ((method === 'setSecret' || method === 'importEnv') && response.ok)
      state.secrets = await stackSession.secrets({ generate: false }).catch(() => state.secrets);
    return response;
  });

  app.on('before-quit', (event) => quit.onBeforeQuit(event));
  // Stopped by the OS, the app quits as the menu's Quit does: the backend, its streams and a remote engine's SSH
  // connection are closed before it exits, whatever handlers a dependency added (electron/node/shutdown.ts).
  void (options.stopRequested ?? untilStopSignal()).then((signal) => {
    log.write('info', `${String(signal)}: quitting`);
    app.quit();
  });
  app.on('second-instance', () => windows.show());
  app.on('activate', () => windows.show());
  app.on('window-all-closed', () => undefined);

  if (startHidden && platform === 'darwin') app.dock?.hide();
  if (!startHidden) windows.show();
  await backend.start().catch((error: Error) => log.write('error', `engine: ${error.message}`));
  await presenter.refresh().catch((error: Error) => log.write('error', `snapshot: ${error.message}`));
  updates?.setEnabled(state.settings?.autoUpdate ?? true);
  return { backend, tray, window: () => windows.current(), quit };
}
