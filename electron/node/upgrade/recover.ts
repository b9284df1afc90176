import type { ProgressListener } from '../../common/contracts/progress.js';
import { up } from '../engine/converge.js';
import { withStackLock } from '../engine/lock.js';
import type { StackSession } from '../session/stack-session.js';
import { readUpgradesSync, updateUpgrades } from './store.js';

/**
 * Trials a Berth left unfinished (it stopped or crashed mid-trial; the lock, held through each trial, says no other
 * runs one now): each is recorded as rolled back, and its service started again at the image the record holds.
 */
export async function finishInterruptedTrials(session: StackSession, emit: ProgressListener): Promise<string[]> {
  const { settings } = await session.settings();
  const running = Object.entries(readUpgradesSync(session.home, settings.stack).services).filter(
    ([, r]) => r.trial?.outcome === 'running',
  );
  if (running.length === 0) return [];
  const services = await withStackLock(session.home, settings.stack, async () => {
    const names: string[] = [];
    for (const [service] of running) {
      const record = await updateUpgrades(session.home, settings.stack, service, (r) => {
        if (r.trial?.outcome !== 'running') return r;
        const reason = `Berth stopped during the trial of ${r.trial.to}: back to ${r.trial.from} at its next start`;
        const endedAt = new Date().toISOString();
        return {
          ...r,
          trial: { ...r.trial, outcome: 'rolled-back', endedAt, reason },
          hold: { image: r.trial.from, instead: r.trial.to, reason, at: endedAt },
        };
      });
      if (record.trial?.outcome === 'rolled-back') names.push(service);
    }
    return names;
  });
  if (services.length === 0) return [];
  for (const service of services)
    emit({ kind: 'warning', message: `${service}: a trial was left unfinished by a Berth that stopped; rolling back` });
  const { context, plan } = await session.engineContext(emit);
  await up(context, plan, services);
  return services;
}
