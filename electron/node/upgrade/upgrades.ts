import type Docker from 'dockerode';
import type { ProgressListener } from '../../common/contracts/progress.js';
import { isOnDemand, type StackPlan } from '../../common/contracts/stack-plan.js';
import type { Trial } from '../../common/contracts/upgrade.js';
import { planStack } from '../../common/planner/plan.js';
import { checkImages, up } from '../engine/converge.js';
import { EngineError } from '../engine/errors.js';
import { ensureImage } from '../engine/images.js';
import { listOwned } from '../engine/owned.js';
import { subscribeContainerEvents } from '../engine/docker-events.js';
import type { Settings } from '../../common/contracts/settings.js';
import type { StackSession } from '../session/stack-session.js';
import { annotateTrial } from './annotate.js';
import { upgradeCandidates, type UpgradeCandidate } from './candidates.js';
import { readUpgradesSync, updateUpgrades } from './store.js';
import { runTrial } from './trial.js';

/**
 * `berth upgrade` and the window's Updates panel, on a session: the candidates, their images pulled, their trials, a
 * rollback by hand, and the trials a stopped Berth left unfinished.
 */

interface Planners {
  settings: Settings;
  /** The plan as settings and Berth's defaults say, without the holds of earlier trials. */
  raw: StackPlan;
  /** The plan with `service` at `image`, the other services' holds kept. */
  withImage: (service: string, image: string) => StackPlan;
}

async function planners(session: StackSession): Promise<Planners> {
  const [resolved, facts] = await Promise.all([session.settings(), session.facts()]);
  const { settings, options } = session.planInputs(resolved);
  return {
    settings,
    raw: planStack(facts, settings, { ...options, holds: {} }),
    withImage: (service, image) => {
      const holds = { ...options.holds };
      delete holds[service];
      return planStack(facts, { ...settings, images: { ...settings.images, [service]: image } }, { ...options, holds });
    },
  };
}

async function candidatesFor(session: StackSession, { settings, raw }: Planners): Promise<UpgradeCandidate[]> {
  const owned = await listOwned((await session.engine()).docker, settings.stack);
  return upgradeCandidates(raw, owned, settings, readUpgradesSync(session.home, settings.stack));
}

/** Every service whose container runs another image than the plan's, with where the plan's comes from. */
export async function listCandidates(session: StackSession): Promise<UpgradeCandidate[]> {
  return candidatesFor(session, await planners(session));
}

/**
 * Pulls each candidate's image that the engine does not have yet, with progress (`berth upgrade --check`); the images
 * are checked first as `berth up` checks them, so one that cannot be had is said in one line and nothing is pulled.
 */
export async function pullCandidates(session: StackSession, emit: ProgressListener): Promise<UpgradeCandidate[]> {
  const plans = await planners(session);
  const candidates = await candidatesFor(session, plans);
  if (!candidates.length) return candidates;
  const { context } = await session.engineContext(emit);
  await checkImages(
    context,
    plans.raw,
    candidates.map((c) => c.service),
  );
  for (const candidate of candidates) {
    const service = plans.raw.services.find((s) => s.name === candidate.service);
    if (service) await ensureImage(context.docker, service, emit);
  }
  return candidates;
}

/** Chosen among the candidates: those named, or all; a name that is not one is said with what is. */
function chosen(candidates: readonly UpgradeCandidate[], names: readonly string[]): UpgradeCandidate[] {
  for (const name of names)
    if (!candidates.some((c) => c.service === name))
      throw new EngineError(
        `${name} has no newer image to try: its container runs the image its plan names`,
        candidates.length
          ? `berth upgrade lists what can be tried: ${candidates.map((c) => c.service).join(', ')}`
          : 'set another image in settings (images.<service>), or wait for a Berth release with newer defaults',
      );
  // A candidate a trial rolled back is tried again only when named.
  return names.length ? candidates.filter((c) => names.includes(c.service)) : candidates.filter((c) => !c.hold);
}

/** What `berth upgrade` does with each trial's outcome besides keeping it: a mark on Grafana's graphs. */
export interface TrialReport {
  trial: Trial;
  /** Why Grafana has no mark of it, where it has none. */
  unmarked?: string;
}

