import type { Trial } from '../../../common/contracts/upgrade.js';
import { trialRows } from '../../../common/trial-figures.js';
import { EngineError } from '../../engine/errors.js';
import type { StackSession } from '../../session/stack-session.js';
import type { UpgradeCandidate } from '../../upgrade/candidates.js';
import { finishInterruptedTrials } from '../../upgrade/recover.js';
import { listCandidates, pullCandidates, rollbackService, trialCandidates } from '../../upgrade/upgrades.js';
import { progressPrinter } from '../format/progress.js';
import { textTable } from '../format/table.js';

export interface UpgradeFlags {
  check?: boolean;
  now?: boolean;
  whenIdle?: boolean;
  rollback?: string;
  json?: boolean;
}

function candidateLines(candidates: readonly UpgradeCandidate[]): string[] {
  if (candidates.length === 0) return ['Every service runs the image its plan names: nothing to upgrade.'];
  const lines: string[] = [];
  for (const c of candidates) {
    lines.push(`${c.service}: ${c.running} → ${c.candidate}`, `  from ${c.source}`);
    if (c.lastTrial && c.lastTrial.outcome !== 'running')
      lines.push(`  last trial ${(c.lastTrial.endedAt ?? c.lastTrial.startedAt).slice(0, 10)}: ${c.lastTrial.reason}`);
    if (c.hold) lines.push(`  held at ${c.hold.image}: berth upgrade ${c.service} --now tries it again`);
  }
  const open = candidates.filter((c) => !c.hold).map((c) => c.service);
  if (open.length)
    lines.push(
      '',
      `berth upgrade --now tries ${open.join(', ')} on this machine: each is kept only when no worse than what runs, ` +
        'else the running image comes back.',
    );
  return lines;
}

/** A trial's before and after, figure by figure, and what came of it. */
export function trialTable(trial: Trial): string[] {
  const rows = trialRows(trial).map(([name, before, after]) => [name, before ?? '-', after ?? '-']);
  return [
    `${trial.service}: ${trial.outcome === 'kept' ? 'kept' : 'rolled back'}. ${trial.reason ?? ''}`,
    ...(rows.length
      ? textTable(['', trial.from, trial.to], rows)
          .split('\n')
          .map((l) => `  ${l}`)
      : []),
  ];
}

export async function upgradeCommand(
  session: StackSession,
  services: string[],
  flags: UpgradeFlags,
  out: (text: string) => void,
): Promise<number> {
  const emit = progressPrinter(out);
  if ([flags.check, flags.now || flags.whenIdle, flags.rollback].filter(Boolean).length > 1)
    throw new EngineError('--check, --now and --rollback each do one thing', 'give one of them');
  await finishInterruptedTrials(session, emit);
  if (flags.rollback) {
    const image = await rollbackService(session, flags.rollback, emit);
    out(`${flags.rollback} runs ${image} again; the plan keeps it there until another image is tried.`);
    return 0;
  }
  if (flags.now || flags.whenIdle) {
    const reports = await trialCandidates(session, services, emit, { whenIdle: flags.whenIdle ?? false });
    if (flags.json)
      out(
        JSON.stringify(
          reports.map((r) => r.trial),
          null,
          2,
        ),
      );
    else if (reports.length === 0) out('Nothing to try: berth upgrade lists the candidates.');
    for (const report of flags.json ? [] : reports) {
      out(['', ...trialTable(report.trial)].join('\n'));
      if (report.unmarked) out(`  (not marked on Grafana: ${report.unmarked})`);
    }
    return reports.some((r) => r.trial.outcome !== 'kept') ? 1 : 0;
  }
  const candidates = flags.check ? await pullCandidates(session, emit) : await listCandidates(session);
  out(flags.json ? JSON.stringify(candidates, null, 2) : candidateLines(candidates).join('\n'));
  return 0;
}
