import { blockingWarnings } from '../../../common/contracts/stack-plan.js';
import type { Check } from '../check.js';

/** A plan the planner itself says cannot start (no AVX2, no GPU model fits, a context no share holds…). */
export const planCanStart: Check = {
  id: 'plan-can-start',
  title: 'The plan can start',
  applies: ({ plan }) => plan !== undefined,
  async run({ plan }) {
    const blocking = plan ? blockingWarnings(plan) : [];
    if (blocking.length) {
      return {
        status: 'fail',
        message: blocking.map((w) => `${w.code}: ${w.message}`).join(' '),
        fix: 'change what the message names; berth up refuses this plan until then',
      };
    }
    return {
      status: 'ok',
      message:
        `the ${plan?.profile} profile places ${plan?.services.filter((s) => s.role === 'model').length}` + ' model(s)',
    };
  },
};
