import { diagnose } from '../../doctor/run.js';
import type { StackSession } from '../../session/stack-session.js';
import type { PlanFlags } from './plan.js';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/** `berth doctor`: every check that applies, each failing one with its fix. Exit 1 when any fails. */
export async function doctorCommand(
  session: StackSession,
  flags: PlanFlags & { json?: boolean },
  out: (text: string) => void,
): Promise<number> {
  const outcomes = await diagnose(session, flags);
  if (flags.json) out(JSON.stringify({ checks: outcomes }, null, 2));
  else {
    for (const outcome of outcomes) {
      out(`${MARK[outcome.status]} ${outcome.title}: ${outcome.message}`);
      if (outcome.status !== 'ok' && outcome.fix) out(`    fix: ${outcome.fix}`);
    }
  }
  return outcomes.some((o) => o.status === 'fail') ? 1 : 0;
}
