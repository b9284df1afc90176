import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { blockingWarnings, type StackPlan } from '../../common/contracts/stack-plan.js';
import { GENERATED_HEADER, composeFile, envFile } from '../../common/export/compose.js';
import { stackFiles, type GeneratedFile } from '../../common/export/files.js';
import { CommandError } from '../errors.js';

export interface ExportResult {
  written: string[];
  kept: string[];
}

/**
 * mkdir -p, one level at a time from the nearest folder that exists: Node's recursive mkdir never returns on a path
 * the kernel refuses to create with ENOENT (under /proc, say), where this fails at once with the reason.
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (info) {
      if (!info.isDirectory()) throw new CommandError(`cannot write to ${dir}: ${current} is a file, not a folder`);
      break;
    }
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? undefined : Promise.reject(error)));
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** True when the file is missing or Berth wrote it, so overwriting loses nothing of the user's. */
async function ours(file: string): Promise<boolean> {
  try {
    return (await readFile(file, 'utf8')).includes(GENERATED_HEADER);
  } catch {
    return true;
  }
}

/**
 * docker-compose.yml, the files it mounts, and an env file with placeholders. Files Berth did not write are
 * never overwritten without `force`; an existing .env (it holds real secrets) is always kept.
 */
export async function writeComposeExport(plan: StackPlan, dir: string, force: boolean): Promise<ExportResult> {
  const blocking = blockingWarnings(plan)[0];
  if (blocking) throw new CommandError(`nothing exported: this stack cannot start (${blocking.code}: ${blocking.message})`);
  const files: GeneratedFile[] = [{ path: 'docker-compose.yml', content: composeFile(plan) }, ...stackFiles(plan)];
  if (!force) {
    for (const file of files) {
      const target = path.join(dir, file.path);
      if (!(await ours(target))) throw new CommandError(`${target} exists and was not written by Berth: pass --force to replace it, or choose another --out folder`);
    }
  }
  const written: string[] = [];
  const kept: string[] = [];
  try {
    for (const file of files) {
      const target = path.join(dir, file.path);
      await makeDirs(path.dirname(target));
      await writeFile(target, file.content);
      written.push(target);
    }
    // Folders that are mounted whole must exist even while empty.
    for (const service of plan.services) {
      for (const mount of service.mounts) {
        if (mount.kind === 'config' && !files.some((f) => f.path === mount.source)) await makeDirs(path.join(dir, mount.source));
      }
    }
    const env = path.join(dir, '.env');
    if (await exists(env)) kept.push(env);
    else {
      await writeFile(env, envFile(plan), { mode: 0o600 });
      written.push(env);
    }
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`cannot write to ${dir}: ${(error as Error).message}`);
  }
  return { written, kept };
}
