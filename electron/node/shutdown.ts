/**
 * How a long-running Berth process (`berth serve`, `status --watch`, `logs -f`) learns that it should stop.
 *
 * Handlers stay installed for the life of the process. A dependency may add its own `process.once` handler that
 * re-raises the signal once it has cleaned up (the settings store's atomic writes do, through `when-exit`); with
 * only `once` handlers, that second delivery would find none and kill the process before Berth closed its server,
 * its streams and a remote engine's SSH connection. Berth's handler is still there to receive it, and ignores every
 * signal after the first: the shutdown it started runs to the end and the process exits 0.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

let received: StopSignal | undefined;
const waiters = new Set<(signal: StopSignal) => void>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (received) return;
      received = signal;
      for (const wake of waiters) wake(signal);
      waiters.clear();
    });
  }
}

/** Resolves with the first stop signal this process receives (at once, when one already came). */
export function untilStopSignal(abort?: AbortSignal): Promise<StopSignal | 'aborted'> {
  install();
  if (received) return Promise.resolve(received);
  if (abort?.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    const wake = (signal: StopSignal) => resolve(signal);
    waiters.add(wake);
    abort?.addEventListener(
      'abort',
      () => {
        waiters.delete(wake);
        resolve('aborted');
      },
      { once: true },
    );
  });
}

/**
 * A failure no caller awaited is a bug to log, never a reason to stop: `berth serve` and the app keep the dashboard,
 * the wake gateway and the models it woke up (Node's default for an unhandled rejection is to end the process).
 */
export function logUnexpectedFailures(log: (message: string) => void): void {
  process.on('unhandledRejection', (reason) =>
    log(`unexpected failure: ${(reason as Error | undefined)?.stack ?? String(reason)}`),
  );
}
