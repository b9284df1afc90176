// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpgradesView } from '../../../electron/common/contracts/upgrade.js';
import { fakeApi, renderView } from '../testing.js';
import { Updates } from './Updates.js';

afterEach(cleanup);

const GiB = 1024 ** 3;
const FROM = 'vllm/vllm-openai-cpu:v0.30.0-x86_64';
const TO = 'registry.example.com/vllm-openai-cpu:candidate';
const reason = 'candidate used 0.6 GiB more at its peak: kept v0.30.0-x86_64';
const view: UpgradesView = {
  candidates: [
    {
      service: 'vllm-qwen3',
      running: FROM,
      candidate: TO,
      source: 'set in settings (images.vllm-qwen3)',
      model: true,
      hold: { image: FROM, instead: TO, reason, at: '2026-12-07T10:00:00.000Z' },
    },
    {
      service: 'grafana',
      running: 'grafana/grafana:13.2.3',
      candidate: 'registry.example.com/grafana:candidate',
      source: 'set in settings (images.grafana)',
      model: false,
    },
  ],
  trials: [
    {
      service: 'vllm-qwen3',
      from: FROM,
      to: TO,
      startedAt: '2026-12-07T09:58:00.000Z',
      endedAt: '2026-12-07T10:00:00.000Z',
      outcome: 'rolled-back',
      reason,
      before: { image: FROM, startSeconds: 40, peakBytes: 6 * GiB, tokensPerSecond: 20, answers: ['a', 'b', 'c'] },
      after: { image: TO, startSeconds: 38.5, peakBytes: 6.6 * GiB, tokensPerSecond: 21.5, answers: ['a', 'x', 'c'] },
    },
  ],
  rollbacks: [{ service: 'litellm', image: 'registry.example.com/litellm:previous' }],
};

describe('Updates', () => {
  it('lists each newer image with where it comes from, and a rolled-back one with why', async () => {
    renderView(<Updates api={fakeApi({ upgrades: () => Promise.resolve(view) })} onChanged={() => undefined} />);
    const table = within(await screen.findByRole('region', { name: 'Newer images' })).getByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]?.textContent).toContain(`vllm-qwen3${FROM}${TO}Rolled back on 2026-12-07: ${reason}`);
    expect(rows[2]?.textContent).toContain(
      'registry.example.com/grafana:candidateset in settings (images.grafana)Try now',
    );
    expect(within(rows[1] as HTMLElement).getByRole('button').textContent).toBe('Try again');
  });

  it("shows a trial's figures before and after, and what came of it", async () => {
    renderView(<Updates api={fakeApi({ upgrades: () => Promise.resolve(view) })} onChanged={() => undefined} />);
    const trial = await screen.findByRole('region', { name: "vllm-qwen3's last trial" });
    expect(trial.textContent).toContain('Rolled back');
    expect(trial.textContent).toContain(reason);
    const cells = within(trial)
      .getAllByRole('row')
      .map((row) => [...row.children].map((c) => c.textContent));
    expect(cells).toEqual([
      ['Figure', FROM, TO],
      ['Start to first answer', '40.0 s', '38.5 s'],
      ['Memory peak', '6 GiB', '6.6 GiB'],
      ['Tokens/s', '20.0', '21.5'],
      ['Answers', '3 asked', '2 of 3 the same'],
    ]);
  });

  it('tries one candidate now, says what came of it, and reads the view again', async () => {
    let changed = 0;
    const api = fakeApi({
      upgrades: () => Promise.resolve(view),
      upgradeTrial: () => Promise.resolve({ ok: true, summary: 'grafana: kept. all checks passed', failed: [] }),
    });
    renderView(<Updates api={api} onChanged={() => (changed += 1)} />);
    const table = within(await screen.findByRole('region', { name: 'Newer images' })).getByRole('table');
    await act(async () => fireEvent.click(within(table).getAllByRole('button', { name: 'Try now' })[0] as HTMLElement));
    expect(api.calls.find((c) => c.method === 'upgradeTrial')?.args).toEqual([['grafana']]);
    expect((await screen.findByRole('status')).textContent).toBe('grafana: kept. all checks passed');
    expect(api.calls.filter((c) => c.method === 'upgrades').length).toBe(2);
    expect(changed).toBe(1);
  });

  it('returns a service to the image before its last switch', async () => {
    const api = fakeApi({
      upgrades: () => Promise.resolve(view),
      upgradeRollback: () => Promise.resolve({ ok: true, summary: 'litellm runs previous again', failed: [] }),
    });
    renderView(<Updates api={api} onChanged={() => undefined} />);
    const back = await screen.findByRole('button', { name: 'Back to registry.example.com/litellm:previous' });
    await act(async () => fireEvent.click(back));
    expect(api.calls.find((c) => c.method === 'upgradeRollback')?.args).toEqual(['litellm']);
  });
});
