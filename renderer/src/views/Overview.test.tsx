// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOSTS, allIn, fakeApi, renderView, snapshotFor } from '../testing.js';
import { Overview } from './Overview.js';
import { engineTrouble } from '../../../electron/common/contracts/engine-trouble.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('Overview', () => {
  it('models on demand: asleep with its badge, how it wakes and sleeps, and when it was last used', () => {
    const status = allIn(snapshotFor(HOSTS.laptop), 'healthy').map((s) =>
      s.name.startsWith('vllm-') ? { ...s, state: 'asleep' as const } : s,
    );
    const used = new Date(2026, 11, 3, 14, 5).toISOString();
    const snapshot = { ...snapshotFor(HOSTS.laptop, { status }), lastUsed: { 'vllm-qwen3': used } };
    renderView(<Overview api={fakeApi()} snapshot={snapshot} progress={{}} onChanged={() => undefined} />);
    expect(screen.getByTestId('state-vllm-qwen3').textContent).toBe('asleep');
    expect(screen.getByTestId('on-demand-vllm-qwen3').textContent).toMatch(
      /^wakes on request · sleeps after 15 min idle · last used 14:05$/,
    );
    expect(screen.getByTestId('on-demand-vllm-llama3').textContent).toMatch(/· not used since Berth started$/);
    expect(screen.queryByTestId('on-demand-litellm')).toBeNull();
  });

  it('a wake gateway that could not start: said above the services, with its fix', () => {
    const status = allIn(snapshotFor(HOSTS.laptop), 'healthy').map((s) =>
      s.name.startsWith('vllm-') ? { ...s, state: 'asleep' as const } : s,
    );
    const wakeGateway = {
      problem: 'models on demand cannot wake: the wake gateway could not start (listen EADDRINUSE: 172.17.0.1:4001)',
      fix: 'another program holds port 4001: stop it, or set ports.wake in Settings',
    };
    const snapshot = { ...snapshotFor(HOSTS.laptop, { status }), wakeGateway };
    renderView(<Overview api={fakeApi()} snapshot={snapshot} progress={{}} onChanged={() => undefined} />);
    const alert = screen.getByTestId('wake-gateway');
    expect(within(alert).getByText('Models on demand cannot wake')).toBeTruthy();
    expect(within(alert).getByText(wakeGateway.problem)).toBeTruthy();
    expect(within(alert).getByText(wakeGateway.fix)).toBeTruthy();
  });

  it('engine down: says which trouble it is, gives the fix for this machine, and checks again by itself', () => {
    vi.useFakeTimers();
    const onChanged = vi.fn();
    const trouble = engineTrouble('permission', 'permission denied on unix:///var/run/docker.sock');
    const facts = { ...HOSTS.laptop, engine: null, engineProblem: trouble.message, engineTrouble: trouble };
    const snapshot = snapshotFor(facts, { engine: { endpoint: null, trouble } });
    renderView(<Overview api={fakeApi()} snapshot={snapshot} progress={{}} onChanged={onChanged} />);
    const guide = screen.getByTestId('first-run');
    expect(guide.getAttribute('data-trouble')).toBe('permission');
    expect(guide.textContent).toMatch(/Berth may not use Docker yet.*sudo usermod -aG docker "\$USER"/);
    expect((screen.getByRole('button', { name: /Start all/ }) as HTMLButtonElement).disabled).toBe(true);
    act(() => void vi.advanceTimersByTime(3000));
    expect(onChanged).toHaveBeenCalledTimes(1);
    act(() => void vi.advanceTimersByTime(3000));
    expect(onChanged).toHaveBeenCalledTimes(2);
  });

  it('engine answers, nothing created: the stack is offered with its pictures, and Start all starts it only when clicked', async () => {
    const api = fakeApi({ up: async () => ({ ok: true, summary: '6 healthy', failed: [] }) });
    const snapshot = snapshotFor(HOSTS.workstation);
    renderView(<Overview api={api} snapshot={snapshot} progress={{}} onChanged={() => undefined} />);
    expect(screen.getByTestId('ready-to-start')).toBeTruthy();
    // The pictures load as a chunk of their own, just after the view; meanwhile a status says so, with a role that
    // lets it carry its name (a span named without one is an axe "aria-prohibited-attr").
    expect(screen.getByRole('status', { name: 'Drawing the plan' })).toBeTruthy();
    expect(await screen.findByTestId('plan-pictures')).toBeTruthy();
    expect(api.calls.filter((c) => c.method === 'up')).toEqual([]);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: /Start all/ })));
    expect(api.calls.filter((c) => c.method === 'up')).toEqual([{ method: 'up', args: [] }]);
    expect(screen.getByRole('status').textContent).toBe('6 healthy');
  });

  it('healthy: a badge with icon and word per service, links that open Open WebUI and Grafana', () => {
    const base = snapshotFor(HOSTS.workstation);
    renderView(
      <Overview
        api={fakeApi()}
        snapshot={{ ...base, status: allIn(base, 'healthy') }}
        progress={{}}
        onChanged={() => undefined}
      />,
    );
    const badge = screen.getByTestId('state-litellm');
    expect(badge.textContent).toBe('healthy');
    expect(badge.getAttribute('data-state')).toBe('healthy');
    expect(badge.querySelector('svg')).toBeTruthy();
    const webui = screen.getByRole('link', { name: /Open WebUI :8080/ });
    expect(webui.getAttribute('href')).toBe('http://127.0.0.1:8080/');
    expect(webui.getAttribute('target')).toBe('_blank');
    expect(screen.getByRole('link', { name: /Grafana :3000/ })).toBeTruthy();
    expect(screen.queryByTestId('ready-to-start')).toBeNull();
  });

  it("failing: the failure's explanation and fix inline, the exit code on the badge", () => {
    const base = snapshotFor(HOSTS.workstation);
    const status = allIn(base, 'healthy').map((s) =>
      s.name === 'vllm-qwen3'
        ? {
            ...s,
            state: 'exited' as const,
            exitCode: 1,
            problem: {
              message: 'the KV cache is too small for the context',
              fix: 'lower the context or raise the KV cache',
            },
          }
        : s,
    );
    renderView(<Overview api={fakeApi()} snapshot={{ ...base, status }} progress={{}} onChanged={() => undefined} />);
    expect(screen.getByTestId('state-vllm-qwen3').textContent).toBe('exited (1)');
    expect(screen.getByTestId('problem-vllm-qwen3').textContent).toBe(
      'the KV cache is too small for the context — lower the context or raise the KV cache',
    );
    expect(
      within(screen.getByRole('row', { name: /vllm-qwen3/ })).getByRole('button', { name: 'Start vllm-qwen3' }),
    ).toBeTruthy();
  });

  it('while up runs: a progress bar with the percentage and the time taken', () => {
    const base = snapshotFor(HOSTS.workstation);
    const since = Date.now() - 12_000;
    const progress = {
      'vllm-qwen3': {
        event: {
          kind: 'downloading' as const,
          service: 'vllm-qwen3',
          model: 'Qwen/Qwen3-1.7B',
          bytesDone: 1024 ** 3,
          bytesTotal: 4 * 1024 ** 3,
        },
        at: Date.now(),
        since,
      },
    };
    renderView(<Overview api={fakeApi()} snapshot={base} progress={progress} onChanged={() => undefined} />);
    const shown = screen.getByTestId('progress-vllm-qwen3');
    expect(shown.textContent).toMatch(/^Downloading weights 1(\.0)? GiB of 4(\.0)? GiB · 25% · 1[23] s$/);
    expect(within(shown).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
  });

  it('a Docker Desktop VM smaller than the plan: where to raise its memory', () => {
    renderView(
      <Overview api={fakeApi()} snapshot={snapshotFor(HOSTS.mac)} progress={{}} onChanged={() => undefined} />,
    );
    expect(screen.getByTestId('small-vm').textContent).toMatch(
      /Docker Desktop › Settings › Resources › Advanced: raise Memory/,
    );
  });

  it('in dark too, the same parts', async () => {
    const base = snapshotFor(HOSTS.gpuServer);
    renderView(
      <Overview
        api={fakeApi()}
        snapshot={{ ...base, status: allIn(base, 'starting') }}
        progress={{}}
        onChanged={() => undefined}
      />,
      'dark',
    );
    expect(screen.getByTestId('state-vllm-coder').textContent).toBe('starting');
    expect((await screen.findAllByRole('figure')).map((f) => f.getAttribute('aria-label'))).toEqual(['GPU 0']);
  });

  it("says each model's fit in vLLM's terms, and what vLLM reported at its last start beside the plan", () => {
    const facts = HOSTS.workstation;
    const before = snapshotFor(facts);
    const qwen = before.plan?.services.find((s) => s.name === 'vllm-qwen3');
    renderView(<Overview api={fakeApi()} snapshot={before} progress={{}} onChanged={() => undefined} />);
    expect(screen.getByTestId('fit-vllm-qwen3').textContent).toMatch(/^fits(:| )\S+ context/);
    expect(screen.getByTestId('vllm-vllm-qwen3').textContent).toMatch(
      /^planned \d+ GiB KV → vLLM should hold [\d,]+ tokens: \d+ requests? of \S+$/,
    );
    cleanup();
    // The same image and engine measured 37,000 tokens on 2026-11-30, within 2% of what the plan's cache holds by
    // config.json's arithmetic (4 GiB: 292 blocks of 128 tokens, 37,376): the line says so, with the date.
    const measurement = {
      service: 'vllm-qwen3',
      image: qwen?.image ?? '',
      model: 'Qwen/Qwen3-1.7B',
      device: 'cpu' as const,
      engine: facts.engine?.endpoint ?? '',
      at: '2026-11-30T10:00:00.000Z',
      planned: qwen?.model?.expected ?? {},
      measured: { kvTokens: 37_000, maxConcurrency: 1, maxModelLen: 36_864, weightsBytes: 3.17 * 1024 ** 3 },
    };
    renderView(
      <Overview
        api={fakeApi()}
        snapshot={snapshotFor(facts, { measurements: [measurement] })}
        progress={{}}
        onChanged={() => undefined}
      />,
    );
    expect(screen.getByTestId('vllm-vllm-qwen3').textContent).toBe(
      `planned ${qwen?.kvCacheGiB} GiB KV → vLLM holds 37,000 tokens: 1 request of ${Math.round((qwen?.model?.maxModelLen ?? 0) / 1024)}k (measured 2026-11-30)`,
    );
  });
});
