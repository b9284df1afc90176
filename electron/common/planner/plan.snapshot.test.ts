import { describe, expect, it } from 'vitest';
import { planStack } from './plan.js';
import { DEFAULT_SETTINGS } from '../contracts/settings.js';
import type { StackPlan } from '../contracts/stack-plan.js';
import { corpus } from '../../../test/support/hosts.js';

/**
 * Snapshots: the planner's own output for every fixture host, kept in __snapshots__ so that a change to any number
 * shows in review. They are not references and prove nothing about correctness: the reference setup's numbers are
 * checked in plan.reference.test.ts, vLLM's observed figures in test/vllm-observed.test.ts, and the promises every plan
 * keeps in plan.property.test.ts.
 */
function numbers(plan: StackPlan) {
  return {
    profile: plan.profile,
    models: plan.services
      .filter((s) => s.role === 'model')
      .map((s) => ({
        name: s.name,
        cpuset: s.cpuset,
        bind: s.env.VLLM_CPU_OMP_THREADS_BIND,
        kvCacheGiB: s.kvCacheGiB,
        memoryBytes: s.memoryBytes,
        gpus: s.gpus,
        share: s.gpuMemoryUtilization,
        context: s.model?.maxModelLen,
        fit: s.model?.fit?.words,
        waitsFor: s.dependsOn.map((d) => `${d.service}:${d.condition}`),
      })),
    warnings: plan.warnings.map((w) => w.code),
  };
}

describe('snapshot of the planner on the fixture hosts', () => {
  for (const [name, facts] of Object.entries(corpus())) {
    for (const profile of ['development', 'production'] as const) {
      it(`${name}, ${profile}`, () => {
        expect(
          numbers(planStack(facts, DEFAULT_SETTINGS, { profile: { choice: profile, source: 'test' } })),
        ).toMatchSnapshot();
      });
    }
  }
});
