import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { blockingWarnings, type StackPlan } from '../../common/contracts/stack-plan.js';
import { GENERATED_HEADER, composeFile, envFile } from '../../common/export/compose.js';
import { stackFiles, type GeneratedFile } from '../../common/export/files.js';
import { K8S_FILES, k8sExport, type K8sOptions } from '../../common/export/k8s/index.js';
import type { HostFacts } from '../../common/contracts/host-facts.js';
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
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : Promise.reject(error)));
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

/** Files to write into an export folder; `private` ones may hold the user's secrets once filled in, so an existing one is kept. */
interface ExportFiles {
  files: GeneratedFile[];
  private: GeneratedFile[];
  /** Folders that must exist even while empty (mounted whole). */
  folders?: string[];
}

function refuseBlocked(plan: StackPlan): void {
  const blocking = blockingWarnings(plan)[0];
  if (blocking) throw new CommandError(`nothing exported: this stack cannot start (${blocking.code}: ${blocking.message})`);
}

/** Writes an export: files Berth did not write are never overwritten without `force`; private files are kept when present. */
async function writeExport(dir: string, output: ExportFiles, force: boolean): Promise<ExportResult> {
  if (!force) {
    for (const file of output.files) {
      const target = path.join(dir, file.path);
      if (!(await ours(target))) throw new CommandError(`${target} exists and was not written by Berth: pass --force to replace it, or choose another --out folder`);
    }
  }
  const written: string[] = [];
  const kept: string[] = [];
  try {
    for (const file of output.files) {
      const target = path.join(dir, file.path);
      await makeDirs(path.dirname(target));
      await writeFile(target, file.content);
      written.push(target);
    }
    for (const folder of output.folders ?? []) await makeDirs(path.join(dir, folder));
    for (const file of output.private) {
      const target = path.join(dir, file.path);
      if (await exists(target)) kept.push(target);
      else {
        await makeDirs(path.dirname(target));
        await writeFile(target, file.content, { mode: 0o600 });
        written.push(target);
      }
    }
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`cannot write to ${dir}: ${(error as Error).message}`);
  }
  return { written, kept };
}

/**
 * docker-compose.yml, the files it mounts, and an env file with placeholders. Files Berth did not write are
 * never overwritten without `force`; an existing .env (it holds real secrets) is always kept.
 */
export async function writeComposeExport(plan: StackPlan, dir: string, force: boolean): Promise<ExportResult> {
  refuseBlocked(plan);
  const files: GeneratedFile[] = [{ path: 'docker-compose.yml', content: composeFile(plan) }, ...stackFiles(plan)];
  // Folders that are mounted whole must exist even while empty.
  const folders = plan.services.flatMap((s) => s.mounts.filter((m) => m.kind === 'config' && !files.some((f) => f.path === m.source)).map((m) => m.source));
  return writeExport(dir, { files, private: [{ path: '.env', content: envFile(plan) }], folders }, force);
}

/** The Kubernetes export: chart values, manifests and README; an existing secrets.example.yaml (it may be filled in) is kept. */
export async function writeK8sExport(plan: StackPlan, facts: HostFacts, options: K8sOptions, dir: string, force: boolean): Promise<ExportResult> {
  refuseBlocked(plan);
  const { files } = k8sExport(plan, facts, options);
  return writeExport(dir, { files: files.filter((f) => f.path !== K8S_FILES.secrets), private: files.filter((f) => f.path === K8S_FILES.secrets) }, force);
}
