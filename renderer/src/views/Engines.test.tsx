// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/common/contracts/settings.js';
import { ApiError } from '../client.js';
import { EngineSwitch } from '../ui/EngineSwitch.js';
import { engineTrouble } from '../../../electron/common/contracts/engine-trouble.js';
import { HOSTS, fakeApi, renderView, snapshotFor } from '../testing.js';
import { Engines } from './Engines.js';

afterEach(cleanup);

const GPU_BOX = { engines: [{ name: 'gpu-box', endpoint: 'ssh://me@gpu-box' }] };

describe('Settings: engines', () => {
  it('adds a GPU host by its ssh alias, as an ssh:// engine', async () => {
    const api = fakeApi({
      updateSettings: async (patch) => ({ ...snapshotFor(HOSTS.workstation).settings, ...patch }) as Settings,
    });
    renderView(<Engines api={api} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'gpu-box' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Add engine' })));
    expect(api.calls).toEqual([
      { method: 'updateSettings', args: [{ engines: [{ name: 'gpu-box', endpoint: 'ssh://gpu-box' }] }] },
    ]);
    expect(screen.getByTestId('engines-message').textContent).toBe('Added gpu-box.');
  });

  it('a name the backend refuses: says why, and keeps what was typed for correcting', async () => {
    const api = fakeApi({
      updateSettings: async () => Promise.reject(new ApiError('engines.0.name: a name such as gpu-box')),
    });
    renderView(<Engines api={api} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'GPU Box' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Add engine' })));
    expect(screen.getByTestId('engines-message').textContent).toBe('engines.0.name: a name such as gpu-box');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('GPU Box');
  });

  it('makes an engine the one in use', async () => {
    const api = fakeApi();
    renderView(
      <Engines api={api} snapshot={snapshotFor(HOSTS.workstation, { settings: GPU_BOX })} onSaved={() => undefined} />,
    );
    const row = screen.getByText('ssh://me@gpu-box').closest('tr') as HTMLElement;
    await act(async () => void fireEvent.click(within(row).getByRole('button', { name: 'Use' })));
    expect(api.calls).toEqual([{ method: 'updateSettings', args: [{ engine: 'gpu-box' }] }]);
  });
});

describe('the header: which engine', () => {
  it('switches engine from the header when there is more than one', async () => {
    const api = fakeApi();
    renderView(
      <EngineSwitch
        api={api}
        snapshot={snapshotFor(HOSTS.workstation, { settings: GPU_BOX })}
        onSwitched={() => undefined}
      />,
    );
    await act(async () => void fireEvent.change(screen.getByLabelText('Engine'), { target: { value: 'gpu-box' } }));
    expect(api.calls).toEqual([{ method: 'updateSettings', args: [{ engine: 'gpu-box' }] }]);
  });

  it('says a remote link is lost, and that ports are not forwarded', () => {
    const lost = snapshotFor(HOSTS.workstation, {
      settings: { ...GPU_BOX, engine: 'gpu-box' },
      engine: {
        endpoint: null,
        name: 'gpu-box',
        trouble: engineTrouble('link-lost', 'connection lost to ssh://me@gpu-box; reconnecting'),
      },
    });
    renderView(<EngineSwitch api={fakeApi()} snapshot={lost} onSwitched={() => undefined} />);
    expect(screen.getByTestId('link-lost').textContent).toBe('connection lost — reconnecting');
    cleanup();
    const unforwarded = snapshotFor(HOSTS.workstation, {
      settings: { ...GPU_BOX, engine: 'gpu-box' },
      engine: { endpoint: 'ssh://me@gpu-box', name: 'gpu-box', forwardsUp: false },
    });
    renderView(<EngineSwitch api={fakeApi()} snapshot={unforwarded} onSwitched={() => undefined} />);
    expect(screen.getByTestId('forwards-down')).toBeTruthy();
    expect(screen.queryByTestId('link-lost')).toBeNull();
  });

  it('shows nothing while only this machine is known', () => {
    renderView(<EngineSwitch api={fakeApi()} snapshot={snapshotFor(HOSTS.workstation)} onSwitched={() => undefined} />);
    expect(screen.queryByLabelText('Engine')).toBeNull();
  });
});
