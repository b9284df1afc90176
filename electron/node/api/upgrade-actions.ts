import type { ActionResult } from '../../common/api/berth-api.js';
import type { ProgressListener } from '../../common/contracts/progress.js';
import type { Trial, UpgradesView } from '../../common/contracts/upgrade.js';
import type { StackSession } from '../session/stack-session.js';
import { readUpgradesSync } from '../upgrade/store.js';
import { listCandidates, pullCandidates, rollbackService, trialCandidates } from '../upgrade/upgrades.js';

/** The window's Updates view: the candidates while the engine answers, and the trials kept in BERTH_HOME. */
export async function upgradesView(session: StackSession, engineUp: boolean): Promise<UpgradesView> {
  const { settings } = await session.settings();
  const records = readUpgradesSync(session.home, settings.stack).services;
  const trials = Object.values(records).flatMap((r) => (r.trial ? [r.trial] : []));
  const rollbacks = Object.entries(records).flatMap(([service, r]) =>
    r.previous ? [{ service, image: r.previous }] : [],
  );
  return { candidates: engineUp ? await listCandidates(session) : [], trials, rollbacks };
}

/** Pulls the candidates' images, its progress sent as the window's progress events. */
export async function pullForWindow(session: StackSession, emit: ProgressListener): Promise<ActionResult> {
  const candidates = await pullCandidates(session, emit);
  const n = candidates.length;
  return {
    ok: true,
    summary: n ? `${n} image${n === 1 ? '' : 's'} here, ready to try` : 'Every service runs the image its plan names',
    failed: [],
  };
}

const outcome = (trial: Trial) => `${trial.service}: ${trial.outcome === 'kept' ? 'kept' : 'rolled back'}`;

/** Tries the candidates now, as `berth upgrade --now` does: each rolled back one is a failure with why. */
export async function trialForWindow(
  session: StackSession,
  services: readonly string[],
  emit: ProgressListener,
): Promise<ActionResult> {
  const reports = await trialCandidates(session, services, emit);
  const rolled = reports.filter((r) => r.trial.outcome !== 'kept');
  return {
    ok: rolled.length === 0,
    summary: reports.length
      ? reports.map((r) => `${outcome(r.trial)}. ${r.trial.reason ?? ''}`).join(' ')
      : 'Nothing to try: every service runs the image its plan names',
    failed: rolled.map((r) => ({
      service: r.trial.service,
      message: r.trial.reason ?? 'rolled back',
      fix: `try it again from Updates, or berth upgrade ${r.trial.service} --now`,
    })),
  };
}

export async function rollbackForWindow(
  session: StackSession,
  service: string,
  emit: ProgressListener,
): Promise<ActionResult> {
  const image = await rollbackService(session, service, emit);
  return { ok: true, summary: `${service} runs ${image} again`, failed: [] };
}
