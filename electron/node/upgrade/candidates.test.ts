import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGES } from '../../common/catalog/images.js';
import { SettingsSchema } from '../../common/contracts/settings.js';
import { planStack } from '../../common/planner/plan.js';
import { host } from '../../../test/support/hosts.js';
import type { OwnedContainer } from '../engine/owned.js';
import { upgradeCandidates } from './candidates.js';

const owned = (service: string, image: string): [string, OwnedContainer] => [
  service,
  { id: `id-${service}`, name: service, service, planHash: '', state: 'running', image, labels: {} },
];

describe('upgrade candidates', () => {
  const facts = host('server-64core');
  const settings = SettingsSchema.parse({ images: { grafana: 'registry.example.com/grafana:candidate' } });
  const plan = planStack(facts, settings);

  it('are the services whose container runs another image than the plan, with where the planned one comes from', () => {
    const containers = new Map([
      owned('grafana', DEFAULT_IMAGES.grafana),
      owned('litellm', 'registry.example.com/litellm:previous'),
      owned('prometheus', DEFAULT_IMAGES.prometheus),
    ]);
    const hold = {
      image: 'registry.example.com/litellm:previous',
      instead: DEFAULT_IMAGES.litellm,
      reason: 'r',
      at: 'a',
    };
    const candidates = upgradeCandidates(plan, containers, settings, {
      schema: 1,
      services: { litellm: { hold } },
    });
    expect(candidates).toEqual([
      {
        service: 'litellm',
        running: 'registry.example.com/litellm:previous',
        candidate: DEFAULT_IMAGES.litellm,
        source: "Berth's default, released at https://github.com/BerriAI/litellm/releases/tag/v1.104.8",
        model: false,
        hold,
      },
      {
        service: 'grafana',
        running: DEFAULT_IMAGES.grafana,
        candidate: 'registry.example.com/grafana:candidate',
        source: 'set in settings (images.grafana)',
        model: false,
      },
    ]);
  });

  it('leave out a service without a container: berth up starts it', () => {
    expect(upgradeCandidates(plan, new Map(), settings, { schema: 1, services: {} })).toEqual([]);
  });
});
