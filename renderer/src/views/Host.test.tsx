// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../client.js';
import { HOSTS, fakeApi, renderView, snapshotFor } from '../testing.js';
import { Host } from './Host.js';

afterEach(cleanup);

describe('Host', () => {
  it('what was detected, the plan as pictures grouped by NUMA node, and the warnings', () => {
    renderView(<Host api={fakeApi()} snapshot={snapshotFor(HOSTS.workstation)} />);
    expect(screen.getByText(/16 physical cores, 32 threads/)).toBeTruthy();
    expect(screen.getByText('None: the plan fits this machine.')).toBeTruthy();
    expect(screen.getByText('NUMA 0')).toBeTruthy();
    expect(screen.getByText('NUMA 1')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'CPU 8: vllm-qwen3, OpenMP thread' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'CPU 7: frontends and services' })).toBeTruthy();
  });

  it('an overcommitted plan: its warning, and the memory bar over in the warning colour', () => {
    renderView(<Host api={fakeApi()} snapshot={snapshotFor(HOSTS.mac)} />);
    expect(screen.getByText('insufficient-memory')).toBeTruthy();
    expect(screen.getByTestId('memory-over').textContent).toMatch(/^over by \d+\.\d GiB$/);
  });

  it("runs berth doctor's checks through the API, each with its state in words and a failing one's fix", async () => {
    const api = fakeApi({
      doctor: async () => [
        { id: 'engine', title: 'Docker engine', status: 'ok', message: 'docker-engine 27 answers' },
        {
          id: 'ports',
          title: 'Ports',
          status: 'fail',
          message: 'port 8000 is in use',
          fix: 'stop what uses it or set ports.vllm-qwen3',
        },
      ],
    });
    renderView(<Host api={api} snapshot={snapshotFor(HOSTS.workstation)} />);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: /Run the checks/ })));
    const items = within(screen.getByRole('list', { name: 'Checks' })).getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('data-status'))).toEqual(['ok', 'fail']);
    expect(screen.getByLabelText('failed')).toBeTruthy();
    expect(screen.getByText('fix: stop what uses it or set ports.vllm-qwen3')).toBeTruthy();
  });

  it('the checks failing to run: what the backend said', async () => {
    renderView(
      <Host
        api={fakeApi({ doctor: async () => Promise.reject(new ApiError('the backend is gone')) })}
        snapshot={snapshotFor(HOSTS.workstation)}
      />,
    );
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: /Run the checks/ })));
    expect(screen.getByRole('status').textContent).toBe('the backend is gone');
  });
});
