import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../electron/common/contracts/settings.js';
import { planStack } from '../electron/common/planner/plan.js';
import { host } from './support/hosts.js';
import { brokenPromises } from './support/plan-invariants.js';
import { repoRoot } from './support/repo-root.js';

describe('the plan oracle', () => {
  it('npm run lint rejects a value imported from electron/ into it, and takes the contracts’ types', async () => {
    const eslint = new ESLint({ cwd: repoRoot() });
    const lint = async (text: string) =>
      (await eslint.lintText(text, { filePath: 'test/support/plan-invariants.ts' }))[0]?.messages ?? [];
    const value = await lint(
      "import { planStack } from '../../electron/common/planner/plan.js';\nexport { planStack };\n",
    );
    expect(value.map((m) => m.ruleId)).toContain('@typescript-eslint/no-restricted-imports');
    const types = await lint(
      "import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';\nexport type P = StackPlan;\n",
    );
    expect(types).toEqual([]);
  });

  it('a hyper-thread counted as a core breaks a promise: two threads of one core bound as two cores', () => {
    // 16 cores × 2 threads on two NUMA nodes: CPU 16 is CPU 0's sibling (both core 0 of node 0, in the fixture).
    const facts = host('workstation-16c32t-2numa');
    const settings = SettingsSchema.parse({ profile: 'development' });
    const plan = planStack(facts, settings);
    expect(brokenPromises(facts, settings, plan)).toEqual([]);
    const model = plan.services.find((s) => s.env.VLLM_CPU_OMP_THREADS_BIND?.startsWith('0'));
    if (!model) throw new Error('no model binds CPU 0');
    const bind = model.env.VLLM_CPU_OMP_THREADS_BIND ?? '';
    // The same number of threads, the last core's replaced by CPU 0's sibling, and the cpuset with it.
    const cpus = bind.split(',').flatMap((part) => {
      const [a, b] = part.split('-').map(Number);
      return b === undefined
        ? [a as number]
        : Array.from({ length: b - (a as number) + 1 }, (_, i) => (a as number) + i);
    });
    const planted = [...cpus.slice(0, -1), 16].join(',');
    const broken = {
      ...plan,
      services: plan.services.map((s) =>
        s === model ? { ...s, env: { ...s.env, VLLM_CPU_OMP_THREADS_BIND: planted }, cpuset: `${s.cpuset},16` } : s,
      ),
    };
    expect(brokenPromises(facts, settings, broken)).toContain(
      `${model.name}: CPU 16 is not the first thread of a core the engine has`,
    );
  });
});
