// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTS, allIn, fakeApi, fakeClient, renderView, snapshotFor } from '../testing.js';
import { Logs } from './Logs.js';

afterEach(cleanup);

describe('Logs', () => {
  it('nothing runs: says where to start the stack', () => {
    const client = fakeClient(fakeApi());
    renderView(<Logs client={client} snapshot={snapshotFor(HOSTS.workstation)} />);
    expect(screen.getByText('No service runs yet: start the stack in Overview.')).toBeTruthy();
  });

  it('follows a service: asks the backend to, counts what arrives, and a failed follow says why', async () => {
    const api = fakeApi({
      followLogs: async () => Promise.reject(new Error('"litellm" has no container yet; start it first')),
      unfollowLogs: async () => undefined,
    });
    const client = fakeClient(api);
    const base = snapshotFor(HOSTS.workstation);
    renderView(
      <Logs client={client} snapshot={{ ...base, status: allIn(base, 'healthy') }} initialService="litellm" />,
    );
    await act(async () => undefined);
    expect(api.calls[0]).toEqual({ method: 'followLogs', args: ['litellm'] });
    expect(screen.getByRole('alert').textContent).toBe('"litellm" has no container yet; start it first');
    await act(async () => {
      client.emit({
        type: 'log',
        service: 'litellm',
        lines: [
          { stream: 'stdout', text: 'one' },
          { stream: 'stderr', text: 'Traceback: two' },
        ],
      });
      await new Promise((r) => setTimeout(r, 50));
    });
    expect(screen.getByText('2 lines')).toBeTruthy();
    expect((screen.getByRole('button', { name: /First error/ }) as HTMLButtonElement).disabled).toBe(false);
  });
});
