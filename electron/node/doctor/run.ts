import type { DoctorOutcome } from '../../common/contracts/doctor.js';
import { InputError } from '../../common/contracts/errors.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import { secretsFileState } from '../secrets/secrets-file.js';
import { type Secrets } from '../../common/contracts/secrets.js';
import type { StackSession } from '../session/stack-session.js';
import type { PlanRequest } from '../session/session-types.js';
import type { Check, DoctorContext } from './check.js';
import { CHECKS } from './index.js';

/** Runs the checks that apply; a check that throws is a failed check, not a crashed doctor. */
export async function runChecks(checks: readonly Check[], context: DoctorContext): Promise<DoctorOutcome[]> {
  const outcomes: DoctorOutcome[] = [];
  for (const check of checks) {
    if (!check.applies(context)) continue;
    try {
      outcomes.push({ id: check.id, title: check.title, ...(await check.run(context)) });
    } catch (error) {
      outcomes.push({
        id: check.id,
        title: check.title,
        status: 'fail',
        message: `the check itself failed: ${(error as Error).message}`,
      });
    }
  }
  return outcomes;
}

/** Every check, over what the session knows: the same answers for `berth doctor` and the app. */
export async function diagnose(
  session: StackSession,
  inputs: PlanRequest = {},
  checks: readonly Check[] = CHECKS,
): Promise<DoctorOutcome[]> {
  const [connection, facts] = await Promise.all([session.connect(), session.factsFor(inputs)]);
  let plan: StackPlan | undefined;
  let planProblem: string | undefined;
  try {
    plan = await session.plan(inputs);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    planProblem = error.message;
  }
  const secrets: Secrets = await session.secrets({ generate: false }).catch(() => ({}));
  const secretsFile = await secretsFileState(session.home, session.cipher).catch((error: Error) => ({
    exists: true,
    encrypted: false,
    locked: false,
    problem: error.message,
  }));
  const outcomes = await runChecks(checks, {
    facts,
    plan,
    ...(planProblem ? { planProblem } : {}),
    docker: connection.docker ?? undefined,
    engineTrouble: connection.docker ? undefined : connection.trouble,
    secrets,
    secretsFile,
    env: session.env,
  });
  if (planProblem)
    outcomes.unshift({
      id: 'settings',
      title: 'Settings',
      status: 'fail',
      message: planProblem,
      fix: 'correct the field named, in settings.json or the flag',
    });
  return outcomes;
}
