// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/common/contracts/settings.js';
import { HOSTS, fakeApi, renderView, snapshotFor } from '../testing.js';
import { SettingsView } from './Settings.js';

afterEach(cleanup);

const QWEN3_4B = {
  id: 'Qwen/Qwen3-4B',
  gated: false,
  layers: 36,
  kvHeads: 8,
  headDim: 128,
  maxModelLen: 40960,
  weightsGiB: 7.5,
  weightFiles: 3,
  architecture: 'Qwen3ForCausalLM',
};

describe('Settings: what-if', () => {
  it('moving the KV cache re-plans at once: the new numbers, what up would recreate, nothing saved yet', () => {
    const api = fakeApi();
    renderView(<SettingsView api={api} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    const whatIf = screen.getByTestId('what-if');
    expect(screen.getByTestId('what-if-result').textContent).toMatch(/4 GiB of KV cache; nothing would change\.$/);
    fireEvent.keyDown(within(whatIf).getByRole('slider', { name: 'KV cache in GiB' }), { key: 'ArrowRight' });
    expect(screen.getByTestId('what-if-result').textContent).toMatch(
      /5 GiB of KV cache; Start all would create vllm-qwen3 again\.$/,
    );
    expect(api.calls).toEqual([]);
  });

  it('a share that leaves the other model no room on the card: the new warning shows before anything is saved', () => {
    const api = fakeApi();
    renderView(<SettingsView api={api} snapshot={snapshotFor(HOSTS.gpuServer)} onSaved={() => undefined} />);
    fireEvent.keyDown(within(screen.getByTestId('what-if')).getByRole('slider', { name: 'GPU share' }), { key: 'End' });
    const warning = screen.getByTestId('what-if-warning');
    expect(warning.textContent).toMatch(/^New: gpu-model-left-out.* is left out: GPU 0/);
    expect(api.calls).toEqual([]);
  });

  it('saving writes tuning and names the services up will create again', async () => {
    const api = fakeApi({
      updateSettings: async (patch) => ({ ...snapshotFor(HOSTS.workstation).settings, ...patch }) as Settings,
    });
    renderView(<SettingsView api={api} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    fireEvent.keyDown(within(screen.getByTestId('what-if')).getByRole('slider', { name: 'KV cache in GiB' }), {
      key: 'ArrowRight',
    });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save tuning' })));
    expect(api.calls).toEqual([{ method: 'updateSettings', args: [{ tuning: { 'vllm-qwen3': { kvCacheGiB: 5 } } }] }]);
    expect(screen.getByTestId('what-if-saved').textContent).toBe(
      'Saved. Start all will create vllm-qwen3 again with the new numbers.',
    );
  });

  it('in dark, on a GPU host: the share slider and one bar per card', () => {
    renderView(
      <SettingsView api={fakeApi()} snapshot={snapshotFor(HOSTS.gpuServer)} onSaved={() => undefined} />,
      'dark',
    );
    expect(within(screen.getByTestId('what-if')).getByRole('slider', { name: 'GPU share' })).toBeTruthy();
    expect(within(screen.getByTestId('what-if')).getByRole('figure', { name: 'GPU 0' })).toBeTruthy();
  });
});

describe('Settings: add a model by its Hugging Face id', () => {
  it('looks it up, fills in the numbers and shows whether and how it fits this host', async () => {
    const api = fakeApi({ lookupModel: async () => ({ ok: true, model: QWEN3_4B }) });
    renderView(<SettingsView api={api} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Hugging Face id'), { target: { value: 'Qwen/Qwen3-4B' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: /Look up/ })));
    expect(api.calls).toEqual([{ method: 'lookupModel', args: ['Qwen/Qwen3-4B'] }]);
    expect((screen.getByLabelText('layers') as HTMLInputElement).value).toBe('36');
    expect((screen.getByLabelText('weightsGiB') as HTMLInputElement).value).toBe('7.5');
    const fit = screen.getByTestId('fit');
    // A CPU model's cache is sized for a 32k-token request (longer prompts take minutes on a CPU): 32,768 × 147,456
    // bytes (36 layers × 8 KV heads × 128 × K and V × 2 bytes) = 4.5 GiB, so 5 whole GiB, which hold 36,408 tokens,
    // 284 blocks of 128: a 35k context (35,840 tokens), shorter than the model's 40k.
    expect(fit.getAttribute('data-verdict')).toBe('shorter');
    expect(fit.textContent).toMatch(/35k context/);
  });

  it('offline: says so and leaves the numbers to type; a model with a number missing is not saved', async () => {
    const api = fakeApi({
      lookupModel: async () => ({
        ok: false,
        reason: 'offline',
        message: 'the Hugging Face Hub cannot be reached (fetch failed): you may be offline',
      }),
    });
    renderView(<SettingsView api={api} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Hugging Face id'), { target: { value: 'Qwen/Qwen3-4B' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: /Look up/ })));
    expect(screen.getByTestId('lookup-result').textContent).toMatch(
      /cannot be reached.*typed from the model's config\.json/,
    );
    fireEvent.change(screen.getByLabelText('layers'), { target: { value: '36' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(screen.getByRole('status').textContent).toMatch(/^Not saved: the model to add needs every number/);
    expect(api.calls.map((c) => c.method)).toEqual(['lookupModel']);
  });

  it("keep-alive per model: the plan's choice shown, a change saved as minutes or always", async () => {
    const api = fakeApi({
      updateSettings: async (patch) => ({ ...snapshotFor(HOSTS.laptop).settings, ...patch }) as Settings,
    });
    // The 4-CPU laptop's VM cannot hold both development models at once: the plan puts both on demand.
    renderView(<SettingsView api={api} snapshot={snapshotFor(HOSTS.laptop)} onSaved={() => undefined} />);
    const qwen = screen.getByLabelText('vllm-qwen3 keep-alive') as HTMLSelectElement;
    expect(qwen.value).toBe('');
    expect(qwen.selectedOptions[0]?.textContent).toBe('as planned (15 min)');
    fireEvent.change(qwen, { target: { value: 'always' } });
    fireEvent.change(screen.getByLabelText('vllm-llama3 keep-alive'), { target: { value: '60' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    const patch = api.calls.find((c) => c.method === 'updateSettings')?.args[0] as { keepAlive?: unknown };
    expect(patch.keepAlive).toEqual({ 'vllm-qwen3': 'always', 'vllm-llama3': 60 });
  });

  it('a GPU model on a CPU profile does not fit, and says why', () => {
    renderView(<SettingsView api={fakeApi()} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Hugging Face id'), { target: { value: 'Qwen/Qwen3-4B' } });
    fireEvent.change(screen.getByLabelText('Device'), { target: { value: 'gpu' } });
    for (const [field, value] of Object.entries({
      layers: '36',
      kvHeads: '8',
      headDim: '128',
      maxModelLen: '40960',
      weightsGiB: '7.5',
    }))
      fireEvent.change(screen.getByLabelText(field), { target: { value } });
    expect(screen.getByTestId('fit').getAttribute('data-verdict')).toBe('no');
    expect(screen.getByTestId('fit').textContent).toMatch(
      /this is a GPU model, and the development profile runs CPU models/,
    );
  });
});

describe('Settings on a Mac', () => {
  it('where models run, the room kept for apps and the memory guard, saved with the rest', async () => {
    const api = fakeApi({
      updateSettings: async (patch) => ({ ...snapshotFor(HOSTS.mac).settings, ...patch }) as Settings,
    });
    renderView(<SettingsView api={api} snapshot={snapshotFor(HOSTS.mac)} onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Where models run'), { target: { value: 'containers' } });
    fireEvent.change(screen.getByLabelText('Kept for your apps (GiB)'), { target: { value: '6' } });
    fireEvent.click(screen.getByLabelText(/put the least recently used idle model to sleep/));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    const patch = api.calls.find((c) => c.method === 'updateSettings')?.args[0] as Partial<Settings>;
    expect(patch.modelsOn).toBe('containers');
    expect(patch.metal).toEqual({ appsRoomGiB: 6, pressureGuard: false });
  });

  it('is not there off a Mac', () => {
    renderView(<SettingsView api={fakeApi()} snapshot={snapshotFor(HOSTS.workstation)} onSaved={() => undefined} />);
    expect(screen.queryByLabelText('Where models run')).toBeNull();
  });
});
