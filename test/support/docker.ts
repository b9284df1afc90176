import { describe } from 'vitest';
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';

const SOCKET = '/var/run/docker.sock';

let cached: Promise<boolean> | undefined;

/** Whether a Docker engine answers on the default socket (what CI provisions). */
export function dockerAnswers(): Promise<boolean> {
  cached ??= new Docker({ socketPath: SOCKET, timeout: 2000 })
    .ping()
    .then(() => true)
    .catch(() => false);
  return cached;
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A describe block that needs something this machine may lack. Under CI=true a missing requirement fails
 * the run; elsewhere the block is skipped with a message saying what is missing.
 */
export function describeWhen(available: boolean, missing: string, name: string, body: () => void): void {
  if (available) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`${missing} (CI=true: tests that need it fail instead of skipping)`);
    });
    return;
  }
  console.warn(`[skipped] ${name}: ${missing}`);
  describe.skip(name, body);
}
