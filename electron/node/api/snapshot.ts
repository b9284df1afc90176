import type { Snapshot } from '../../common/api/berth-api.js';
import { SECRET_NAMES } from '../../common/contracts/secrets.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import type { ServiceStatus } from '../../common/contracts/status.js';
import type { StackSession } from '../session/stack-session.js';
import { plainSecretsNote } from './secrets-note.js';
import type { StackFollower } from './stack-follower.js';

/**
 * How many services run another image than their plan names, from what the snapshot has already: the plan applies the
 * holds of earlier trials (a rolled-back image is planned as the one that runs), so each left is a candidate not tried.
 */
export function upgradesWaiting(plan: StackPlan, status: readonly ServiceStatus[]): number {
  return plan.services.filter((s) => {
    const running = status.find((r) => r.name === s.name)?.image;
    return s.image !== undefined && running !== undefined && running !== s.image;
  }).length;
}

/**
 * Everything the window shows at once, read fresh: the engine and its trouble, the plan (or why there is none),
 * the live status, settings, which secrets are set (never their values) and where they are kept.
 */
export async function readSnapshot(args: {
  session: StackSession;
  follower: StackFollower;
  report: (error: Error) => void;
  app?: Snapshot['app'];
  /** Where the app keeps secrets, when it says so itself (the keychain); else read from the file. */
  cipherNote?: string;
}): Promise<Snapshot> {
  const { session, follower, report, app, cipherNote } = args;
  await follower.connect();
  const resolved = await session.settings();
  const settings = resolved.settings;
  await follower.followStack(settings.stack);
  let plan: StackPlan | null = null;
  let planProblem: string | undefined;
  try {
    plan = await session.plan();
  } catch (error) {
    planProblem = (error as Error).message;
  }
  const secrets = await session.secrets({ generate: false }).catch((error: Error) => (report(error), {}));
  const encrypted = session.cipher.name === 'safeStorage';
  const trouble = follower.engineTrouble;
  const name = follower.connectedEngine ?? settings.engine;
  const status = follower.current();
  const waiting = plan ? upgradesWaiting(plan, status) : 0;
  return {
    engine: {
      endpoint: follower.endpoint,
      name,
      ...(trouble ? { trouble } : {}),
      ...(name !== 'local' ? { forwardsUp: session.forwardsUp } : {}),
    },
    ...(plan && follower.endpoint
      ? { urls: await session.reachable(plan).catch((error: Error) => (report(error), undefined)) }
      : {}),
    facts: await session.facts(),
    plan,
    ...(planProblem ? { planProblem } : {}),
    status,
    settings,
    planInputs: session.planInputs(resolved),
    secretsSet: Object.fromEntries(
      SECRET_NAMES.map((n) => [n, Boolean((secrets as Record<string, string | undefined>)[n])]),
    ) as Snapshot['secretsSet'],
    ...(app ? { app } : {}),
    ...(waiting ? { upgradesWaiting: waiting } : {}),
    secretsStorage: {
      encrypted,
      note: cipherNote ?? (encrypted ? undefined : await plainSecretsNote(session.home, session.cipher)),
    },
  };
}