/**
 * Tries each chosen candidate in turn, a model server's with its figures, another service's with its wiring. The
 * images are pulled first; nothing is touched when one cannot be had.
 */
export async function trialCandidates(
  session: StackSession,
  names: readonly string[],
  emit: ProgressListener,
  options: { whenIdle?: boolean; signal?: AbortSignal } = {},
): Promise<TrialReport[]> {
  const { context, settings } = await session.engineContext(emit);
  if (!context.probeHost)
    throw new EngineError(
      "a trial measures a service through its ports, which answer on the engine's own machine only",
      'run berth upgrade on the engine’s host (over SSH), or berth up to switch images without a trial',
    );
  const plans = await planners(session);
  const candidates = chosen(await candidatesFor(session, plans), names);
  for (const c of candidates) await checkImages(context, plans.withImage(c.service, c.candidate), [c.service]);
  const reports: TrialReport[] = [];
  for (const c of candidates) {
    const service = plans.raw.services.find((s) => s.name === c.service);
    if (options.whenIdle && service && isOnDemand(service)) {
      emit({ kind: 'step', message: `${c.service}: waiting for it to fall asleep before its trial` });
      await untilAsleep(context.docker, settings.stack, c.service, options.signal);
    }
    emit({ kind: 'step', message: `${c.service}: trying ${c.candidate} in place of ${c.running}` });
    const trial = await runTrial({
      ctx: context,
      stack: settings.stack,
      service: c.service,
      from: c.running,
      to: c.candidate,
      planWith: (image) => plans.withImage(c.service, image),
      margin: settings.upgradeMargin,
    });
    const unmarked = await annotateTrial(plans.raw, context.secrets, context.probeHost, trial);
    reports.push({ trial, ...(unmarked ? { unmarked } : {}) });
  }
  return reports;
}

/**
 * Until a model on demand's container is stopped (its idle window, in which a trial interrupts nobody): at once if it
 * is, else at Docker's event for its stop, followed before the container is looked at so that none is missed.
 */
async function untilAsleep(docker: Docker, stack: string, service: string, signal?: AbortSignal): Promise<void> {
  const following = new AbortController();
  let stop = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const { closed } = await subscribeContainerEvents(
      docker,
      stack,
      (event) => event.service === service && ['die', 'stop', 'destroy'].includes(event.action) && stop(),
      following.signal,
    );
    // The engine gone: the trial that follows says so.
    void closed.then(stop);
    if ((await listOwned(docker, stack)).get(service)?.state === 'running') await stopped;
  } finally {
    following.abort();
  }
  signal?.throwIfAborted();
}

/**
 * Back to the image a service ran before its last switch (`berth upgrade --rollback SERVICE`): the plan holds it
 * there until another image is tried, and its container is made again from it, with its volumes.
 */
export async function rollbackService(session: StackSession, service: string, emit: ProgressListener): Promise<string> {
  const { context, settings, plan } = await session.engineContext(emit);
  if (!plan.services.some((s) => s.name === service))
    throw new EngineError(
      `${service} is not a service of this stack`,
      `berth upgrade --rollback takes one of: ${plan.services.map((s) => s.name).join(', ')}`,
    );
  const record = readUpgradesSync(session.home, settings.stack).services[service];
  const running = (await listOwned(context.docker, settings.stack)).get(service)?.image;
  if (!record?.previous || !running)
    throw new EngineError(
      `${service} has no earlier image to return to: Berth has not switched its image since it started keeping them`,
      'set the image you want in settings (images.' + service + '), then berth up ' + service,
    );
  const previous = record.previous;
  const at = new Date().toISOString();
  await updateUpgrades(session.home, settings.stack, service, (r) => ({
    ...r,
    previous: running,
    hold: { image: previous, instead: running, reason: 'rolled back by berth upgrade --rollback', at },
  }));
  const result = await up(context, await session.plan(), [service]);
  const failed = result.failed.find((f) => f.service === service);
  if (failed) throw new EngineError(`${service} did not start at ${previous}: ${failed.message}`, failed.fix);
  return previous;
}
