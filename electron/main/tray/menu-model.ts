import { onlyLinkDown, type EngineTrouble } from '../../common/contracts/engine-trouble.js';
import type { ServiceStatus } from '../../common/contracts/status.js';
import type { KeepAlive } from '../../common/contracts/settings.js';
import { DEFAULT_KEEP_ALIVE_MINUTES } from '../../common/planner/on-demand.js';
import { isActive, isUp, stackState, type StackState } from '../../common/status/service-state.js';

/** What a menu item does; the shell maps each to the backend, a window or the OS. */
export type TrayAction =
  | { type: 'start'; service?: string }
  | { type: 'stop'; service?: string }
  | { type: 'open-dashboard'; view?: 'updates' }
  | { type: 'open-url'; url: string }
  | { type: 'show-logs'; service: string }
  | { type: 'keep-alive'; service: string; keepAlive: KeepAlive }
  | { type: 'use-engine'; name: string }
  | { type: 'toggle-start-at-login' }
  | { type: 'install-update' }
  | { type: 'quit' };

export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; label: string; action: TrayAction; enabled: boolean }
  | { kind: 'checkbox'; label: string; checked: boolean; action: TrayAction }
  | { kind: 'submenu'; label: string; items: TrayItem[] };

/** Everything the menu shows; built from the backend's events, never from a timer. */
export interface TrayInput {
  engine: { endpoint: string | null; trouble?: EngineTrouble; name?: string };
  /** The engines the user can switch to ("local" first); the menu offers them when there is more than one. */
  engines?: { name: string; endpoint?: string }[];
  /** The plan's services with their live state ('missing' when not created). */
  services: ServiceStatus[];
  /** The plan's model services, in plan order, with the name clients use. */
  /** The models, with the device where it is not the engine's own ("Metal": on the Mac's GPU). */
  models: { service: string; servedName: string; keepAlive?: KeepAlive; device?: string }[];
  /** Generation tokens/s per model service, present only while the model generates. */
  tokensPerS: Record<string, number>;
  /** An operation in flight (start all, stop one…), shown instead of the actions it would repeat. */
  busy?: string;
  /** Why the wake gateway is not running: asleep models cannot wake until it is. */
  wakeProblem?: string;
  links: { openWebUi?: string; grafana?: string };
  startAtLogin: { enabled: boolean; note?: string };
  updateReady?: string;
  /** Services whose planned image is newer than the one they run: the window's Updates view tries them. */
  upgradesWaiting?: number;
  quitStopsStack: boolean;
}

export interface TrayModel {
  state: StackState;
  /** The one line that says how the stack is: the tooltip and the menu's first line. */
  summary: string;
  items: TrayItem[];
}

const STATE_WORDS: Record<StackState, string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  healthy: 'All services healthy',
  degraded: 'Some services are not running',
  failed: 'A service failed',
};

const SERVICE_WORDS: Record<ServiceStatus['state'], string> = {
  missing: 'stopped',
  created: 'created',
  starting: 'starting',
  healthy: 'running',
  running: 'running',
  unhealthy: 'unhealthy',
  exited: 'stopped',
  restarting: 'restarting',
  'oom-killed': 'out of memory',
  asleep: 'asleep, wakes on request',
  waking: 'waking',
};

/** The keep-alives the tray offers; Settings takes any number of minutes. */
const KEEP_ALIVE_CHOICES: readonly KeepAlive[] = ['always', 5, DEFAULT_KEEP_ALIVE_MINUTES, 60];

function keepAliveItems(model: { service: string; keepAlive?: KeepAlive }): TrayItem {
  const current = model.keepAlive ?? 'always';
  return {
    kind: 'submenu',
    label: `Keep awake: ${current === 'always' ? 'always' : `${current} min idle, then sleep`}`,
    items: [...new Set([...KEEP_ALIVE_CHOICES, current])].map((choice): TrayItem => ({
      kind: 'checkbox',
      label: choice === 'always' ? 'Always' : `Sleep after ${choice} min idle`,
      checked: choice === current,
      action: { type: 'keep-alive', service: model.service, keepAlive: choice },
    })),
  };
}

function summaryLine(input: TrayInput, state: StackState): string {
  // A remote engine whose SSH connection dropped: Docker there may be fine, the link is not.
  if (!input.engine.endpoint && onlyLinkDown(input.engine.trouble))
    return `Connection lost to ${input.engine.name ?? 'the engine'}: reconnecting…`;
  if (!input.engine.endpoint)
    return `Docker is not reachable${input.engine.trouble ? `: ${input.engine.trouble.message}` : ''}`;
  if (input.busy) return input.busy;
  const up = input.services.filter((s) => isUp(s.state)).length;
  const words = STATE_WORDS[state];
  return state === 'stopped' || state === 'healthy'
    ? `Berth: ${words}`
    : `Berth: ${words} (${up} of ${input.services.length} up)`;
}

