// What the tray app does for each tray action, and the parts of it built from Electron's objects: updates, quitting,
// and the window's calls. tray-app.ts composes them.
import { pathToFileURL } from 'node:url';
import type * as Electron from 'electron';
import type { Settings } from '../common/contracts/settings.js';
import type { Secrets } from '../common/contracts/secrets.js';
import type { AppLog } from '../node/app-log.js';
import type { Backend } from '../node/api/backend.js';
import { dispatch } from '../node/api/dispatch.js';
import type { StackSession } from '../node/session/stack-session.js';
import { reconcileLoginItem } from './login-item/choose.js';
import type { LoginItemState, LoginItemStrategy } from './login-item/login-item.js';
import { QuitController } from './quit.js';
import { isAllowedExternalUrl, isTrustedSender } from './security.js';
import type { TrayAction } from './tray/menu-model.js';
import type { TrayPresenter } from './tray/tray-presenter.js';
import { UpdateController, type Updater } from './updates.js';
import type { WindowController } from './window-controller.js';

/** What the app chose and what the OS says of it; each field has one writer. */
export interface AppState {
  settings: Settings | undefined;
  loginItem: LoginItemState;
  updateReady?: string;
  secrets: Secrets;
}

/** The parts a tray action reaches. */
export interface TrayParts {
  app: Electron.App;
  shell: Pick<Electron.Shell, 'openExternal'>;
  backend: Backend;
  session: StackSession;
  state: AppState;
  loginItem: LoginItemStrategy;
  updates: UpdateController | undefined;
  windows: WindowController;
  presenter: TrayPresenter;
  notify: (title: string, body: string) => void;
  log: AppLog;
}

/** Starts or stops services; a failure is a notification with its fix. */
async function startOrStop(action: Extract<TrayAction, { type: 'start' | 'stop' }>, p: TrayParts): Promise<void> {
  const services = action.service ? [action.service] : undefined;
  const result = action.type === 'start' ? await p.backend.up(services) : await p.backend.down(services);
  if (!result.ok)
    for (const failure of result.failed) p.notify(`${failure.service} failed`, `${failure.message} ${failure.fix}`);
  p.presenter.done();
}

/** Does what the tray's item asked; a failure is logged and told in a notification. */
export async function runTrayAction(action: TrayAction, p: TrayParts): Promise<void> {
  try {
    switch (action.type) {
      case 'start':
      case 'stop':
        return await startOrStop(action, p);
      case 'open-dashboard':
        if (action.view === 'updates') p.windows.showUpdates();
        else p.windows.show();
        return;
      case 'open-url':
        if (isAllowedExternalUrl(action.url, p.presenter.stackPorts())) await p.shell.openExternal(action.url);
        return;
      case 'show-logs':
        p.windows.showLogs(action.service);
        return;
      case 'keep-alive': {
        const { settings } = await p.session.settings();
        await p.backend.updateSettings({ keepAlive: { ...settings.keepAlive, [action.service]: action.keepAlive } });
        return;
      }
      case 'use-engine':
        await p.backend.updateSettings({ engine: action.name });
        return;
      case 'toggle-start-at-login':
        p.state.loginItem = await p.loginItem.set(!p.state.loginItem.enabled);
        p.backend.setAppState({ startAtLogin: p.state.loginItem });
        await p.backend.updateSettings({ startAtLogin: p.state.loginItem.enabled });
        return;
      case 'install-update':
        p.updates?.installNow();
        return;
      case 'quit':
        p.app.quit();
        return;
    }
  } catch (error) {
    p.log.write('error', `${action.type}: ${(error as Error).message}`);
    p.notify('Berth could not do that', (error as Error).message);
    p.presenter.done();
  }
}

/** Updates in a packaged app: a downloaded one asks to restart, and the tray offers it. */
export function updateController(
  updater: Updater | undefined,
  dialog: Pick<Electron.Dialog, 'showMessageBox'>,
  ready: (version: string) => void,
  log: AppLog,
): UpdateController | undefined {
  if (!updater) return undefined;
  return new UpdateController({
    updater,
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
    onReady: ready,
    log: (message) => log.write('warn', message),
  });
}

