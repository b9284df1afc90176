import { pack } from 'tar-stream';
import type { PlannedService } from '../../common/contracts/stack-plan.js';

/**
 * The files a service's config mounts hold, as a tar archive rooted at `/`, for an engine on another machine: a bind
 * mount there would name a folder of this one, so the files are copied into the created container (Docker's
 * `PUT /containers/{id}/archive`) before it starts. They are the generated configs, which refer to secrets by
 * their environment variables' names, never by value.
 */
export async function configArchive(
  service: PlannedService,
  files: ReadonlyMap<string, string>,
): Promise<Buffer | undefined> {
  const entries: { name: string; content: string }[] = [];
  for (const mount of service.mounts) {
    if (mount.kind !== 'config') continue;
    for (const [file, content] of files) {
      if (file !== mount.source && !file.startsWith(`${mount.source}/`)) continue;
      entries.push({ name: `${mount.target}${file.slice(mount.source.length)}`.replace(/^\/+/, ''), content });
    }
  }
  if (!entries.length) return undefined;
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  for (const entry of entries) tar.entry({ name: entry.name, mode: 0o644 }, entry.content);
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}
