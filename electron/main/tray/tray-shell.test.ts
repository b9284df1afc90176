import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../common/api/berth-api.js';
import { repoRoot } from '../../../test/support/repo-root.js';
import { menuTemplate, trayIconFile } from './electron-menu.js';
import type { TrayAction } from './menu-model.js';
import { STACK_STATES } from '../../common/status/service-state.js';
import { idle, stackViewFromSnapshot, withEvent } from './tray-input.js';
import { engineTrouble } from '../../common/contracts/engine-trouble.js';

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('tray icons', () => {
  it('exist for every state: 16/32 px template images on macOS, 32/64 px coloured ones elsewhere', () => {
    const resources = path.join(repoRoot(), 'resources');
    for (const state of STACK_STATES) {
      const mac = trayIconFile(resources, state, 'darwin');
      expect(mac).toMatch(/Template\.png$/);
      expect(pngSize(mac)).toEqual({ width: 16, height: 16 });
      expect(pngSize(mac.replace('.png', '@2x.png'))).toEqual({ width: 32, height: 32 });
      const linux = trayIconFile(resources, state, 'linux');
      expect(pngSize(linux)).toEqual({ width: 32, height: 32 });
      expect(existsSync(linux.replace('.png', '@2x.png'))).toBe(true);
    }
    expect(pngSize(path.join(resources, 'icon.png'))).toEqual({ width: 1024, height: 1024 });
  });
});

describe("the tray menu in Electron's terms", () => {
  it('keeps labels, states, submenus and checkboxes, and runs the action on click', () => {
    const ran: TrayAction[] = [];
    const template = menuTemplate(
      [
        { kind: 'label', label: 'Berth: Stopped' },
        { kind: 'separator' },
        {
          kind: 'submenu',
          label: 'qwen3-4b — stopped',
          items: [
            {
              kind: 'action',
              label: 'Start qwen3-4b',
              action: { type: 'start', service: 'vllm-qwen3' },
              enabled: true,
            },
          ],
        },
        { kind: 'checkbox', label: 'Start at Login', checked: false, action: { type: 'toggle-start-at-login' } },
      ],
      (action) => ran.push(action),
    );
    expect(template[0]).toEqual({ label: 'Berth: Stopped', enabled: false });
    expect(template[1]).toEqual({ type: 'separator' });
    const start = (template[2]?.submenu as { click: () => void; label: string }[])[0];
    expect(start?.label).toBe('Start qwen3-4b');
    start?.click();
    expect(template[3]).toMatchObject({ type: 'checkbox', checked: false });
    expect(ran).toEqual([{ type: 'start', service: 'vllm-qwen3' }]);
  });
});

describe("the tray's view of the stack", () => {
  const snapshot = {
    engine: { endpoint: 'unix:///var/run/docker.sock' },
    plan: {
      services: [
        {
          name: 'vllm-qwen3',
          role: 'model',
          model: { servedName: 'qwen3-4b' },
          ports: [{ host: 8000, container: 8000 }],
        },
        { name: 'open-webui', role: 'ui', ports: [{ host: 3000, container: 8080 }] },
        { name: 'grafana', role: 'monitoring', ports: [{ host: 3001, container: 3000 }] },
      ],
    },
    status: [{ name: 'vllm-qwen3', state: 'healthy', ports: [8000] }],
    settings: { engines: [{ name: 'gpu-box', endpoint: 'ssh://me@gpu-box' }] },
  } as unknown as Snapshot;

  it('lists every planned service, models by the name clients use, and the stack links', () => {
    const view = stackViewFromSnapshot(snapshot);
    expect(view.services.map((s) => [s.name, s.state])).toEqual([
      ['vllm-qwen3', 'healthy'],
      ['open-webui', 'missing'],
      ['grafana', 'missing'],
    ]);
    expect(view.models).toEqual([{ service: 'vllm-qwen3', servedName: 'qwen3-4b', keepAlive: 'always' }]);
    expect(view.links).toEqual({ openWebUi: 'http://127.0.0.1:3000/', grafana: 'http://127.0.0.1:3001/' });
    expect(view.engines).toEqual([{ name: 'local' }, { name: 'gpu-box', endpoint: 'ssh://me@gpu-box' }]);
  });

  it("links a remote engine's services where they are forwarded to, not to the remote ports", () => {
    const remote = {
      ...snapshot,
      engine: { endpoint: 'ssh://me@gpu-box', name: 'gpu-box' },
      urls: { 'open-webui': 'http://127.0.0.1:41001/', grafana: 'http://127.0.0.1:41002/' },
    } as Snapshot;
    expect(stackViewFromSnapshot(remote).links).toEqual({
      openWebUi: 'http://127.0.0.1:41001/',
      grafana: 'http://127.0.0.1:41002/',
    });
  });

  it("follows the backend's events: states, the engine, and what is in progress until it ends", () => {
    let view = stackViewFromSnapshot(snapshot);
    view = withEvent(view, { type: 'status', services: [{ name: 'open-webui', state: 'starting', ports: [] }] });
    expect(view.services.find((s) => s.name === 'open-webui')?.state).toBe('starting');
    view = withEvent(view, {
      type: 'progress',
      event: { kind: 'pulling', service: 'grafana', image: 'grafana/grafana', percent: 41.6 },
    });
    expect(view.busy).toBe('Pulling grafana (42%)…');
    expect(idle(view).busy).toBeUndefined();
    const absent = engineTrouble('absent', 'Docker is not running');
    view = withEvent(view, { type: 'engine', endpoint: null, trouble: absent });
    expect(view.engine).toEqual({ endpoint: null, trouble: absent });
    expect(withEvent(view, { type: 'log', service: 'x', lines: [] })).toBe(view);
  });
});
