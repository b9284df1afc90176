import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a JSON file of BERTH_HOME whole, or not at all: the text goes to a new file beside it (created, never opened
 * through an existing path, with `mode`), is flushed to the disk, then renamed over the file. A reader sees the old
 * file or the new one, never half of one; a crash leaves the old one; and a symbolic link where the file is gets
 * replaced, never followed out of BERTH_HOME. The one writer of the stores (secrets, measurements, answered starts).
 * Libraries that do this (atomically, write-file-atomic) resolve the link first and write where it points.
 */
export async function writeJsonFile(
  file: string,
  value: unknown,
  options: { mode?: number; indent?: number } = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', options.mode ?? 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, options.indent ?? 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