/** Quitting as settings chose: the stack left running or stopped, the backend and the tray closed, then exit. */
export function quitController(
  parts: Pick<TrayParts, 'app' | 'backend' | 'session' | 'state' | 'log' | 'updates' | 'presenter'> & {
    tray: Electron.Tray | undefined;
  },
): QuitController {
  return new QuitController({
    choice: async () =>
      (
        await parts.session.settings().then(
          (r) => r.settings,
          () => parts.state.settings,
        )
      )?.onQuit ?? 'leave-running',
    stopStack: () => parts.backend.down(),
    closeBackend: async () => {
      parts.presenter.poller.watch('window', false);
      parts.presenter.poller.watch('menu', false);
      parts.updates?.setEnabled(false);
      await parts.backend.close();
      parts.tray?.destroy();
    },
    exit: () => parts.app.exit(0),
    log: (message) => parts.log.write('error', message),
  });
}

/** The window's calls to the backend: only from Berth's own page, loaded from the app's files. */
export function answerWindowCalls(
  ipcMain: Pick<Electron.IpcMain, 'handle'>,
  rendererIndex: string,
  p: Pick<TrayParts, 'backend' | 'session' | 'state' | 'log'>,
): void {
  ipcMain.handle('berth:call', async (event, method: unknown, args: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url, pathToFileURL(rendererIndex).href))
      return { ok: false, error: { message: 'refused: not the Berth window' } };
    const response = await dispatch(p.backend, method, args, (message) => p.log.write('error', message));
    // A secret set from the window is redacted from the app's log from now on.
    if ((method === 'setSecret' || method === 'importEnv') && response.ok)
      p.state.secrets = await p.session.secrets({ generate: false }).catch(() => p.state.secrets);
    return response;
  });
}

/** Settings changed, whoever changed them: the login item and updates follow. */
export async function applySettings(
  p: Pick<TrayParts, 'state' | 'session' | 'loginItem' | 'backend' | 'updates'>,
): Promise<void> {
  const { state } = p;
  const previous = state.settings;
  state.settings = (await p.session.settings()).settings;
  if (
    state.settings.startAtLogin !== previous?.startAtLogin &&
    state.settings.startAtLogin !== state.loginItem.enabled
  ) {
    state.loginItem = await p.loginItem.set(state.settings.startAtLogin);
    p.backend.setAppState({ startAtLogin: state.loginItem });
  }
  p.updates?.setEnabled(state.settings.autoUpdate);
}

/**
 * The settings at start, and the login item made to agree with them: what the OS says wins where the user changed it
 * there (reconcileLoginItem).
 */
export async function readStartState(
  p: Pick<TrayParts, 'state' | 'session' | 'loginItem' | 'backend' | 'log'>,
): Promise<void> {
  const { state } = p;
  state.settings = await p.session.settings().then(
    (r) => r.settings,
    (error: Error) => (p.log.write('error', error.message), undefined),
  );
  const reconciled = await reconcileLoginItem(p.loginItem, state.settings?.startAtLogin ?? false);
  state.loginItem = reconciled.state;
  p.backend.setAppState({ startAtLogin: state.loginItem });
  if (state.settings && reconciled.wanted !== state.settings.startAtLogin)
    state.settings = await p.backend.updateSettings({ startAtLogin: reconciled.wanted });
}

/** Settings → Export: the system's folder picker, over the window when one is open. */
export function folderChooser(
  dialog: Pick<Electron.Dialog, 'showOpenDialog'>,
  windows: () => WindowController,
): () => Promise<string | null> {
  return async () => {
    const options: Electron.OpenDialogOptions = {
      title: 'Export the stack to a folder',
      buttonLabel: 'Export Here',
      properties: ['openDirectory', 'createDirectory'],
    };
    const parent = windows().current();
    const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  };
}

/** A notification the OS shows (and the app's log keeps); a click opens the window. */
export function notifier(
  Notification: typeof Electron.Notification,
  windows: () => WindowController,
  log: AppLog,
): (title: string, body: string) => void {
  return (title, body) => {
    log.write('info', `${title}: ${body}`);
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body });
    notification.on('click', () => windows().show());
    notification.show();
  };
}

/**
 * The app's own events: quitting goes through the quit controller; stopped by the OS, the app quits as the menu's Quit
 * does (the backend, its streams and a remote engine's SSH connection are closed before it exits, whatever handlers a
 * dependency added: electron/node/shutdown.ts); a second launch or a click on the Dock icon shows the window.
 */
export function followApp(
  app: Electron.App,
  quit: QuitController,
  windows: WindowController,
  stopRequested: Promise<unknown>,
  log: AppLog,
): void {
  app.on('before-quit', (event) => quit.onBeforeQuit(event));
  void stopRequested.then((signal) => {
    log.write('info', `${String(signal)}: quitting`);
    app.quit();
  });
  app.on('second-instance', () => windows.show());
  app.on('activate', () => windows.show());
  app.on('window-all-closed', () => undefined);
}
