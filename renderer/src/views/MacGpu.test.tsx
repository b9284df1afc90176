// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BerthEvent } from '../../../electron/common/api/berth-api.js';
import { HOSTS, MACS, fakeApi, renderView, snapshotFor } from '../testing.js';
import { Host } from './Host.js';
import { FirstRun } from './FirstRun.js';

afterEach(cleanup);

/** The window's events, sent by hand as the backend would. */
function events() {
  const listeners = new Set<(event: BerthEvent) => void>();
  return {
    onEvent: (listener: (event: BerthEvent) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send: (event: BerthEvent) => act(() => listeners.forEach((l) => l(event))),
  };
}

describe("Host on a Mac: the Mac's GPU", () => {
  it('without vllm-metal: the documented install, run here with its log, or copied', async () => {
    let finish: (value: { ok: boolean; summary: string; failed: [] }) => void = () => undefined;
    const api = fakeApi({ installVllmMetal: () => new Promise((resolve) => (finish = resolve)) });
    const bus = events();
    renderView(<Host api={api} snapshot={snapshotFor(MACS.m4NoMetal)} onEvent={bus.onEvent} />);
    const section = screen.getByRole('region', { name: "The Mac's GPU" });
    expect(section.textContent).toContain('vllm-metal is not installed');
    expect(section.textContent).toContain('raw.githubusercontent.com/vllm-project/vllm-metal/main/install.sh | bash');
    expect(screen.getByRole('button', { name: 'Copy the command' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Install vllm-metal' }));
    expect(api.calls.map((c) => c.method)).toContain('installVllmMetal');
    bus.send({ type: 'install', line: 'Installing vLLM core' });
    bus.send({ type: 'install', line: 'Installed vllm-metal' });
    expect(screen.getByLabelText('Install log').textContent).toBe('Installing vLLM core\nInstalled vllm-metal');
    bus.send({ type: 'install', done: { ok: true, message: 'vllm-metal is installed' } });
    await act(async () => finish({ ok: true, summary: 'vllm-metal is installed', failed: [] }));
    expect(screen.getByRole('status').textContent).toBe('vllm-metal is installed');
  });

  it("with vllm-metal: the Mac's one memory account in words", () => {
    renderView(<Host api={fakeApi()} snapshot={snapshotFor(MACS.m4Metal)} />);
    const section = screen.getByRole('region', { name: "The Mac's GPU" });
    // The plan's account of the 16 GB fixture (model-servers/vllm-metal/plan.test.ts works it out by hand).
    expect(section.textContent).toContain(
      "The models have 4 GiB of this Mac's 16 GiB and take 4 GiB awake: Metal lets the GPU wire 10.7 GiB, " +
        "Docker's VM keeps 8 GiB (its containers need about 2.5 GiB), and 4 GiB stays free for your apps.",
    );
  });

  it("draws the Mac's memory once: no second bar of the engine's memory beside it", async () => {
    renderView(<Host api={fakeApi()} snapshot={snapshotFor(MACS.m4Metal)} />);
    const figure = await screen.findByRole('figure', { name: "This Mac's memory" });
    expect(figure.textContent).toContain("This Mac's 16 GiB");
    expect(screen.queryByRole('figure', { name: 'Memory' })).toBeNull();
  });

  it('the first-run view says it is missing, with the command', () => {
    const facts = MACS.m4NoMetal;
    const trouble = { kind: 'absent' as const, message: 'Docker is not running', fix: 'start Docker' };
    renderView(<FirstRun trouble={trouble} facts={facts} onRecheck={() => undefined} />);
    expect(screen.getByTestId('first-run-metal').textContent).toContain('vllm-metal/main/install.sh | bash');
    cleanup();
    renderView(<FirstRun trouble={trouble} facts={MACS.m4Metal} onRecheck={() => undefined} />);
    expect(screen.queryByTestId('first-run-metal')).toBeNull();
  });

  it('says nothing of it off a Mac', () => {
    renderView(<Host api={fakeApi()} snapshot={snapshotFor(HOSTS.workstation)} />);
    expect(screen.queryByRole('region', { name: "The Mac's GPU" })).toBeNull();
  });
});
