import type { StackSession } from '../../session/stack-session.js';
import { factsSummary } from '../format/facts-summary.js';

export async function factsCommand(
  session: StackSession,
  options: { json?: boolean; facts?: string },
  out: (text: string) => void,
): Promise<number> {
  const facts = await session.factsFor(options);
  out(options.json ? JSON.stringify(facts, null, 2) : factsSummary(facts));
  return 0;
}
