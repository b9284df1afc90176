import { factsFor } from '../context.js';
import { factsSummary } from '../format/facts-summary.js';

export async function factsCommand(options: { json?: boolean; facts?: string }, out: (text: string) => void): Promise<number> {
  const facts = await factsFor(options.facts);
  out(options.json ? JSON.stringify(facts, null, 2) : factsSummary(facts));
  return 0;
}
