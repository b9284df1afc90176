import type { Check, CheckResult, DoctorContext } from './check.js';

export interface CheckOutcome extends CheckResult {
  id: string;
  title: string;
}

/** Runs the checks that apply; a check that throws is a failed check, not a crashed doctor. */
export async function runChecks(checks: readonly Check[], context: DoctorContext): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    if (!check.applies(context)) continue;
    try {
      outcomes.push({ id: check.id, title: check.title, ...(await check.run(context)) });
    } catch (error) {
      outcomes.push({ id: check.id, title: check.title, status: 'fail', message: `the check itself failed: ${(error as Error).message}` });
    }
  }
  return outcomes;
}
