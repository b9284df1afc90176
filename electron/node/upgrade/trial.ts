import type { Measurement } from '../../common/contracts/measurement.js';
import type { PlannedService, StackPlan } from '../../common/contracts/stack-plan.js';
import type { Trial, TrialFigures, VolumeBackup } from '../../common/contracts/upgrade.js';
import type { EngineContext } from '../engine/context.js';
import { upLocked } from '../engine/converge.js';
import { EngineError } from '../engine/errors.js';
import { withStackLock } from '../engine/lock.js';
import { peakMemoryBytes } from '../engine/measure.js';
import { listOwned } from '../engine/owned.js';
import { stopContainer } from '../engine/stop.js';
import { firstAnswer, probeModel } from './probe.js';
import { updateUpgrades } from './store.js';
import { imageLabels, judge } from './verdict.js';
import { wiringChecks } from './wiring.js';
import { backUpVolumes, backupsFolder, discardBackups, restoreVolumes } from './volumes.js';

/** One trial: a service, the image it runs, the candidate, and the plan with the service at either. */
export interface TrialRun {
  ctx: EngineContext;
  stack: string;
  service: string;
  from: string;
  to: string;
  /** The plan with the service at this image, holds left out: what runs it during the trial. */
  planWith: (image: string) => StackPlan;
  /** How much worse a figure may be and still be kept (settings.upgradeMargin). */
  margin: number;
  now?: () => Date;
}

/** How long a start may take to its first answer within a trial. */
const START_DEADLINE_MS = 15 * 60_000;

class TrialFailure extends Error {}

function plannedIn(plan: StackPlan, service: string): PlannedService {
  const planned = plan.services.find((s) => s.name === service);
  if (!planned) throw new EngineError(`${service} is not in the plan`, 'berth upgrade lists what it can try');
  return planned;
}

async function containerOf(run: TrialRun): Promise<{ id: string; running: boolean } | undefined> {
  const owned = (await listOwned(run.ctx.docker, run.stack)).get(run.service);
  return owned ? { id: owned.id, running: owned.state === 'running' } : undefined;
}

/**
 * Starts the service at `image` as its plan makes it and measures it. A model server: from `up` to its first answer,
 * what vLLM logged at that start, its speed and answers, then its peak. Another service: the wiring checks, held to
 * those `expected`.
 */
async function measure(run: TrialRun, image: string, expected: TrialFigures | undefined): Promise<TrialFigures> {
  const plan = run.planWith(image);
  const planned = plannedIn(plan, run.service);
  const started: Measurement[] = [];
  const ctx: EngineContext = {
    ...run.ctx,
    record: async (m) => {
      started.push(m);
      await run.ctx.record?.(m);
    },
  };
  const t0 = Date.now();
  const result = await upLocked(ctx, plan, [run.service]);
  const failed = result.failed.find((f) => f.service === run.service) ?? result.failed[0];
  if (failed) throw new TrialFailure(failed.message);
  const host = run.ctx.probeHost;
  if (!host) throw new TrialFailure('the engine is on another machine, and a trial needs its ports here');
  const signal = AbortSignal.timeout(START_DEADLINE_MS);
  if (!planned.model) {
    const checks = await wiringChecks({ plan, secrets: run.ctx.secrets, probeHost: host, signal }, run.service, [
      ...(expected?.checks ?? []),
    ]);
    return { image, checks };
  }
  const port = planned.ports[0]?.host;
  const target = { baseUrl: `http://${host}:${port}`, apiKey: 'unused' };
  const answered = await firstAnswer(target, planned.model.servedName, signal).catch((error: Error) => {
    throw new TrialFailure(`it did not answer: ${error.message}`);
  });
  const probe = await probeModel(target, planned.model.servedName, signal).catch((error: Error) => {
    throw new TrialFailure(`it failed while answering the trial's prompts: ${error.message}`);
  });
  const container = await containerOf(run);
  const peakBytes = container ? await peakMemoryBytes(run.ctx.docker, container.id) : undefined;
  const measurement = started.at(-1);
  const kvTokens = measurement?.measured.kvTokens;
  const startSeconds = Math.round((answered - t0) / 100) / 10;
  // The measured store keeps the trial's speed beside what vLLM logged at the same start.
  const { answers: _answers, ...speed } = probe;
  if (measurement) await run.ctx.record?.({ ...measurement, trialled: { startSeconds, ...speed } });
  return {
    image,
    startSeconds,
    ...(peakBytes !== undefined ? { peakBytes } : {}),
    ...(kvTokens !== undefined ? { kvTokens } : {}),
    ...probe,
  };
}

