import { blockingWarnings } from '../../../common/contracts/stack-plan.js';
import type { StackSession } from '../../session/stack-session.js';
import type { PlanRequest } from '../../session/session-types.js';
import { planReport } from '../format/plan-table.js';

export type PlanFlags = PlanRequest;

export async function planCommand(
  session: StackSession,
  flags: PlanFlags & { json?: boolean },
  out: (text: string) => void,
): Promise<number> {
  const plan = await session.plan(flags);
  out(flags.json ? JSON.stringify(plan, null, 2) : planReport(plan));
  // A plan that cannot start is a failed plan, also for scripts reading --json.
  return blockingWarnings(plan).length ? 1 : 0;
}
