import type { ProgressListener } from '../../common/contracts/progress.js';
import type { ServiceUpgrades, Trial } from '../../common/contracts/upgrade.js';
import { up } from '../engine/converge.js';
import { withStackLock } from '../engine/lock.js';
import type { StackSession } from '../session/stack-session.js';
import { readUpgradesSync, updateUpgrades } from './store.js';
import { discardBackups, restoreVolumes } from './volumes.js';

/** An unfinished trial's record, as rolled back: the plan holds the image it came from. */
function rolledBack(record: ServiceUpgrades): ServiceUpgrades {
  if (record.trial?.outcome !== 'running') return record;
  const reason = `Berth stopped during the trial of ${record.trial.to}: back to ${record.trial.from} at its next start`;
  const endedAt = new Date().toISOString();
  const { backups: _restored, ...trial } = record.trial;
  return {
    ...record,
    trial: { ...trial, outcome: 'rolled-back', endedAt, reason },
    hold: { image: trial.from, instead: trial.to, reason, at: endedAt },
  };
}

/**
 * Trials a Berth left unfinished (it stopped or crashed mid-trial; the lock, held through each trial, says no other
 * runs one now): the volumes copied before the candidate started are put back, each is recorded as rolled back, and its
 * service started again at the image the record holds.
 */
export async function finishInterruptedTrials(session: StackSession, emit: ProgressListener): Promise<string[]> {
  const { settings } = await session.settings();
  const stack = settings.stack;
  const running = Object.entries(readUpgradesSync(session.home, stack).services).filter(
    ([, r]) => r.trial?.outcome === 'running',
  );
  if (running.length === 0) return [];
  const docker = (await session.engine()).docker;
  const services = await withStackLock(session.home, stack, async () => {
    const names: string[] = [];
    for (const [service] of running) {
      // Read again under the lock: a trial that was running when first read may have ended since.
      const trial: Trial | undefined = readUpgradesSync(session.home, stack).services[service]?.trial;
      if (trial?.outcome !== 'running') continue;
      emit({
        kind: 'warning',
        message: `${service}: a trial was left unfinished by a Berth that stopped; rolling back`,
      });
      await restoreVolumes(docker, stack, service, trial.from, trial.backups ?? []);
      await updateUpgrades(session.home, stack, service, rolledBack);
      await discardBackups(trial.backups ?? []);
      names.push(service);
    }
    return names;
  });
  if (services.length === 0) return [];
  const { context, plan } = await session.engineContext(emit);
  await up(context, plan, services);
  return services;
}
