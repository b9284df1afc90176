import type { Check } from '../check.js';

/**
 * What the model servers measured as they last started, against their plans: a start that went past its plan by more
 * than 10% (or was killed at its memory limit) means the plan was wrong for this machine. The plan now in force
 * already uses the measurement; this says so, with the numbers.
 */
/** A start past its plan, and one whose KV cache held less than one request of its context. */
const MEASURED_CODES = ['measured-above-plan', 'measured-kv-short'];

export const measuredVsPlanned: Check = {
  id: 'measured-vs-planned',
  title: 'Model servers against their plans',
  applies: ({ plan }) => Boolean(plan?.services.some((s) => s.role === 'model')),
  async run({ plan }) {
    const over = (plan?.warnings ?? []).filter((w) => MEASURED_CODES.includes(w.code));
    if (over.length) {
      return {
        status: 'warn',
        message: over.map((w) => w.message).join(' '),
        fix: 'berth up again to apply the corrected plan, or turn a model off where the engine has no room',
      };
    }
    const measured = (plan?.services ?? []).filter((s) => s.model?.measured);
    if (!measured.length)
      return {
        status: 'ok',
        message: 'no model server has started here yet: the plan uses its own figures until one does',
      };
    return {
      status: 'ok',
      message:
        `${measured.map((s) => s.name).join(', ')} started within their plans ` +
        `(measured ${measured.map((s) => s.model?.measured?.at.slice(0, 10)).join(', ')})`,
    };
  },
};
