import { open, stat, watch } from 'node:fs/promises';
import type { LogLine } from '../../engine/logs.js';

/* A model server's log on the host: the file its supervisor appends its output to, read as a container's log is. */

async function readRange(file: string, from: number, to: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, to - from));
    await handle.read(buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

const sizeOf = (file: string) =>
  stat(file).then(
    (s) => s.size,
    () => 0,
  );

/** The last `tail` lines of the file, read from at most its last 4 MiB. */
export async function hostLogTail(file: string, tail: number): Promise<LogLine[]> {
  const size = await sizeOf(file);
  if (size === 0 || tail === 0) return [];
  const text = await readRange(file, Math.max(0, size - 4 * 1024 * 1024), size);
  return text
    .split('\n')
    .filter(Boolean)
    .slice(-tail)
    .map((line) => ({ stream: 'stdout' as const, text: line }));
}

/** Follows the file from its last `tail` lines until `signal` aborts: each line appended is passed on whole. */
export async function followHostLog(
  file: string,
  options: { tail: number | 'all'; signal?: AbortSignal },
  onLine: (line: LogLine) => void,
): Promise<void> {
  for (const line of await hostLogTail(file, options.tail === 'all' ? Number.MAX_SAFE_INTEGER : options.tail))
    onLine(line);
  let offset = await sizeOf(file);
  let partial = '';
  const readNew = async () => {
    const size = await sizeOf(file);
    // A log started again from nothing (removed by hand) is read from its start.
    if (size < offset) offset = 0;
    if (size === offset) return;
    const text = partial + (await readRange(file, offset, size));
    offset = size;
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) onLine({ stream: 'stdout', text: line });
  };
  try {
    for await (const _ of watch(file, options.signal ? { signal: options.signal } : {})) await readNew();
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
}
