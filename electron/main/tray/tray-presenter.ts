import type * as Electron from 'electron';
import type { BerthEvent, Snapshot } from '../../common/api/berth-api.js';
import type { ModelMetrics } from '../../common/contracts/metrics.js';
import { currentRates, TokensPerSecondPoller } from '../metrics-poller.js';
import { notificationsFor } from '../notifications.js';
import { menuTemplate, trayIconFile } from './electron-menu.js';
import { trayMenu, type TrayAction, type TrayInput } from './menu-model.js';
import { idle, stackViewFromSnapshot, withEvent, type StackView } from './tray-input.js';

/** What the backend gives the tray: its snapshot on demand, its events, and the models' metrics while someone looks. */
export interface TrayBackend {
  snapshot(): Promise<Snapshot>;
  metrics(): Promise<ModelMetrics>;
}

/** What only the app knows, asked at every render: the login item, a ready update, what quitting does. */
export type AppChoices = Pick<TrayInput, 'startAtLogin' | 'updateReady' | 'quitStopsStack'>;

export interface TrayPresenterOptions {
  backend: TrayBackend;
  Menu: Pick<typeof Electron.Menu, 'buildFromTemplate' | 'setApplicationMenu'>;
  /** Undefined on a desktop without a tray: the same menu goes to the window's menu bar. */
  tray: Pick<Electron.Tray, 'setImage' | 'setToolTip' | 'setContextMenu'> | undefined;
  resources: string;
  platform: NodeJS.Platform;
  choices: () => AppChoices;
  run: (action: TrayAction) => void;
  notify: (title: string, body: string) => void;
  log: (message: string) => void;
  ratesEveryMs?: number;
}

/**
 * The tray's state and its rendering: the stack as the backend's events tell it, the models' tokens/s while someone
 * looks (kept, so a status change does not wipe them), notifications of failures and readiness, and the menu built
 * from all of it, only when it changed.
 */
export class TrayPresenter {
  readonly poller: TokensPerSecondPoller;
  private view: StackView = { engine: { endpoint: null }, services: [], models: [], links: {}, tokensPerS: {} };
  private ports = new Set<number>();
  private readonly told = new Set<string>();
  private lastMenu = '';
  private lastState: string | undefined;

  constructor(private readonly options: TrayPresenterOptions) {
    this.poller = new TokensPerSecondPoller({
      read: async () => currentRates((await options.backend.metrics()).models),
      onRates: (rates) => {
        this.view = { ...this.view, tokensPerS: rates };
        this.render();
      },
      intervalMs: options.ratesEveryMs ?? 5000,
    });
  }

  /** The host ports the plan publishes: the only http:// URLs the app opens. */
  stackPorts(): ReadonlySet<number> {
    return this.ports;
  }

  /** Reads the snapshot: at start, and when settings (and so the plan) changed. */
  async refresh(): Promise<void> {
    const snapshot = await this.options.backend.snapshot();
    // The stack's ports, and where a remote engine's are forwarded here.
    const forwarded = Object.values(snapshot.urls ?? {}).map((url) => Number(new URL(url).port));
    this.ports = new Set([...(snapshot.plan?.services ?? []).flatMap((s) => s.ports.map((p) => p.host)), ...forwarded]);
    this.view = {
      ...stackViewFromSnapshot(snapshot),
      tokensPerS: this.view.tokensPerS,
      ...(this.view.busy ? { busy: this.view.busy } : {}),
    };
    this.render();
  }

  /** One backend event: the view follows it; an engine event is the news itself, nothing is read again. */
  onEvent(event: BerthEvent): void {
    if (event.type === 'settings-changed') {
      void this.refresh().catch((error: Error) => this.options.log(`tray: ${error.message}`));
      return;
    }
    const before = this.view.services;
    this.view = withEvent(this.view, event);
    if (event.type === 'status')
      for (const n of notificationsFor(before, this.view.services, this.told)) this.options.notify(n.title, n.body);
    // Models on demand cannot wake: told once, with what to do (the menu's lines say it while it lasts).
    if (event.type === 'wake-gateway' && event.problem)
      this.options.notify('Models on demand cannot wake', `${event.problem.problem}. ${event.problem.fix}`);
    // The Mac's memory pressure turned critical while models run on its GPU (the guard put one to sleep, or could not).
    if (event.type === 'memory-pressure') this.options.notify("The Mac's memory is short", event.message);
    // A model server that measured more than its plan: the next plan corrects it, and the user hears of it once.
    if (event.type === 'progress' && event.event.kind === 'measured' && event.event.overPlan)
      this.options.notify(`${event.event.service} needed more than planned`, event.event.message);
    this.render();
  }

  /** An operation the tray started has ended. */
  done(): void {
    this.view = idle(this.view);
    this.render();
  }

  render(): void {
    const model = trayMenu({ ...this.view, ...this.options.choices() });
    const key = JSON.stringify(model);
    if (key === this.lastMenu) return;
    this.lastMenu = key;
    const { Menu, tray } = this.options;
    const template = menuTemplate(model.items, this.options.run);
    if (!tray) {
      // No tray on this desktop: the same actions live in the window's menu bar.
      Menu.setApplicationMenu(
        Menu.buildFromTemplate([{ label: 'Berth', submenu: template }, { role: 'editMenu' }, { role: 'viewMenu' }]),
      );
      return;
    }
    if (!this.lastState) this.options.log(`tray ready (${model.state})`);
    this.lastState = model.state;
    const menu = Menu.buildFromTemplate(template);
    tray.setImage(trayIconFile(this.options.resources, model.state, this.options.platform));
    tray.setToolTip(model.summary);
    menu.on('menu-will-show', () => this.poller.watch('menu', true));
    menu.on('menu-will-close', () => this.poller.watch('menu', false));
    tray.setContextMenu(menu);
  }
}
