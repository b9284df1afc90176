import type { ServiceStatus, StackStatus } from '../../../common/contracts/status.js';
import { textTable } from './table.js';

function uptime(since: string | undefined, now: number): string {
  if (!since || since.startsWith('0001-')) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

/** What came of a service's last trial, in the status table. */
const TRIAL_WORDS: Record<NonNullable<ServiceStatus['trial']>['outcome'], string> = {
  running: '(trial running)',
  kept: '(kept)',
  'rolled-back': '(rolled back)',
};

export function statusReport(status: StackStatus, now = Date.now()): string {
  const rows = status.services.map((s) => [
    s.name,
    s.state === 'exited' ? `exited(${s.exitCode ?? '?'})` : s.state,
    s.ports.join(', ') || '-',
    s.containerId ?? '-',
    ['exited', 'oom-killed', 'missing', 'asleep'].includes(s.state) ? '-' : uptime(s.since, now),
    s.image ?? '-',
    s.trial ? `${s.trial.at.slice(0, 10)} ${TRIAL_WORDS[s.trial.outcome]}` : '-',
  ]);
  const lines = [
    `Engine: ${status.engine ?? 'not running'}`,
    '',
    textTable(['SERVICE', 'STATE', 'PORTS', 'CONTAINER', 'UP', 'IMAGE', 'TRIALLED'], rows),
  ];
  for (const s of status.services) if (s.problem) lines.push(`! ${s.name}: ${s.problem.message} — ${s.problem.fix}`);
  return lines.join('\n');
}
