import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { PlannedService, StackPlan } from '../../common/contracts/stack-plan.js';
import { stackFiles } from '../../common/export/files.js';
import { RELOADED_ON_HUP } from '../../common/planner/services.js';
import { configArchive } from './config-archive.js';

/** The plan's generated files under BERTH_HOME: written where they changed, and reloaded into running services. */
export interface StackFiles {
  /** Every generated file by its path under BERTH_HOME. */
  contents: Map<string, string>;
  /** Those whose content this run changed. */
  changed: Set<string>;
}

export async function writeStackFiles(home: string, plan: StackPlan): Promise<StackFiles> {
  const contents = new Map<string, string>();
  const changed = new Set<string>();
  for (const file of stackFiles(plan)) {
    const target = path.join(home, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    const before = await readFile(target, 'utf8').catch(() => undefined);
    // Written in place (not renamed over): a file bind-mounted on its own keeps its inode, so a container sees it.
    if (before !== file.content) {
      await writeFile(target, file.content);
      changed.add(file.path);
    }
    contents.set(file.path, file.content);
  }
  for (const service of plan.services) {
    for (const mount of service.mounts)
      if (mount.kind === 'config' && !contents.has(mount.source))
        await mkdir(path.join(home, mount.source), { recursive: true });
  }
  return { contents, changed };
}

/** A running service whose reloadable files changed gets them (copied in, on a remote engine) and SIGHUP. */
export async function reloadChanged(
  ctx: { docker: Docker; local?: boolean },
  service: PlannedService,
  id: string,
  files: StackFiles,
): Promise<void> {
  const changed = service.mounts.some(
    (m) => m.kind === 'config' && RELOADED_ON_HUP.has(m.source) && files.changed.has(m.source),
  );
  if (!changed) return;
  const container = ctx.docker.getContainer(id);
  const archive = ctx.local ? undefined : await configArchive(service, files.contents);
  if (archive) await container.putArchive(archive, { path: '/' });
  await container.kill({ signal: 'SIGHUP' });
}