/** The running image, measured as the candidate will be: a model server is stopped first, for a start of its own. */
async function measureRunning(run: TrialRun): Promise<TrialFigures> {
  const container = await containerOf(run);
  if (plannedIn(run.planWith(run.from), run.service).model && container?.running)
    await stopContainer(run.ctx.docker.getContainer(container.id));
  return measure(run, run.from, undefined).catch((error: Error) => {
    throw new EngineError(
      `${run.service} at ${run.from} could not be measured before its trial: ${error.message}`,
      `the candidate was not started; berth logs ${run.service} says why, and berth up ${run.service} starts it`,
    );
  });
}

/**
 * Back to the running image, as its plan makes it, with its volumes: a model server's were never touched; another
 * service's are put back from the copies taken before the candidate started on them.
 */
async function rollBack(run: TrialRun, trial: Trial, asleep: boolean): Promise<Trial> {
  run.ctx.emit({ kind: 'step', message: `${run.service}: ${trial.reason ?? ''}; back to ${run.from}` });
  await restoreVolumes(run.ctx.docker, run.stack, run.service, run.from, trial.backups ?? []);
  const result = await upLocked(run.ctx, run.planWith(run.from), [run.service]);
  const failed = result.failed.find((f) => f.service === run.service);
  if (failed)
    throw new EngineError(
      `${run.service} did not start again at ${run.from} after its trial: ${failed.message}`,
      failed.fix,
    );
  if (asleep) await sleepAgain(run);
  return trial;
}

/** Copies of what a service beside the models keeps, taken with its container stopped, before a candidate runs. */
async function backUp(run: TrialRun, startedAt: number): Promise<VolumeBackup[]> {
  const planned = plannedIn(run.planWith(run.from), run.service);
  const container = await containerOf(run);
  if (planned.model || !container) return [];
  await stopContainer(run.ctx.docker.getContainer(container.id));
  run.ctx.emit({ kind: 'step', message: `${run.service}: copying its volumes before the trial` });
  return backUpVolumes(
    run.ctx.docker,
    planned,
    container.id,
    backupsFolder(run.ctx.home, run.stack, run.service, startedAt),
  );
}

/** A model on demand that was asleep before its trial is put back to sleep after it. */
async function sleepAgain(run: TrialRun): Promise<void> {
  const container = await containerOf(run);
  if (container?.running) await stopContainer(run.ctx.docker.getContainer(container.id));
}

/**
 * Tries the candidate in place of the running image, holding the stack's lock throughout: the running image is
 * measured, the record says `running` and holds the plan at the running image (so a Berth that stops mid-trial, or
 * any plan made meanwhile, comes back to it), the candidate is started with the plan's memory and measured the same
 * way, and kept only if no figure is worse by more than the margin and every answer agrees; otherwise, or on any
 * failure, the running image is started again.
 */
export async function runTrial(run: TrialRun): Promise<Trial> {
  return withStackLock(run.ctx.home, run.stack, async () => {
    const now = run.now ?? (() => new Date());
    const asleep = !(await containerOf(run))?.running;
    const before = await measureRunning(run);
    const startedAt = now().toISOString();
    const backups = await backUp(run, Date.parse(startedAt));
    const base: Trial = {
      service: run.service,
      from: run.from,
      to: run.to,
      startedAt,
      outcome: 'running',
      before,
      ...(backups.length ? { backups } : {}),
    };
    await updateUpgrades(run.ctx.home, run.stack, run.service, (r) => ({
      ...r,
      trial: base,
      hold: { image: run.from, instead: run.to, reason: `its trial of ${startedAt} did not finish`, at: startedAt },
    }));
    let after: TrialFigures | undefined;
    let reason: string;
    let keep = false;
    try {
      after = await measure(run, run.to, before);
      ({ keep, reason } = judge(before, after, run.margin));
    } catch (error) {
      // Whatever failed, the running image comes back.
      if (!(error instanceof Error)) throw error;
      const labels = imageLabels(run.from, run.to);
      reason = `${labels.to} failed during its trial (${error.message}): kept ${labels.from}`;
    }
    const trial: Trial = { ...base, endedAt: now().toISOString(), ...(after ? { after } : {}), reason };
    if (keep) {
      if (asleep) await sleepAgain(run);
      const { backups: _kept, ...kept } = trial;
      await updateUpgrades(run.ctx.home, run.stack, run.service, () => ({
        previous: run.from,
        trial: { ...kept, outcome: 'kept' },
      }));
      await discardBackups(backups);
      return { ...kept, outcome: 'kept' };
    }
    await rollBack(run, { ...trial, outcome: 'rolled-back' }, asleep);
    const { backups: _restored, ...rolled } = { ...trial, outcome: 'rolled-back' as const };
    await updateUpgrades(run.ctx.home, run.stack, run.service, (r) => ({
      ...r,
      trial: rolled,
      hold: { image: run.from, instead: run.to, reason, at: rolled.endedAt ?? startedAt },
    }));
    await discardBackups(backups);
    return rolled;
  });
}
