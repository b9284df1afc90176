import type { ProgressEvent } from '../../../electron/common/contracts/progress.js';
import { formatBytes } from '../../../electron/common/units.js';

/** Each service's latest progress while `up` runs: the event, when it came, and since when the service is busy. */
export type Progress = Record<string, { event: ProgressEvent; at: number; since: number }>;

/** What a service is doing while `up` runs, as words and (where known) a percentage, with the time it has taken. */
export function progressView(
  event: ProgressEvent,
  since: number,
  now = Date.now(),
): { text: string; percent?: number; failed?: boolean } {
  const elapsed = `${Math.max(0, Math.round((now - since) / 1000))} s`;
  switch (event.kind) {
    case 'pulling':
      return { text: `Pulling ${event.image} · ${event.percent}% · ${elapsed}`, percent: event.percent };
    case 'downloading': {
      const percent = event.bytesTotal ? Math.floor((event.bytesDone / event.bytesTotal) * 100) : 0;
      return {
        text:
          `Downloading weights ${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)} · ${percent}` +
          `% · ${elapsed}`,
        percent,
      };
    }
    case 'waiting':
      return { text: `Waiting for ${event.on} · ${event.elapsedS} s` };
    case 'building':
      return { text: `Building ${event.image} · ${elapsed}` };
    case 'creating':
      return { text: event.recreate ? 'Recreating with the new plan' : 'Creating' };
    case 'starting':
      return { text: `Starting · ${elapsed}` };
    case 'failed':
      return { text: `${event.message} — ${event.fix}`, failed: true };
    case 'skipped':
      return { text: `Not started: ${event.because}`, failed: true };
    case 'stopping':
      return { text: 'Stopping' };
    default:
      return { text: event.kind };
  }
}
