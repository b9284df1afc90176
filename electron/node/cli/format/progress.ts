import type { ProgressEvent } from '../../../common/contracts/progress.js';
import { formatBytes } from '../../../common/units.js';

/** One line per event worth a line: percentages only as they cross each tenth, so a log stays readable. */
export function progressPrinter(write: (line: string) => void): (event: ProgressEvent) => void {
  const lastTenth = new Map<string, number>();
  const crossed = (key: string, percent: number) => {
    const tenth = Math.floor(percent / 10);
    if (lastTenth.get(key) === tenth) return false;
    lastTenth.set(key, tenth);
    return true;
  };
  return (event) => {
    switch (event.kind) {
      case 'step':
        return write(`  ${event.message}`);
      case 'warning':
        return write(`! ${event.message}`);
      case 'pulling':
        if (crossed(`pull:${event.service}`, event.percent))
          write(`↓ ${event.service}: pulling ${event.image} ${event.percent}%`);
        return;
      case 'building':
        // A building event's message is Docker's build output: its step lines are the ones worth a line here.
        // eslint-disable-next-line no-restricted-syntax
        if (/^(Step \d+\/\d+|#\d+ \[)/.test(event.message)) write(`⚙ ${event.service}: ${event.message}`);
        return;
      case 'downloading': {
        const percent = event.bytesTotal ? Math.floor((event.bytesDone / event.bytesTotal) * 100) : 0;
        if (crossed(`weights:${event.service}`, percent))
          write(
            `↓ ${event.service}: ${event.model} ${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)}` +
              ` (${percent}%)`,
          );
        return;
      }
      case 'unchanged':
        return write(`= ${event.service}: unchanged`);
      case 'asleep':
        return write(`z ${event.service}: asleep, wakes on its first request`);
      case 'creating':
        return write(
          `+ ${event.service}: ${event.recreate ? 'recreating (its part of the plan changed)' : 'creating'}`,
        );
      case 'starting':
        return write(`▶ ${event.service}: starting`);
      case 'waiting':
        return write(`… ${event.service}: waiting for ${event.on} (${event.elapsedS} s)`);
      case 'healthy':
        return write(`✓ ${event.service}: healthy (${event.elapsedS} s)`);
      case 'measured':
        return write(
          event.overPlan
            ? `! ${event.message} — more than planned: the next plan uses these figures`
            : `  ${event.message}`,
        );
      case 'failed':
        return write(`✗ ${event.service}: ${event.message}\n    fix: ${event.fix}`);
      case 'skipped':
        return write(`- ${event.service}: not started, because ${event.because}`);
      case 'stopping':
        return write(`■ ${event.service}: stopping`);
      case 'removed':
        return write(`  ${event.service}: removed`);
    }
  };
}
