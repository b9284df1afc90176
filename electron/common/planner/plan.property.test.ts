import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planStack } from './plan.js';
import { catalogFor } from '../catalog/resolve.js';
import { InputError } from '../contracts/errors.js';
import { StackPlanSchema } from '../contracts/stack-plan.js';
import { SettingsSchema } from '../contracts/settings.js';
import { arbHost, arbSettings } from '../../../test/support/arbitrary-host.js';
import { brokenPromises } from '../../../test/support/plan-invariants.js';
import { corpus } from '../../../test/support/hosts.js';

describe('every plan, on every host', () => {
  it('keeps its promises: disjoint one-thread-per-core binds in one NUMA node, a spare core, memory that fits or a warning, contexts that fit, GPU shares ≤ 0.95, no port twice', () => {
    fc.assert(
      fc.property(arbHost, arbSettings, (facts, settings) => {
        const plan = planStack(facts, settings);
        expect(brokenPromises(facts, settings, plan)).toEqual([]);
        expect(StackPlanSchema.safeParse(plan).success).toBe(true);
      }),
      { numRuns: Number(process.env.BERTH_PROPERTY_RUNS ?? 400) },
    );
  });

  it('says what it is about: a warning that names one model carries it, every reason has a topic', () => {
    fc.assert(
      fc.property(arbHost, arbSettings, (facts, settings) => {
        const plan = planStack(facts, settings);
        const models = plan.services.filter((s) => s.role === 'model').map((s) => s.name);
        for (const warning of plan.warnings) {
          // Which model a sentence concerns is read here, in the test, to check the field the code acts on.
          const named = [...new Set([...models, ...catalogFor(settings).map((m) => m.service)])].filter(
            (m) => warning.message.startsWith(`${m} `) || warning.message.startsWith(`${m}:`),
          );
          if (named.length === 1) expect([warning.code, warning.service]).toEqual([warning.code, named[0]]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is a pure function: the same facts and settings give the same plan', () => {
    fc.assert(
      fc.property(arbHost, arbSettings, (facts, settings) => {
        expect(planStack(structuredClone(facts), settings)).toEqual(planStack(facts, settings));
      }),
      { numRuns: 100 },
    );
  });

  it('never puts a secret in the plan, only ${VAR} references', () => {
    fc.assert(
      fc.property(arbHost, arbSettings, (facts, settings) => {
        const plan = planStack(facts, settings);
        for (const service of plan.services) {
          for (const [name, value] of Object.entries(service.env)) {
            if (/TOKEN|KEY|PASSWORD/.test(name)) expect(value).toMatch(/^\$\{[A-Z_]+\}$/);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it.each(Object.entries(corpus()))('keeps its promises on the corpus host %s, in both profiles', (_name, facts) => {
    for (const profile of ['auto', 'development', 'production'] as const) {
      const settings = SettingsSchema.parse({ profile });
      const plan = planStack(facts, settings);
      expect(brokenPromises(facts, settings, plan)).toEqual([]);
    }
  });

  it('fails only with an InputError, whatever the user tunes', () => {
    const arbTuning = fc.record({
      kvCacheGiB: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }),
      maxModelLen: fc.option(fc.integer({ min: 256, max: 262144 }), { nil: undefined }),
      gpuMemoryUtilization: fc.option(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(arbHost, arbTuning, arbTuning, (facts, a, b) => {
        const settings = SettingsSchema.parse({ tuning: { 'vllm-qwen3': a, 'vllm-coder': b } });
        for (const profile of ['development', 'production'] as const) {
          try {
            const plan = planStack(facts, { ...settings, profile });
            expect(brokenPromises(facts, settings, plan)).toEqual([]);
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
            expect((error as InputError).field).toMatch(/^tuning\.vllm-(qwen3|coder)\./);
          }
        }
      }),
      { numRuns: Number(process.env.BERTH_PROPERTY_RUNS ?? 300) },
    );
  });
});
