import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type PressureLevel = 'normal' | 'warn' | 'critical';

/**
 * macOS's own verdict on memory: `kern.memorystatus_vm_pressure_level`, 1 normal, 2 warning, 4 critical (the levels of
 * GCD's memory-pressure source, DISPATCH_MEMORYPRESSURE_NORMAL/WARN/CRITICAL). Undefined where it cannot be read (not
 * a Mac).
 */
export async function readPressureLevel(): Promise<PressureLevel | undefined> {
  const level = await run('sysctl', ['-n', 'kern.memorystatus_vm_pressure_level'], { timeout: 2000 }).then(
    ({ stdout }) => Number(stdout.trim()),
    () => NaN,
  );
  return level >= 4 ? 'critical' : level >= 2 ? 'warn' : level >= 1 ? 'normal' : undefined;
}

export interface PressureGuardOptions {
  read?: () => Promise<PressureLevel | undefined>;
  /** How often the level is read while models run on the Mac's GPU. */
  everyMs?: number;
  /** Puts the least recently used idle model to sleep; which one, or undefined where none could be. */
  relieve: () => Promise<string | undefined>;
  /** What the user is told, once per time the pressure turns critical. */
  say: (message: string) => void;
}

/**
 * The Mac's memory guard (docs/decisions/0014): wired GPU memory cannot be swapped, and over-committing it has panicked
 * Macs (ml-explore/mlx-lm#883). When macOS says memory pressure is critical while models run on its GPU, Berth says so
 * and puts the least recently used idle model to sleep, once per time it turns critical. `metal.pressureGuard` turns
 * it off. It reads one sysctl every few seconds, only while it runs.
 */
export class PressureGuard {
  private timer: NodeJS.Timeout | undefined;
  private critical = false;
  private reading: Promise<void> | undefined;

  constructor(private readonly options: PressureGuardOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.options.everyMs ?? 5000).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look: the level, and on a turn to critical, a model put to sleep and the user told. */
  check(): Promise<void> {
    this.reading ??= this.look().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async look(): Promise<void> {
    const level = await (this.options.read ?? readPressureLevel)();
    if (level !== 'critical') {
      this.critical = false;
      return;
    }
    if (this.critical) return;
    this.critical = true;
    const slept = await this.options.relieve().catch(() => undefined);
    this.options.say(
      slept
        ? `macOS says memory pressure is critical while models run on its GPU: ${slept} is asleep now, its memory ` +
            'freed (it wakes on its next request)'
        : 'macOS says memory pressure is critical while models run on its GPU, and no idle model could be put to ' +
            'sleep: stop a model, close other apps, or raise metal.appsRoomGiB so the models take less',
    );
  }
}
