import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { redact } from './secrets/secrets-file.js';
import { type Secrets } from '../common/contracts/secrets.js';

/**
 * The app's own log (BERTH_HOME/logs/berth.log): one line per event, every secret replaced by its name
 * before the line is written, kept under a size cap by rotating to berth.log.1.
 */
export class AppLog {
  constructor(
    private readonly file: string,
    private readonly secrets: () => Secrets,
    private readonly maxBytes = 1024 * 1024,
    private readonly now: () => Date = () => new Date(),
  ) {}

  static inHome(home: string, secrets: () => Secrets): AppLog {
    return new AppLog(path.join(home, 'logs', 'berth.log'), secrets);
  }

  write(level: 'info' | 'warn' | 'error', message: string): void {
    const line = `${this.now().toISOString()} ${level} ${redact(message, this.secrets()).replace(/\r?\n/g, ' ⏎ ')}\n`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      if ((statSync(this.file, { throwIfNoEntry: false })?.size ?? 0) + line.length > this.maxBytes)
        renameSync(this.file, `${this.file}.1`);
      appendFileSync(this.file, line, { mode: 0o600 });
    } catch {
      // A log that cannot be written must never take the app down with it.
    }
  }
}
