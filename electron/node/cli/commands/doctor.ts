import os from 'node:os';
import type { StackPlan } from '../../../common/contracts/stack-plan.js';
import { InputError } from '../../../common/contracts/errors.js';
import { connectEngine } from '../../docker/connect.js';
import { CHECKS } from '../../doctor/index.js';
import { runChecks } from '../../doctor/run.js';
import { loadSecrets, secretsFileState, type SecretCipher, type Secrets } from '../../engine/secrets.js';
import { probeHostFacts } from '../../probe/facts.js';
import { berthHome } from '../../settings/paths.js';
import { buildPlan, type PlanFlags } from './plan.js';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/** `berth doctor`: every check that applies, each failing one with its fix. Exit 1 when any fails. */
export async function doctorCommand(flags: PlanFlags & { json?: boolean }, out: (text: string) => void, cipher?: SecretCipher): Promise<number> {
  const env = process.env;
  const [connection, facts] = await Promise.all([connectEngine({ env, home: os.homedir(), platform: process.platform }), probeHostFacts()]);
  let plan: StackPlan | undefined;
  let planProblem: string | undefined;
  try {
    plan = await buildPlan(flags, facts);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    planProblem = error.message;
  }
  const secrets: Secrets = await loadSecrets(berthHome(env), env, { generate: false, cipher }).catch(() => ({}));
  const secretsFile = await secretsFileState(berthHome(env), cipher).catch((error: Error) => ({ exists: true, encrypted: false, locked: false, problem: error.message }));
  const outcomes = await runChecks(CHECKS, {
    facts,
    plan,
    ...(planProblem ? { planProblem } : {}),
    docker: connection.docker ?? undefined,
    engineProblem: connection.docker ? undefined : connection.problem,
    secrets,
    secretsFile,
    env,
  });
  if (planProblem) outcomes.unshift({ id: 'settings', title: 'Settings', status: 'fail', message: planProblem, fix: 'correct the field named, in settings.json or the flag' });
  if (flags.json) out(JSON.stringify({ checks: outcomes }, null, 2));
  else {
    for (const outcome of outcomes) {
      out(`${MARK[outcome.status]} ${outcome.title}: ${outcome.message}`);
      if (outcome.status !== 'ok' && outcome.fix) out(`    fix: ${outcome.fix}`);
    }
  }
  return outcomes.some((o) => o.status === 'fail') ? 1 : 0;
}
