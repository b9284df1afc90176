import { describe, expect, it } from 'vitest';
import { planStack } from '../../../common/planner/plan.js';
import { SettingsSchema } from '../../../common/contracts/settings.js';
import { host } from '../../../../test/support/hosts.js';
import { callsOut } from './offline.js';

describe('berth doctor: which services would call out of the stack', () => {
  const facts = host('laptop-vm-4cpu');

  it('none, with the settings Berth gives every service', () => {
    expect(callsOut(planStack(facts, SettingsSchema.parse({})))).toEqual([]);
  });

  it('each model without prefetch, a remote litellm, and a service whose offline setting is gone', () => {
    const plan = planStack(
      facts,
      SettingsSchema.parse({
        prefetchWeights: false,
        litellmUrl: 'http://gpu-box:4000',
        trustedLitellmUrl: 'http://gpu-box:4000',
      }),
    );
    const edited = {
      services: plan.services.map((s) =>
        s.name === 'grafana' ? { ...s, env: { ...s.env, GF_ANALYTICS_CHECK_FOR_UPDATES: 'true' } } : s,
      ),
    };
    expect(callsOut(edited).map((c) => c.service)).toEqual(['vllm-qwen3', 'vllm-llama3', 'open-webui', 'grafana']);
  });
});
