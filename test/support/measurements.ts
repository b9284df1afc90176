import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { Measurement, VllmFigures } from '../../electron/common/contracts/measurement.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';

/**
 * A start of a planned model as the measured store keeps it: under the plan's image, model and device and the facts'
 * engine, with what the plan expected beside the figures given (what vLLM logged).
 */
export function startOf(
  plan: StackPlan,
  facts: HostFacts,
  service: string,
  measured: VllmFigures,
  at = '2026-12-07T09:00:00.000Z',
): Measurement {
  const planned = plan.services.find((s) => s.name === service);
  if (!planned?.image || !planned.model) throw new Error(`no ${service} in the plan`);
  return {
    service,
    image: planned.image,
    model: planned.model.id,
    device: planned.model.device,
    engine: facts.engine?.endpoint ?? 'none',
    at,
    planned: planned.model.expected ?? {},
    measured,
  };
}
