import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../common/contracts/settings.js';
import { planStack } from '../../common/planner/plan.js';
import { host } from '../../../test/support/hosts.js';
import { containerSpec } from './container-spec.js';
import { honoursStartInterval } from './image-preflight.js';

const NS = 1e9;
const plan = planStack(host('server-64core'), DEFAULT_SETTINGS);
const prometheus = plan.services.find((s) => s.name === 'prometheus');
if (!prometheus?.health) throw new Error('prometheus has no health check');
const context = { home: '/berth', secrets: {}, gpuRuntime: false, files: new Map<string, string>() };

describe("Docker's health check, by what the engine honours", () => {
  it('Docker 25+ (API 1.44): the plan’s interval, checked every second while the service starts', () => {
    expect(honoursStartInterval({ os: 'linux', architecture: 'amd64', apiVersion: '1.44' })).toBe(true);
    const health = containerSpec(plan, prometheus, { ...context, startInterval: true }).options.Healthcheck;
    expect(health).toMatchObject({ Interval: prometheus.health!.intervalS * NS, StartInterval: NS, Retries: prometheus.health!.retries });
  });

  it('Docker 20.10 (API 1.41) ignores StartInterval: every second throughout, with as long to call it unhealthy', () => {
    expect(honoursStartInterval({ os: 'linux', architecture: 'amd64', apiVersion: '1.41' })).toBe(false);
    const health = containerSpec(plan, prometheus, { ...context, startInterval: false }).options.Healthcheck;
    // 3 retries 5 s apart is 15 s; at 1 s apart, 15 retries.
    expect(health).toMatchObject({ Interval: NS, Retries: 15 });
  });
});
