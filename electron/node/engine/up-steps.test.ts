import { describe, expect, it } from 'vitest';
import { host } from '../../../test/support/hosts.js';
import { DEFAULT_SETTINGS, SettingsSchema } from '../../common/contracts/settings.js';
import { planStack } from '../../common/planner/plan.js';
import { describeStep, upSteps } from './up-steps.js';

// A workstation's CPU stack, every model always on: two models, litellm, Open WebUI once litellm answers, Prometheus,
// Grafana once Prometheus has started.
const plan = planStack(
  host('workstation-16c32t-2numa'),
  SettingsSchema.parse({ ...DEFAULT_SETTINGS, keepAlive: { 'vllm-qwen3': 'always', 'vllm-llama3': 'always' } }),
);
const names = plan.services.map((s) => s.name);
const hashes = new Map(names.map((n) => [n, `hash-${n}`]));
const running = (service: string, hash = `hash-${service}`, state = 'running') => ({
  id: `id-${service}`,
  planHash: hash,
  state,
});

describe("up's steps, decided before anything is done", () => {
  it('an empty engine: each service created and then waited for, in plan order, each after what it depends on', () => {
    const steps = upSteps({ plan, selected: plan.services, owned: new Map(), hashes });
    expect(steps.map((s) => [s.kind, s.service])).toEqual(
      names.flatMap((n) => [
        ['create', n],
        ['wait-for', n],
      ]),
    );
    expect(steps.find((s) => s.kind === 'create' && s.service === 'open-webui')).toMatchObject({
      after: [{ service: 'litellm', condition: 'healthy' }],
    });
    expect(steps.map(describeStep)).toEqual(
      expect.arrayContaining([
        'create    open-webui after litellm answers',
        'create    grafana after prometheus starts',
        'wait for  grafana to pass its health check',
      ]),
    );
  });

  it('what is there decides each step: kept, started, recreated; and a container the plan no longer has goes first', () => {
    const owned = new Map([
      ['vllm-qwen3', running('vllm-qwen3')],
      ['vllm-llama3', running('vllm-llama3', 'hash-of-an-older-plan')],
      ['litellm', running('litellm', 'hash-litellm', 'exited')],
      ['vllm-old', running('vllm-old', 'hash-old')],
    ]);
    const steps = upSteps({ plan, selected: plan.services, owned, hashes });
    expect(steps[0]).toEqual({ kind: 'remove', service: 'vllm-old', containerId: 'id-vllm-old' });
    const kinds = Object.fromEntries(steps.filter((s) => s.kind !== 'wait-for').map((s) => [s.service, s.kind]));
    expect(kinds).toMatchObject({
      'vllm-qwen3': 'keep',
      'vllm-llama3': 'recreate',
      litellm: 'start',
      grafana: 'create',
    });
    expect(steps.find((s) => s.service === 'vllm-llama3')).toMatchObject({ containerId: 'id-vllm-llama3' });
  });

  it('named services: only they and what they need, and nothing removed', () => {
    const owned = new Map([['vllm-old', running('vllm-old', 'hash-old')]]);
    const selected = plan.services.filter((s) => ['vllm-qwen3', 'vllm-llama3', 'litellm'].includes(s.name));
    const steps = upSteps({ plan, selected, owned, hashes, names: ['litellm'] });
    expect(steps.filter((s) => s.kind !== 'wait-for').map((s) => s.service)).toEqual([
      'vllm-qwen3',
      'vllm-llama3',
      'litellm',
    ]);
  });

  it('a model on demand nobody named is left asleep, with nothing to wait for; named, or already awake, it is waited for', () => {
    const onDemand = planStack(
      host('workstation-16c32t-2numa'),
      SettingsSchema.parse({ ...DEFAULT_SETTINGS, keepAlive: { 'vllm-qwen3': 600, 'vllm-llama3': 'always' } }),
    );
    const qwen = (steps: ReturnType<typeof upSteps>) => steps.filter((s) => s.service === 'vllm-qwen3');
    const asleep = upSteps({ plan: onDemand, selected: onDemand.services, owned: new Map(), hashes });
    expect(qwen(asleep)).toEqual([{ kind: 'create', service: 'vllm-qwen3', after: [], asleep: true }]);
    expect(describeStep(qwen(asleep)[0] as never)).toBe(
      'create    vllm-qwen3, left asleep (its first request starts it)',
    );
    const named = upSteps({
      plan: onDemand,
      selected: onDemand.services,
      owned: new Map(),
      hashes,
      names: ['vllm-qwen3'],
    });
    expect(qwen(named).map((s) => s.kind)).toEqual(['create', 'wait-for']);
    const awake = upSteps({
      plan: onDemand,
      selected: onDemand.services,
      owned: new Map([['vllm-qwen3', running('vllm-qwen3')]]),
      hashes,
    });
    expect(qwen(awake).map((s) => s.kind)).toEqual(['keep', 'wait-for']);
    const stopped = upSteps({
      plan: onDemand,
      selected: onDemand.services,
      owned: new Map([['vllm-qwen3', running('vllm-qwen3', 'hash-vllm-qwen3', 'exited')]]),
      hashes,
    });
    expect(qwen(stopped)).toEqual([
      { kind: 'keep', service: 'vllm-qwen3', containerId: 'id-vllm-qwen3', after: [], asleep: true },
    ]);
  });
});
