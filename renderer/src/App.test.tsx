// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineTrouble } from '../../electron/common/contracts/engine-trouble.js';
import { App } from './App.js';
import { ApiError } from './client.js';
import { HOSTS, fakeApi, fakeClient, renderView, snapshotFor } from './testing.js';

beforeEach(() => localStorage.clear());
afterEach(cleanup);

describe('the window', () => {
  it('loading: says it is looking at this machine, then shows the plan, live', async () => {
    let answer: (value: ReturnType<typeof snapshotFor>) => void = () => undefined;
    const client = fakeClient(fakeApi({ snapshot: () => new Promise((resolve) => (answer = resolve)) }));
    renderView(<App client={client} />);
    expect(screen.getByText('Looking at this machine…')).toBeTruthy();
    expect(screen.getByTestId('freshness').textContent).toBe('loading…');
    await act(async () => answer(snapshotFor(HOSTS.workstation)));
    expect(screen.getByTestId('freshness').textContent).toBe('live');
    expect(screen.getByTestId('stack-state').textContent).toBe('Stopped');
  });

  it('the last known state at once while the backend is slow, and its error when it fails', async () => {
    localStorage.setItem('berth.lastSnapshot', JSON.stringify(snapshotFor(HOSTS.workstation)));
    const client = fakeClient(
      fakeApi({ snapshot: async () => Promise.reject(new ApiError('the backend stopped', 'start Berth again')) }),
    );
    renderView(<App client={client} />);
    expect(screen.getByTestId('freshness').textContent).toBe('last known state');
    expect(screen.getByTestId('state-vllm-qwen3')).toBeTruthy();
    await act(async () => undefined);
    expect(screen.getByText('the backend stopped — start Berth again')).toBeTruthy();
    expect(screen.getByText('The backend did not answer')).toBeTruthy();
  });

  it('status events move the badges without asking the backend again', async () => {
    const api = fakeApi({ snapshot: async () => snapshotFor(HOSTS.workstation) });
    const client = fakeClient(api);
    renderView(<App client={client} />);
    await act(async () => undefined);
    await act(async () =>
      client.emit({ type: 'status', services: [{ name: 'litellm', state: 'healthy', ports: [4000] }] }),
    );
    expect(screen.getByTestId('state-litellm').textContent).toBe('healthy');
    expect(screen.getByTestId('stack-state').textContent).toBe('Partly up');
    expect(api.calls.filter((c) => c.method === 'snapshot')).toHaveLength(1);
  });

  it('the stack state the tray shows: a lost link is degraded, an absent engine stopped, by kind not by words', async () => {
    const running = HOSTS.workstation;
    const api = fakeApi({ snapshot: async () => snapshotFor(running) });
    const client = fakeClient(api);
    renderView(<App client={client} />);
    await act(async () => undefined);
    await act(async () =>
      client.emit({ type: 'status', services: [{ name: 'litellm', state: 'healthy', ports: [4000] }] }),
    );
    const lost = engineTrouble('link-lost', 'the tunnel to gpu-box closed');
    await act(async () => client.emit({ type: 'engine', endpoint: null, trouble: lost }));
    expect(screen.getByTestId('stack-state').textContent).toBe('Partly up');
    const absent = engineTrouble('absent', 'connection lost, this sentence begins, yet Docker is simply stopped');
    await act(async () => client.emit({ type: 'engine', endpoint: null, trouble: absent }));
    expect(screen.getByTestId('stack-state').textContent).toBe('Stopped');
  });
});
