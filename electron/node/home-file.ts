import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Reads Berth's own files in BERTH_HOME (settings, secrets, measurements, answered starts, the lock) as what they
 * must be: regular files of a bounded size. A FIFO, a device (a link to /dev/zero) or a file grown past its cap is
 * refused at once with why, instead of hanging `status` and `plan` or filling memory; the open does not block (a FIFO
 * without a writer), and an async read has a deadline.
 */

/** The largest BERTH_HOME file Berth reads: far above any it writes (measured.json for every model is some KiB). */
export const HOME_FILE_MAX_BYTES = 4 * 1024 * 1024;
const READ_DEADLINE_MS = 5000;

/** Why a file in BERTH_HOME was not read: not there, or not a file Berth could have written. */
export class HomeFileError extends Error {
  constructor(
    readonly file: string,
    readonly code: 'ENOENT' | 'FOLDER' | 'NOT_REGULAR' | 'TOO_LARGE' | 'UNREADABLE',
    message: string,
    cause?: unknown,
  ) {
    super(`${file} ${message}`, cause === undefined ? undefined : { cause });
  }
}

function refused(file: string, error: unknown): HomeFileError {
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof HomeFileError) return error;
  if (code === 'ENOENT') return new HomeFileError(file, 'ENOENT', 'does not exist');
  if (code === 'EISDIR') return new HomeFileError(file, 'FOLDER', 'is a folder, not a file Berth wrote');
  return new HomeFileError(file, 'UNREADABLE', `cannot be read (${(error as Error).message})`, error);
}

function checkStat(
  file: string,
  stat: { isFile(): boolean; isDirectory(): boolean; size: number },
  maxBytes: number,
): void {
  if (stat.isDirectory()) throw new HomeFileError(file, 'FOLDER', 'is a folder, not a file Berth wrote');
  if (!stat.isFile())
    throw new HomeFileError(file, 'NOT_REGULAR', 'is not a regular file (a FIFO, a device or a socket): move it away');
  if (stat.size > maxBytes)
    throw new HomeFileError(file, 'TOO_LARGE', `is over ${maxBytes} bytes, more than Berth ever writes: move it away`);
}

/** The text of a BERTH_HOME file; throws HomeFileError. */
export async function readHomeFile(file: string, maxBytes = HOME_FILE_MAX_BYTES): Promise<string> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw refused(file, error);
  }
  try {
    checkStat(file, await handle.stat(), maxBytes);
    const text = await handle.readFile({ encoding: 'utf8', signal: AbortSignal.timeout(READ_DEADLINE_MS) });
    // It grew while being read.
    if (Buffer.byteLength(text) > maxBytes)
      throw new HomeFileError(
        file,
        'TOO_LARGE',
        `is over ${maxBytes} bytes, more than Berth ever writes: move it away`,
      );
    return text;
  } catch (error) {
    throw refused(file, error);
  } finally {
    await handle.close();
  }
}

/** The same, for the few readers that must not wait (the status tracker's). */
export function readHomeFileSync(file: string, maxBytes = HOME_FILE_MAX_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw refused(file, error);
  }
  try {
    const stat = fstatSync(fd);
    checkStat(file, stat, maxBytes);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } catch (error) {
    throw refused(file, error);
  } finally {
    closeSync(fd);
  }
}
