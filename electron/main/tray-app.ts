// The tray app: the tray, the window, start at login, notifications, updates and quitting, wired to the
// backend. Electron's objects come in as parameters (main.ts passes the real ones), so the whole of it runs in
// tests with simple stand-ins and a real Docker engine.
import path from 'node:path';
import type * as Electron from 'electron';
import { AppLog } from '../node/app-log.js';
import { Backend } from '../node/api/backend.js';
import { StackSession } from '../node/session/stack-session.js';
import type { SettingsFileFactory } from '../node/settings/store.js';
import { desktopHasTray } from './desktop.js';
import { loginItemFor } from './login-item/choose.js';
import type { LoginItemStrategy } from './login-item/login-item.js';
import { QuitController } from './quit.js';
import { logUnexpectedFailures, untilStopSignal } from '../node/shutdown.js';
import { chooseSecretCipher } from './secret-cipher.js';
import { hardenSession } from './security.js';
import { trayIconFile } from './tray/electron-menu.js';
import type { TrayAction } from './tray/menu-model.js';
import { TrayPresenter } from './tray/tray-presenter.js';
import type { Updater } from './updates.js';
import {
  answerWindowCalls,
  followApp,
  applySettings,
  folderChooser,
  notifier,
  readStartState,
  quitController,
  runTrayAction,
  updateController,
  type AppState,
  type TrayParts,
} from './tray-actions.js';
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

export async function runTrayApp(electron: ElectronObjects, options: TrayAppOptions): Promise<TrayAppHandle> {
  const { app, BrowserWindow, dialog, ipcMain, Menu, Notification, safeStorage, shell, Tray } = electron;
  const { home, env, platform, argv, resources, rendererIndex, preload, openSettings } = options;
  await app.whenReady();
  const { cipher, note: keychainNote } = chooseSecretCipher(safeStorage, platform);
  const state: AppState = { settings: undefined, loginItem: { enabled: false }, secrets: {} };
  const log = AppLog.inHome(home, () => state.secrets);
  const session = new StackSession({
    env,
    home,
    platform,
    cipher,
    openSettings,
    log: (m) => log.write('warn', m),
  });
  logUnexpectedFailures((message) => log.write('error', message));
  const backend = new Backend({
    session: session,
    cipherNote: keychainNote,
    log: (message) => log.write('error', message),
    chooseFolder: (): Promise<string | null> => chooseFolder(),
  });
  if (keychainNote) log.write('warn', keychainNote);
  // The master key and the Grafana password are generated on the first run, in the keychain.
  state.secrets = await session.secrets().catch((error: Error) => (log.write('error', error.message), {}));

  hardenSession(electron.session.defaultSession);
  const hasTray = desktopHasTray(platform, env);
  const loginItem = options.loginItem ?? loginItemFor(platform, app, env);
  await readStartState({ state, session: session, loginItem, backend, log });
  const startHidden = hasTray && loginItem.launchedAtLogin(argv);

  const notify = notifier(Notification, () => windows, log);
  const chooseFolder = folderChooser(dialog, () => windows);
  const tray = hasTray ? new Tray(trayIconFile(resources, 'stopped', platform)) : undefined;
  const presenter = new TrayPresenter({
    ...{ backend, Menu, tray, resources, platform, notify },
    choices: () => ({
      startAtLogin: state.loginItem,
      updateReady: state.updateReady,
      quitStopsStack: state.settings?.onQuit === 'stop-stack',
    }),
    run: (action) => void run(action),
    log: (message) => log.write('info', message),
  });
  const updates = updateController(
    electron.updater,
    dialog,
    (version) => ((state.updateReady = version), presenter.render()),
    log,
  );
  const quit = quitController({ app, backend, session: session, state, log, updates, presenter, tray });
  const windows: WindowController = new WindowController({
    ...{ app, BrowserWindow, platform, hasTray, preload, rendererIndex },
    icon: path.join(resources, 'icons', '512x512.png'),
    onEvent: (listener) => backend.onEvent(listener),
    openExternal: (url) => void shell.openExternal(url),
    stackPorts: () => presenter.stackPorts(),
    looking: (shown) => presenter.poller.watch('window', shown),
    quitting: () => quit.quitting,
  });

  const parts: TrayParts = { app, shell, backend, session, state, loginItem, updates, windows, presenter, notify, log };
  const run = (action: TrayAction) => runTrayAction(action, parts);

  backend.onEvent((event) => {
    if (event.type === 'settings-changed')
      void applySettings(parts).catch((error: Error) => log.write('error', `settings: ${error.message}`));
    presenter.onEvent(event);
  });

  answerWindowCalls(ipcMain, rendererIndex, parts);

  followApp(app, quit, windows, options.stopRequested ?? untilStopSignal(), log);

  if (startHidden && platform === 'darwin') app.dock?.hide();
  if (!startHidden) windows.show();
  await backend.start().catch((error: Error) => log.write('error', `engine: ${error.message}`));
  await presenter.refresh().catch((error: Error) => log.write('error', `snapshot: ${error.message}`));
  updates?.setEnabled(state.settings?.autoUpdate ?? true);
  return { backend, tray, window: () => windows.current(), quit };
}