function modelItem(
  input: TrayInput,
  model: { service: string; servedName: string; keepAlive?: KeepAlive; device?: string },
  engineUp: boolean,
): TrayItem {
  const status = input.services.find((s) => s.name === model.service);
  const words = !status
    ? 'stopped'
    : status.state === 'asleep' && input.wakeProblem
      ? 'asleep, cannot wake: the wake gateway is not running'
      : SERVICE_WORDS[status.state];
  const rate = input.tokensPerS[model.service];
  const speed = rate !== undefined && rate > 0 ? ` · ${rate.toFixed(1)} tok/s` : '';
  const label = `${model.servedName}${model.device ? ` on ${model.device}` : ''} — ${words}${speed}`;
  const running = !!status && isActive(status.state);
  return {
    kind: 'submenu',
    label,
    items: [
      running
        ? {
            kind: 'action',
            label: `Stop ${model.servedName}`,
            action: { type: 'stop', service: model.service },
            enabled: engineUp && !input.busy,
          }
        : {
            kind: 'action',
            label: `Start ${model.servedName}`,
            action: { type: 'start', service: model.service },
            enabled: engineUp && !input.busy,
          },
      {
        kind: 'action',
        label: 'Show logs',
        action: { type: 'show-logs', service: model.service },
        enabled: !!status && status.state !== 'missing',
      },
      keepAliveItems(model),
    ],
  };
}

/** Which engine Berth uses, where more than one is named. */
function engineSubmenu(input: TrayInput): TrayItem | undefined {
  const engines = input.engines ?? [];
  if (engines.length <= 1) return undefined;
  const current = input.engine.name ?? 'local';
  return {
    kind: 'submenu',
    label: `Engine: ${current === 'local' ? 'This Mac or PC' : current}`,
    items: engines.map(
      (e) =>
        ({
          kind: 'checkbox',
          label: e.name === 'local' ? 'This Mac or PC (local)' : `${e.name} — ${e.endpoint}`,
          checked: e.name === current,
          action: { type: 'use-engine', name: e.name },
        }) satisfies TrayItem,
    ),
  };
}

/** Each service that has a container, its log a click away. */
function logsSubmenu(created: readonly string[]): TrayItem {
  return {
    kind: 'submenu',
    label: 'Logs',
    items: created.length
      ? created.map(
          (name) =>
            ({
              kind: 'action',
              label: name,
              action: { type: 'show-logs', service: name },
              enabled: true,
            }) satisfies TrayItem,
        )
      : [{ kind: 'label', label: 'No service has run yet' }],
  };
}

/** The tray menu as data: a pure function of engine state, so it is tested without Electron. */
export function trayMenu(input: TrayInput): TrayModel {
  const state = stackState(input.engine, input.services, { busy: !!input.busy });
  const summary = summaryLine(input, state);
  const engineUp = !!input.engine.endpoint;
  const anyUp = input.services.some((s) => isActive(s.state));
  const allUp = input.services.length > 0 && input.services.every((s) => isUp(s.state));
  const active = (name: string) => isActive(input.services.find((s) => s.name === name)?.state ?? 'missing');
  const created = input.services.filter((s) => s.state !== 'missing').map((s) => s.name);
  const items: TrayItem[] = [{ kind: 'label', label: summary }];
  const engines = engineSubmenu(input);
  if (engines) items.push(engines);
  if (input.models.length) {
    items.push({ kind: 'separator' }, { kind: 'label', label: 'Models' });
    for (const model of input.models) items.push(modelItem(input, model, engineUp));
  }
  items.push(
    { kind: 'separator' },
    { kind: 'action', label: 'Start All', action: { type: 'start' }, enabled: engineUp && !input.busy && !allUp },
    { kind: 'action', label: 'Stop All', action: { type: 'stop' }, enabled: engineUp && !input.busy && anyUp },
    { kind: 'separator' },
    { kind: 'action', label: 'Open Dashboard', action: { type: 'open-dashboard' }, enabled: true },
    ...(input.upgradesWaiting
      ? [
          {
            kind: 'action',
            label: `Newer Images to Try (${input.upgradesWaiting})…`,
            action: { type: 'open-dashboard', view: 'updates' },
            enabled: true,
          } satisfies TrayItem,
        ]
      : []),
    {
      kind: 'action',
      label: 'Open Open WebUI',
      action: { type: 'open-url', url: input.links.openWebUi ?? '' },
      enabled: !!input.links.openWebUi && active('open-webui'),
    },
    {
      kind: 'action',
      label: 'Open Grafana',
      action: { type: 'open-url', url: input.links.grafana ?? '' },
      enabled: !!input.links.grafana && active('grafana'),
    },
    logsSubmenu(created),
    { kind: 'separator' },
    {
      kind: 'checkbox',
      label: 'Start at Login',
      checked: input.startAtLogin.enabled,
      action: { type: 'toggle-start-at-login' },
    },
  );
  if (input.startAtLogin.note) items.push({ kind: 'label', label: input.startAtLogin.note });
  if (input.updateReady)
    items.push({
      kind: 'action',
      label: `Restart to Update to ${input.updateReady}`,
      action: { type: 'install-update' },
      enabled: true,
    });
  items.push(
    { kind: 'separator' },
    {
      kind: 'action',
      label: input.quitStopsStack ? 'Quit Berth and Stop the Stack' : 'Quit Berth',
      action: { type: 'quit' },
      enabled: true,
    },
  );
  return { state, summary, items };
}
