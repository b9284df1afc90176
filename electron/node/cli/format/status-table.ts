import type { StackStatus } from '../../../common/contracts/status.js';
import { textTable } from './table.js';

function uptime(since: string | undefined, now: number): string {
  if (!since || since.startsWith('0001-')) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

export function statusReport(status: StackStatus, now = Date.now()): string {
  const rows = status.services.map((s) => [
    s.name,
    s.state === 'exited' ? `exited(${s.exitCode ?? '?'})` : s.state,
    s.ports.join(', ') || '-',
    s.containerId ?? '-',
    ['exited', 'oom-killed', 'missing', 'asleep'].includes(s.state) ? '-' : uptime(s.since, now),
  ]);
  const lines = [
    `Engine: ${status.engine ?? 'not running'}`,
    '',
    textTable(['SERVICE', 'STATE', 'PORTS', 'CONTAINER', 'UP'], rows),
  ];
  for (const s of status.services) if (s.problem) lines.push(`! ${s.name}: ${s.problem.message} — ${s.problem.fix}`);
  return lines.join('\n');
}
