import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsSchema } from '../../common/contracts/settings.js';
import { planStack } from '../../common/planner/plan.js';
import { host } from '../../../test/support/hosts.js';
import { upgradesWaiting } from './snapshot.js';

describe("the tray's count of newer images", () => {
  const facts = host('server-64core');
  const plan = planStack(facts, DEFAULT_SETTINGS);
  const running = (image: (name: string, planned: string) => string) =>
    plan.services.flatMap((s) =>
      s.image ? [{ name: s.name, state: 'healthy' as const, ports: [], image: image(s.name, s.image) }] : [],
    );

  it('counts the services whose container runs another image than the plan names', () => {
    expect(
      upgradesWaiting(
        plan,
        running((_, planned) => planned),
      ),
    ).toBe(0);
    const older = running((name, planned) => (name === 'grafana' || name === 'litellm' ? `${planned}-older` : planned));
    expect(upgradesWaiting(plan, older)).toBe(2);
  });

  it('leaves out a service with no container, and one the plan holds at the image it runs', () => {
    expect(upgradesWaiting(plan, [])).toBe(0);
    const candidate = 'registry.example.com/grafana:candidate';
    const settings = SettingsSchema.parse({ images: { grafana: candidate } });
    const runningImage = plan.services.find((s) => s.name === 'grafana')?.image ?? '';
    const held = planStack(facts, settings, {
      holds: {
        grafana: { image: runningImage, instead: candidate, reason: 'rolled back', at: '2026-12-07T10:00:00Z' },
      },
    });
    const status = [{ name: 'grafana', state: 'healthy' as const, ports: [], image: runningImage }];
    expect(upgradesWaiting(planStack(facts, settings), status)).toBe(1);
    expect(upgradesWaiting(held, status)).toBe(0);
  });
});
