import type { BerthEvent } from '../../common/api/berth-api.js';
import type { LogLineView } from '../../common/contracts/logs.js';
import type { LogSource } from '../model-servers/log-source.js';
import { redact } from '../secrets/secrets-file.js';
import { type Secrets } from '../../common/contracts/secrets.js';

/**
 * Services' logs followed for the windows: one follow per service however many windows watch, secrets replaced by
 * their names, lines sent in batches every 50 ms so a chatty service cannot flood a window with messages.
 */
export class LogRelay {
  private readonly follows = new Map<string, AbortController>();

  constructor(
    private readonly emit: (event: BerthEvent) => void,
    private readonly report: (error: Error) => void,
  ) {}

  follow(source: LogSource, service: string, secrets: Secrets): void {
    if (this.follows.has(service)) return;
    const abort = new AbortController();
    this.follows.set(service, abort);
    let batch: LogLineView[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (batch.length) this.emit({ type: 'log', service, lines: batch });
      batch = [];
    };
    void source
      .follow({ tail: 500, timestamps: true, signal: abort.signal }, (line) => {
        batch.push({ ...line, text: redact(line.text, secrets) });
        timer ??= setTimeout(flush, 50);
      })
      .catch((error: Error) => {
        if (!abort.signal.aborted) this.report(new Error(`following ${service}'s log: ${error.message}`));
      })
      .finally(() => {
        if (timer) clearTimeout(timer);
        flush();
        this.follows.delete(service);
      });
  }

  following(service: string): boolean {
    return this.follows.has(service);
  }

  stop(service: string): void {
    this.follows.get(service)?.abort();
    this.follows.delete(service);
  }

  stopAll(): void {
    for (const abort of this.follows.values()) abort.abort();
  }
}
