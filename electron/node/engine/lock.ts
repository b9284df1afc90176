import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding the stack's lock file, so the app and the CLI never converge one stack at the same time.
 * A lock whose process is gone is stale and taken over; a live one is waited for.
 */
export async function withStackLock<T>(home: string, stack: string, fn: () => Promise<T>, onWait?: (pid: number) => void): Promise<T> {
  await mkdir(home, { recursive: true });
  const file = path.join(home, `${stack}.lock`);
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (!Number.isFinite(pid) || !alive(pid)) {
        await unlink(file).catch(() => undefined);
        continue;
      }
      if (!told) onWait?.(pid);
      told = true;
      await sleep(150);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
