import { formatGiB } from '../../../common/units.js';
import type { Check } from '../check.js';

export const engineResources: Check = {
  id: 'engine-resources',
  title: 'CPUs and memory for the plan',
  applies: ({ facts, plan }) => facts.engine !== null && plan !== undefined,
  async run({ facts, plan }) {
    const problems = (plan?.warnings ?? []).filter(
      (w) =>
        !w.blocking &&
        ['insufficient-memory', 'insufficient-cpus', 'numa-memory', 'gpu-model-left-out', 'gpu-headroom'].includes(
          w.code,
        ),
    );
    const summary = `containers get ${facts.engine?.cpus} CPUs and ${formatGiB(facts.engine?.memoryBytes ?? 0)}`;
    if (problems.length) {
      return {
        status: 'fail',
        message: `${summary}. ${problems.map((p) => p.message).join(' ')}`,
        fix: 'change what the message names; berth plan shows every number and why',
      };
    }
    return { status: 'ok', message: `${summary}: the ${plan?.profile} profile fits` };
  },
};
