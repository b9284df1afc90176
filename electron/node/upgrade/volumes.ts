import { createWriteStream, createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import type { PlannedService } from '../../common/contracts/stack-plan.js';
import type { VolumeBackup } from '../../common/contracts/upgrade.js';
import { stackLabels } from '../engine/labels.js';
import { listOwned } from '../engine/owned.js';

/**
 * What a service beside the models keeps in its volumes (Open WebUI's chats and users, Grafana's database, Prometheus's
 * series) is copied before a candidate image starts on it, since a candidate may migrate it on its first start; a
 * trial that is rolled back puts the copy back before the running image starts again, so nothing the user made is lost.
 * Copied with the engine's own archive routes (GET and PUT /containers/{id}/archive), so a remote engine works too,
 * into BERTH_HOME/upgrades/<stack>/, and removed once the trial is decided.
 */
export function backupsFolder(home: string, stack: string, service: string, at: number): string {
  return path.join(home, 'upgrades', stack, `${service}-${at}`);
}

/** The service's own volumes, where it keeps what it makes. */
function dataVolumes(service: PlannedService): { volume: string; target: string }[] {
  return service.mounts
    .filter((m) => m.kind === 'volume' && !m.readOnly)
    .map((m) => ({ volume: m.source, target: m.target }));
}

/** Copies each volume of the (stopped) container into the folder, as the tar the engine gives. */
export async function backUpVolumes(
  docker: Docker,
  service: PlannedService,
  containerId: string,
  folder: string,
): Promise<VolumeBackup[]> {
  const volumes = dataVolumes(service);
  if (volumes.length === 0) return [];
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const backups: VolumeBackup[] = [];
  for (const { volume, target } of volumes) {
    const file = path.join(folder, `${volume}.tar`);
    const archive = await docker.getContainer(containerId).getArchive({ path: target });
    await pipeline(archive, createWriteStream(file, { mode: 0o600 }));
    backups.push({ volume, target, file });
  }
  return backups;
}

/**
 * Makes each of a service's volumes again from its copy: the service's container, which holds them, is removed (the
 * plan makes it again), each volume is removed, made again with the stack's labels, and the copy put into it through a
 * container of `image` that is created, never started.
 */
export async function restoreVolumes(
  docker: Docker,
  stack: string,
  service: string,
  image: string,
  backups: readonly VolumeBackup[],
): Promise<void> {
  if (backups.length === 0) return;
  const holder = (await listOwned(docker, stack)).get(service);
  if (holder) await docker.getContainer(holder.id).remove({ force: true });
  for (const backup of backups) {
    const helperName = `${stack}-restore-${backup.volume}`;
    await docker
      .getContainer(helperName)
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      .getVolume(backup.volume)
      .remove()
      .catch(() => undefined);
    await docker.createVolume({ Name: backup.volume, Labels: stackLabels(stack) });
    const helper = await docker.createContainer({
      name: helperName,
      Image: image,
      Entrypoint: ['/nonexistent'],
      HostConfig: {
        // NoCopy: the image's own files at that path are not copied into the new, empty volume.
        Mounts: [
          {
            Type: 'volume',
            Source: backup.volume,
            Target: backup.target,
            VolumeOptions: { NoCopy: true } as Docker.MountSettings['VolumeOptions'],
          },
        ],
      },
    });
    try {
      // The archive holds the folder by its own name: it is put into the folder above it.
      await helper.putArchive(createReadStream(backup.file), { path: path.posix.dirname(backup.target) });
    } finally {
      await helper.remove({ force: true }).catch(() => undefined);
    }
  }
}

/** The copies of a decided trial, removed. */
export async function discardBackups(backups: readonly VolumeBackup[]): Promise<void> {
  const folders = new Set(backups.map((b) => path.dirname(b.file)));
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
}
