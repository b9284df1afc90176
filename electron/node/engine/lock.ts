import { randomBytes } from 'node:crypto';
import { link, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readHomeFile } from '../home-file.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long the short takeover step may hold its own lock before another process may break it. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Creates `file` holding `content`, or fails with EEXIST: the content is written to a file of this process's own
 * first and then hard-linked into place, so the lock file never exists empty (a reader always finds its pid).
 */
async function createWith(file: string, content: string): Promise<boolean> {
  const own = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(own, content, { flag: 'wx' });
  try {
    await link(own, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(own).catch(() => undefined);
  }
}

async function pidIn(file: string): Promise<number | undefined> {
  const text = await readHomeFile(file, 64).catch(() => undefined);
  if (text === undefined) return undefined;
  const pid = Number.parseInt(text, 10);
  return Number.isFinite(pid) ? pid : Number.NaN;
}

/**
 * Removes a lock whose process is gone. Only one process at a time may do that (it holds `<lock>.takeover`, itself
 * created atomically), and it looks again at the lock while it holds the takeover: two processes that both saw the
 * same stale lock can therefore not remove the fresh lock the first of them made meanwhile.
 */
async function breakIfStale(file: string): Promise<void> {
  const takeover = `${file}.takeover`;
  if (!(await createWith(takeover, String(process.pid)))) {
    // A takeover left by a process that died inside its few milliseconds is broken after a while.
    const info = await stat(takeover).catch(() => undefined);
    const holder = await pidIn(takeover);
    if (
      info &&
      Date.now() - info.mtimeMs > TAKEOVER_STALE_MS &&
      (holder === undefined || Number.isNaN(holder) || !alive(holder))
    )
      await unlink(takeover).catch(() => undefined);
    await sleep(20);
    return;
  }
  try {
    const pid = await pidIn(file);
    if (pid !== undefined && (Number.isNaN(pid) || !alive(pid))) await unlink(file).catch(() => undefined);
  } finally {
    await unlink(takeover).catch(() => undefined);
  }
}

/**
 * Runs `fn` holding the stack's lock file, so the app and the CLI never converge one stack at the same time.
 * A lock whose process is gone is stale and taken over; a live one is waited for.
 */
export async function withStackLock<T>(
  home: string,
  stack: string,
  fn: () => Promise<T>,
  onWait?: (pid: number) => void,
): Promise<T> {
  await mkdir(home, { recursive: true });
  const file = path.join(home, `${stack}.lock`);
  const mine = String(process.pid);
  let told = false;
  for (;;) {
    if (await createWith(file, mine)) break;
    const pid = await pidIn(file);
    if (pid === undefined) continue;
    if (Number.isNaN(pid) || !alive(pid)) {
      await breakIfStale(file);
      continue;
    }
    if (!told) onWait?.(pid);
    told = true;
    await sleep(150);
  }
  try {
    return await fn();
  } finally {
    // Only this process's own lock is removed.
    if ((await pidIn(file)) === process.pid) await unlink(file).catch(() => undefined);
  }
}
