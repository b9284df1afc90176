import { stackViewFromSnapshot, withEvent, type StackView } from './tray-input.js';
import { describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../common/contracts/status.js';
import { trayMenu, type TrayInput, type TrayItem } from './menu-model.js';
import { stackState } from '../../common/status/service-state.js';
import { engineTrouble } from '../../common/contracts/engine-trouble.js';
import type { HostFacts } from '../../common/contracts/host-facts.js';
import type { Snapshot } from '../../common/api/berth-api.js';
import { DEFAULT_SETTINGS } from '../../common/contracts/settings.js';
import { planStack } from '../../common/planner/plan.js';

const ON = { endpoint: 'unix:///var/run/docker.sock' };

const svc = (name: string, state: ServiceStatus['state'], extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  name,
  state,
  ports: [],
  ...extra,
});

function input(services: ServiceStatus[], extra: Partial<TrayInput> = {}): TrayInput {
  return {
    engine: { endpoint: 'unix:///var/run/docker.sock' },
    services,
    models: [
      { service: 'vllm-qwen3', servedName: 'qwen3-4b' },
      { service: 'vllm-llama', servedName: 'llama-3.2-3b' },
    ],
    tokensPerS: {},
    links: { openWebUi: 'http://127.0.0.1:3000/', grafana: 'http://127.0.0.1:3001/' },
    startAtLogin: { enabled: false },
    quitStopsStack: false,
    ...extra,
  };
}

const all = (state: ServiceStatus['state']) =>
  ['vllm-qwen3', 'vllm-llama', 'litellm', 'open-webui', 'grafana'].map((n) => svc(n, state));

function find(items: TrayItem[], label: string | RegExp): TrayItem | undefined {
  for (const item of items) {
    if ('label' in item && (typeof label === 'string' ? item.label === label : label.test(item.label))) return item;
    if (item.kind === 'submenu') {
      const inner = find(item.items, label);
      if (inner) return inner;
    }
  }
  return undefined;
}

describe('the stack state the tray icon shows', () => {
  it('is stopped, starting, healthy, degraded or failed from the services', () => {
    expect(stackState(ON, all('missing'))).toBe('stopped');
    expect(stackState(ON, all('healthy'))).toBe('healthy');
    expect(stackState(ON, [svc('a', 'healthy'), svc('b', 'starting')])).toBe('starting');
    expect(stackState(ON, [svc('a', 'healthy'), svc('b', 'exited', { exitCode: 0 })])).toBe('degraded');
    expect(stackState(ON, [svc('a', 'healthy'), svc('b', 'exited', { exitCode: 1 })])).toBe('failed');
    expect(stackState(ON, [svc('a', 'healthy'), svc('b', 'oom-killed')])).toBe('failed');
    expect(stackState(ON, all('missing'), { busy: true })).toBe('starting');
  });
});

