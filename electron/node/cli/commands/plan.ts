import type { ProfileChoice } from '../../../common/contracts/settings.js';
import { planStack } from '../../../common/planner/plan.js';
import { blockingWarnings, type StackPlan } from '../../../common/contracts/stack-plan.js';
import type { HostFacts } from '../../../common/contracts/host-facts.js';
import { factsFor, planContext } from '../context.js';
import type { OverrideFlags } from '../flags.js';
import { planReport } from '../format/plan-table.js';

export interface PlanFlags extends OverrideFlags {
  profile?: ProfileChoice;
  facts?: string;
}

export async function buildPlan(flags: PlanFlags, knownFacts?: HostFacts): Promise<StackPlan> {
  const [context, facts] = await Promise.all([planContext(flags), knownFacts ?? factsFor(flags.facts)]);
  return planStack(facts, context.settings, context.profile ? { profile: context.profile } : {});
}

export async function planCommand(flags: PlanFlags & { json?: boolean }, out: (text: string) => void): Promise<number> {
  const plan = await buildPlan(flags);
  out(flags.json ? JSON.stringify(plan, null, 2) : planReport(plan));
  // A plan that cannot start is a failed plan, also for scripts reading --json.
  return blockingWarnings(plan).length ? 1 : 0;
}
