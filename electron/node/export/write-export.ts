import { runsOnHost } from '../../common/model-servers/registry.js';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { blockingWarnings, withoutOnDemand, type StackPlan } from '../../common/contracts/stack-plan.js';
import { composeFile, envFile } from '../../common/export/compose.js';
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
    const info = await stat(current).catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : Promise.reject(error),
    );
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
    await mkdir(folder).catch((error: NodeJS.ErrnoException) =>
      error.code === 'EEXIST' ? undefined : Promise.reject(error),
    );
  }
}

/**
 * The record of what Berth wrote into an export folder, in `sha256sum`'s format (`sha256sum -c .berth-export.sha256`
 * checks it): the SHA-256 of each file as Berth wrote it. Not .json or .yaml, so `kubectl apply -f` on the folder
 * leaves it alone.
 */
export const EXPORT_MANIFEST = '.berth-export.sha256';

interface Manifest {
  files: Record<string, string>;
}

const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

function linkRefused(shown: string): CommandError {
  return new CommandError(
    `${shown} is a symbolic link: Berth never writes through one; remove it, or choose another --out folder`,
  );
}

/** What is at `relative` under `root`, never following a link: every folder on the way must be a real folder. */
async function entryAt(root: string, relative: string): Promise<'missing' | 'file' | 'folder'> {
  const parts = relative.split('/').filter(Boolean);
  let current = root;
  for (const [i, part] of parts.entries()) {
    current = path.join(current, part);
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? undefined : Promise.reject(error),
    );
    if (!info) return 'missing';
    if (info.isSymbolicLink()) throw linkRefused(current);
    if (i < parts.length - 1) {
      if (!info.isDirectory()) throw new CommandError(`cannot write to ${root}: ${current} is a file, not a folder`);
      continue;
    }
    if (info.isDirectory()) return 'folder';
    if (info.isFile()) return 'file';
    throw new CommandError(
      `${current} is neither a file nor a folder: Berth leaves it alone; choose another --out folder`,
    );
  }
  return 'folder';
}

/** mkdir under `root`, one real folder at a time; a link on the way is refused. */
async function makeFoldersUnder(root: string, relative: string): Promise<void> {
  let current = '';
  for (const part of relative.split('/').filter((p) => p && p !== '.')) {
    current = current ? `${current}/${part}` : part;
    const at = await entryAt(root, current);
    if (at === 'file')
      throw new CommandError(`cannot write to ${root}: ${path.join(root, current)} is a file, not a folder`);
    if (at === 'missing')
      await mkdir(path.join(root, current)).catch((error: NodeJS.ErrnoException) =>
        error.code === 'EEXIST' ? undefined : Promise.reject(error),
      );
    // Made by someone else meanwhile: it must still be a real folder.
    if ((await entryAt(root, current)) !== 'folder') throw linkRefused(path.join(root, current));
  }
}

/**
 * Writes one file of an export without following a link: into a new temporary file beside it (created exclusively,
 * so not through a link either) that is then renamed over the name, which replaces what was there instead of
 * writing into it.
 */
async function writeInside(root: string, relative: string, content: string, mode = 0o644): Promise<void> {
  await makeFoldersUnder(root, path.posix.dirname(relative));
  if ((await entryAt(root, relative)) === 'folder')
    throw new CommandError(
      `${path.join(root, relative)} is a folder: Berth writes a file there; move it, or choose another --out folder`,
    );
  const target = path.join(root, relative);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  await rename(temporary, target).catch(async (error: unknown) => {
    await rm(temporary, { force: true });
    throw error;
  });
}

async function readManifest(root: string): Promise<Manifest> {
  const files: Record<string, string> = Object.create(null) as Record<string, string>;
  if ((await entryAt(root, EXPORT_MANIFEST)) !== 'file') return { files };
  const text = await readFile(path.join(root, EXPORT_MANIFEST), 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (match) files[match[2] as string] = match[1] as string;
  }
  return { files };
}

function manifestText(manifest: Manifest): string {
  return Object.entries(manifest.files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, hash]) => `${hash}  ${file}\n`)
    .join('');
}