describe('the tray menu', () => {
  it('a model on demand: asleep in words, the stack still healthy, and a keep-awake submenu with its choice ticked', () => {
    const services = all('healthy').map((s) => (s.name === 'vllm-qwen3' ? svc(s.name, 'asleep') : s));
    const menu = trayMenu(
      input(services, {
        models: [
          { service: 'vllm-qwen3', servedName: 'qwen3-4b', keepAlive: 15 },
          { service: 'vllm-llama', servedName: 'llama-3.2-3b', keepAlive: 'always' },
        ],
      }),
    );
    expect(menu.state).toBe('healthy');
    expect(find(menu.items, 'qwen3-4b — asleep, wakes on request')?.kind).toBe('submenu');
    // Asleep holds nothing: Start wakes it (and keeps it awake until stopped).
    expect(find(menu.items, 'Start qwen3-4b')).toMatchObject({ action: { type: 'start', service: 'vllm-qwen3' } });
    const keep = find(menu.items, 'Keep awake: 15 min idle, then sleep');
    expect(keep?.kind).toBe('submenu');
    const choices = keep?.kind === 'submenu' ? keep.items : [];
    expect(choices.map((c) => (c.kind === 'checkbox' ? [c.label, c.checked] : []))).toEqual([
      ['Always', false],
      ['Sleep after 5 min idle', false],
      ['Sleep after 15 min idle', true],
      ['Sleep after 60 min idle', false],
    ]);
    expect(choices[0]).toMatchObject({ action: { type: 'keep-alive', service: 'vllm-qwen3', keepAlive: 'always' } });
    expect(find(menu.items, 'Keep awake: always')?.kind).toBe('submenu');
  });

  it('a wake gateway that could not start: an asleep model says it cannot wake, until the gateway runs again', () => {
    const services = all('healthy').map((s) => (s.name === 'vllm-qwen3' ? svc(s.name, 'asleep') : s));
    const models = [{ service: 'vllm-qwen3', servedName: 'qwen3-4b', keepAlive: 15 as const }];
    const problem = 'models on demand cannot wake: the wake gateway could not start (listen EADDRINUSE)';
    const view: StackView = { ...input(services, { models }), links: {} };
    const down = withEvent(view, { type: 'wake-gateway', problem: { problem, fix: 'free port 4001' } });
    const menu = trayMenu({ ...input(services, { models }), ...down });
    expect(find(menu.items, 'qwen3-4b — asleep, cannot wake: the wake gateway is not running')?.kind).toBe('submenu');
    const back = withEvent(down, { type: 'wake-gateway' });
    expect(
      find(trayMenu({ ...input(services, { models }), ...back }).items, 'qwen3-4b — asleep, wakes on request'),
    ).toBeTruthy();
  });

  it('starts with the state line, then each model with its state and a start or stop item', () => {
    const model = trayMenu(
      input([svc('vllm-qwen3', 'healthy'), svc('vllm-llama', 'missing'), svc('litellm', 'healthy')]),
    );
    expect(model.state).toBe('degraded');
    expect(model.items[0]).toEqual({ kind: 'label', label: 'Berth: Some services are not running (2 of 3 up)' });
    const qwen = find(model.items, /^qwen3-4b/);
    expect(qwen).toMatchObject({ kind: 'submenu', label: 'qwen3-4b — running' });
    expect(find(model.items, 'Stop qwen3-4b')).toMatchObject({
      action: { type: 'stop', service: 'vllm-qwen3' },
      enabled: true,
    });
    expect(find(model.items, 'Start llama-3.2-3b')).toMatchObject({
      action: { type: 'start', service: 'vllm-llama' },
      enabled: true,
    });
  });

  it("says a model on the Mac's GPU runs on Metal, from the plan the snapshot carries", async () => {
    const { host, mac } = await import('../../../test/support/hosts.js');
    const snapshot = (facts: HostFacts) =>
      ({
        engine: { endpoint: facts.engine?.endpoint ?? null },
        facts,
        plan: planStack(facts, DEFAULT_SETTINGS),
        status: [],
        settings: DEFAULT_SETTINGS,
      }) as unknown as Snapshot;
    const view = stackViewFromSnapshot(snapshot(mac('m4-16gb-docker-desktop')));
    expect(view.models.map((m) => m.device)).toEqual(['Metal', 'Metal']);
    const laptop = stackViewFromSnapshot(snapshot(host('laptop-vm-4cpu')));
    expect(laptop.models.every((m) => m.device === undefined)).toBe(true);
    const model = trayMenu(input([svc('vllm-qwen3', 'asleep')], { models: view.models }));
    expect(find(model.items, /^qwen3-1\.7b/)).toMatchObject({
      label: 'qwen3-1.7b on Metal — asleep, wakes on request',
    });
  });

  it("shows a model's tokens per second while it generates", () => {
    const model = trayMenu(input(all('healthy'), { tokensPerS: { 'vllm-qwen3': 23.46, 'vllm-llama': 0 } }));
    expect(find(model.items, /^qwen3-4b/)).toMatchObject({ label: 'qwen3-4b — running · 23.5 tok/s' });
    expect(find(model.items, /^llama-3.2-3b/)).toMatchObject({ label: 'llama-3.2-3b — running' });
  });

  it('offers Start All only when something is down and Stop All only when something runs', () => {
    const healthy = trayMenu(input(all('healthy')));
    expect(healthy.summary).toBe('Berth: All services healthy');
    expect(find(healthy.items, 'Start All')).toMatchObject({ enabled: false });
    expect(find(healthy.items, 'Stop All')).toMatchObject({ enabled: true });
    const stopped = trayMenu(input(all('missing')));
    expect(find(stopped.items, 'Start All')).toMatchObject({ enabled: true });
    expect(find(stopped.items, 'Stop All')).toMatchObject({ enabled: false });
  });

  it('opens Open WebUI and Grafana only while they run, and lists logs of the services that ran', () => {
    const stopped = trayMenu(input(all('missing')));
    expect(find(stopped.items, 'Open Open WebUI')).toMatchObject({ enabled: false });
    expect(find(stopped.items, 'No service has run yet')).toBeDefined();
    const running = trayMenu(input(all('healthy')));
    expect(find(running.items, 'Open Open WebUI')).toMatchObject({
      enabled: true,
      action: { type: 'open-url', url: 'http://127.0.0.1:3000/' },
    });
    expect(find(running.items, 'Open Grafana')).toMatchObject({ enabled: true });
    expect(find(running.items, 'Open Dashboard')).toMatchObject({ enabled: true, action: { type: 'open-dashboard' } });
    expect(find(running.items, 'litellm')).toMatchObject({ action: { type: 'show-logs', service: 'litellm' } });
  });

  it('says when Docker is unreachable and disables what needs it', () => {
    const model = trayMenu(
      input(all('missing'), {
        engine: { endpoint: null, trouble: engineTrouble('absent', 'Docker Desktop is not running') },
      }),
    );
    expect(model.summary).toBe('Docker is not reachable: Docker Desktop is not running');
    expect(find(model.items, 'Start All')).toMatchObject({ enabled: false });
    expect(find(model.items, 'Start qwen3-4b')).toMatchObject({ enabled: false });
    expect(find(model.items, 'Quit Berth')).toMatchObject({ enabled: true });
  });

  it('shows an operation in flight instead of repeating it', () => {
    const model = trayMenu(input(all('missing'), { busy: 'Starting vllm-qwen3 (42%)…' }));
    expect(model.state).toBe('starting');
    expect(model.summary).toBe('Starting vllm-qwen3 (42%)…');
    expect(find(model.items, 'Start All')).toMatchObject({ enabled: false });
  });

  it('says when newer images are planned than those that run, and opens the window on them', () => {
    expect(find(trayMenu(input(all('healthy'))).items, /Newer Images/)).toBeUndefined();
    const snapshot = {
      engine: { endpoint: null },
      plan: null,
      status: [],
      settings: DEFAULT_SETTINGS,
      upgradesWaiting: 2,
    };
    expect(stackViewFromSnapshot(snapshot as unknown as Snapshot).upgradesWaiting).toBe(2);
    const model = trayMenu(input(all('healthy'), { upgradesWaiting: 2 }));
    expect(find(model.items, 'Newer Images to Try (2)…')).toEqual({
      kind: 'action',
      label: 'Newer Images to Try (2)…',
      action: { type: 'open-dashboard', view: 'updates' },
      enabled: true,
    });
  });

  it('has the start-at-login checkbox with its note, the update, and a quit that says what it does', () => {
    const model = trayMenu(
      input(all('healthy'), {
        startAtLogin: { enabled: true, note: 'Allow Berth in System Settings › Login Items' },
        updateReady: '0.3.0',
        quitStopsStack: true,
      }),
    );
    expect(find(model.items, 'Start at Login')).toEqual({
      kind: 'checkbox',
      label: 'Start at Login',
      checked: true,
      action: { type: 'toggle-start-at-login' },
    });
    expect(find(model.items, 'Allow Berth in System Settings › Login Items')).toBeDefined();
    expect(find(model.items, 'Restart to Update to 0.3.0')).toMatchObject({ action: { type: 'install-update' } });
    expect(model.items.at(-1)).toMatchObject({ label: 'Quit Berth and Stop the Stack', action: { type: 'quit' } });
  });
});

