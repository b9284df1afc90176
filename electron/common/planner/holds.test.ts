import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../contracts/settings.js';
import { DEFAULT_IMAGES } from '../catalog/images.js';
import { host } from '../../../test/support/hosts.js';
import { startOf } from '../../../test/support/measurements.js';
import { planStack } from './plan.js';

describe('images held back by berth upgrade', () => {
  // The candidate's start held 19,968 tokens of a 4 GiB cache (less than one 36k request, as in vllm-figures.test.ts).
  const facts = host('server-64core');
  // A user's own build, set in settings: no upstream release is named here.
  const candidate = 'registry.example.com/vllm-openai-cpu:candidate';
  const settings = SettingsSchema.parse({
    tuning: { 'vllm-llama3': { kvCacheGiB: 4 } },
    images: { 'vllm-llama3': candidate },
  });
  const raw = planStack(facts, settings);
  const measured = startOf(raw, facts, 'vllm-llama3', { kvTokens: 19_968, maxConcurrency: 0.54, maxModelLen: 36_864 });
  const hold = {
    image: DEFAULT_IMAGES.vllmCpuX86,
    instead: candidate,
    reason: 'it held fewer tokens',
    at: measured.at,
  };
  const llama = (plan: typeof raw) => plan.services.find((s) => s.name === 'vllm-llama3');

  it('plan the held image where the plan would run the candidate, sized by its own figures, with why', () => {
    const held = planStack(facts, settings, { measurements: [measured], holds: { 'vllm-llama3': hold } });
    expect(llama(held)?.image).toBe(DEFAULT_IMAGES.vllmCpuX86);
    // The candidate's short start is not the held image's: the 4 GiB still gives 36k (36,864) of context.
    expect(llama(held)?.model?.maxModelLen).toBe(36_864);
    expect(llama(held)?.reasons).toContainEqual({
      topic: 'image',
      text:
        `${DEFAULT_IMAGES.vllmCpuX86}, kept instead of ${candidate} on 2026-12-07: it held fewer tokens ` +
        '(berth upgrade vllm-llama3 tries it again)',
    });
    // The other services are planned as without the hold.
    expect(held.services.filter((s) => s.name !== 'vllm-llama3')).toEqual(
      planStack(facts, settings, { measurements: [measured] }).services.filter((s) => s.name !== 'vllm-llama3'),
    );
  });

  it('do nothing for another image: a newer candidate is planned as it is', () => {
    const other = { ...hold, instead: 'registry.example.com/vllm-openai-cpu:another' };
    expect(llama(planStack(facts, settings, { holds: { 'vllm-llama3': other } }))?.image).toBe(candidate);
  });
});