/** True when nothing is there, or the file is exactly what Berth last wrote there, so replacing it loses nothing. */
async function ours(root: string, relative: string, manifest: Manifest): Promise<boolean> {
  const at = await entryAt(root, relative);
  if (at === 'missing') return true;
  if (at === 'folder') return false;
  const recorded = Object.hasOwn(manifest.files, relative) ? manifest.files[relative] : undefined;
  return recorded !== undefined && recorded === sha256(await readFile(path.join(root, relative)));
}

/**
 * Files to write into an export folder; `private` ones may hold the user's secrets once filled in, so an existing one
 * is kept.
 */
interface ExportFiles {
  files: GeneratedFile[];
  private: GeneratedFile[];
  /** Folders that must exist even while empty (mounted whole). */
  folders?: string[];
}

function refuseBlocked(plan: StackPlan): void {
  const blocking = blockingWarnings(plan)[0];
  if (blocking)
    throw new CommandError(`nothing exported: this stack cannot start (${blocking.code}: ${blocking.message})`);
}

/**
 * Writes an export: nothing is written through a symbolic link; a file is replaced only when it is what Berth last
 * wrote there (by the SHA-256 kept in .berth-export.sha256), or with `force`; private files are kept when present.
 */
async function writeExport(dir: string, output: ExportFiles, force: boolean): Promise<ExportResult> {
  const written: string[] = [];
  const kept: string[] = [];
  try {
    // The folder itself is the user's choice, a link to a folder included; a link to nothing is refused.
    const given = path.resolve(dir);
    const link = await lstat(given).then(
      (info) => info.isSymbolicLink(),
      () => false,
    );
    const root = link ? await realpath(given).catch(() => Promise.reject(linkRefused(given))) : given;
    await makeDirs(root);
    const manifest = await readManifest(root);
    for (const file of output.files) {
      if (!force && !(await ours(root, file.path, manifest))) {
        throw new CommandError(
          `${path.join(root, file.path)} exists and was not written by Berth (or was changed since): pass ` +
            '--force to replace it, or choose another --out folder',
        );
      }
    }
    // A link where a kept file or a folder goes is refused before anything is written.
    for (const file of output.private) await entryAt(root, file.path);
    for (const folder of output.folders ?? []) await entryAt(root, folder);
    for (const file of output.files) {
      await writeInside(root, file.path, file.content);
      manifest.files[file.path] = sha256(file.content);
      written.push(path.join(root, file.path));
    }
    for (const folder of output.folders ?? []) await makeFoldersUnder(root, folder);
    for (const file of output.private) {
      if ((await entryAt(root, file.path)) !== 'missing') kept.push(path.join(root, file.path));
      else {
        await writeInside(root, file.path, file.content, 0o600);
        written.push(path.join(root, file.path));
      }
    }
    await writeInside(root, EXPORT_MANIFEST, manifestText(manifest));
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
export async function writeComposeExport(planned: StackPlan, dir: string, force: boolean): Promise<ExportResult> {
  refuseBlocked(planned);
  const plan = withoutOnDemand(planned);
  const files: GeneratedFile[] = [{ path: 'docker-compose.yml', content: composeFile(plan) }, ...stackFiles(plan)];
  // Folders that are mounted whole must exist even while empty.
  const folders = plan.services.flatMap((s) =>
    s.mounts.filter((m) => m.kind === 'config' && !files.some((f) => f.path === m.source)).map((m) => m.source),
  );
  return writeExport(dir, { files, private: [{ path: '.env', content: envFile(plan) }], folders }, force);
}

/**
 * The Kubernetes export: chart values, manifests and README; an existing secrets.example.yaml (it may be filled in) is
 * kept.
 */
export async function writeK8sExport(
  plan: StackPlan,
  facts: HostFacts,
  options: K8sOptions,
  dir: string,
  force: boolean,
): Promise<ExportResult> {
  refuseBlocked(plan);
  const onMac = plan.services.filter(runsOnHost).map((s) => s.name);
  if (onMac.length)
    throw new CommandError(
      `nothing exported: ${onMac.join(', ')} run on this Mac's GPU (vllm-metal), which a cluster cannot; export the ` +
        'production profile (--profile production) or plan with modelsOn "containers"',
    );
  const { files } = k8sExport(withoutOnDemand(plan), facts, options);
  return writeExport(
    dir,
    {
      files: files.filter((f) => f.path !== K8S_FILES.secrets),
      private: files.filter((f) => f.path === K8S_FILES.secrets),
    },
    force,
  );
}