describe('the engine the tray runs the stack on', () => {
  const engines = [{ name: 'local' }, { name: 'gpu-box', endpoint: 'ssh://me@gpu-box' }];

  it('offers every engine, the one in use checked, and switching is an action', () => {
    const model = trayMenu(
      input(all('healthy'), { engine: { endpoint: 'ssh://me@gpu-box', name: 'gpu-box' }, engines }),
    );
    const submenu = find(model.items, 'Engine: gpu-box');
    expect(submenu?.kind).toBe('submenu');
    expect(find(model.items, 'gpu-box — ssh://me@gpu-box')).toEqual({
      kind: 'checkbox',
      label: 'gpu-box — ssh://me@gpu-box',
      checked: true,
      action: { type: 'use-engine', name: 'gpu-box' },
    });
    expect(find(model.items, 'This Mac or PC (local)')).toMatchObject({
      checked: false,
      action: { type: 'use-engine', name: 'local' },
    });
  });

  it('shows no engine menu while only this machine is known', () => {
    expect(find(trayMenu(input(all('healthy'), { engines: [{ name: 'local' }] })).items, /^Engine:/)).toBeUndefined();
  });

  it('says the connection to a remote engine is lost (not that Docker stopped), with the degraded icon', () => {
    const model = trayMenu(
      input(all('healthy'), {
        engine: {
          endpoint: null,
          name: 'gpu-box',
          trouble: engineTrouble('link-lost', 'connection lost to ssh://me@gpu-box; reconnecting'),
        },
        engines,
      }),
    );
    expect(model.summary).toBe('Connection lost to gpu-box: reconnecting…');
    expect(model.state).toBe('degraded');
    expect(
      trayMenu(input(all('healthy'), { engine: { endpoint: null, trouble: engineTrouble('absent', 'not running') } }))
        .summary,
    ).toBe('Docker is not reachable: not running');
  });

  it('takes the state from the trouble kind, never its sentence', () => {
    const reworded = engineTrouble('link-lost', 'the tunnel to gpu-box closed');
    const lost = trayMenu(input(all('healthy'), { engine: { endpoint: null, name: 'gpu-box', trouble: reworded } }));
    expect([lost.state, lost.summary]).toEqual(['degraded', 'Connection lost to gpu-box: reconnecting…']);
    const absent = engineTrouble('absent', 'connection lost, as this sentence happens to begin');
    const stopped = trayMenu(input(all('healthy'), { engine: { endpoint: null, trouble: absent } }));
    expect(stopped.state).toBe('stopped');
  });
});
