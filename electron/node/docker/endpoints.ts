import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Where a Docker engine may answer, and how Berth found out about it. */
export interface Candidate {
  endpoint: string;
  source: string;
  /**
   * Set by DOCKER_HOST or DOCKER_CONTEXT: when it fails, Berth reports it instead of trying others, as the docker CLI
   * does.
   */
  explicit: boolean;
}

export interface DiscoveryEnv {
  env: NodeJS.ProcessEnv;
  home: string;
  platform: NodeJS.Platform;
  /** The system-wide socket; tests point it elsewhere. */
  systemSocket?: string;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A docker context's endpoint from `contexts/meta/<sha256(name)>/meta.json`; the `default` context has none. */
export async function contextEndpoint(configDir: string, name: string): Promise<string | undefined> {
  if (name === 'default') return undefined;
  const digest = createHash('sha256').update(name).digest('hex');
  const meta = (await readJson(path.join(configDir, 'contexts', 'meta', digest, 'meta.json'))) as
    { Endpoints?: { docker?: { Host?: string } } } | undefined;
  return meta?.Endpoints?.docker?.Host;
}

async function colimaSockets(home: string): Promise<string[]> {
  const root = path.join(home, '.colima');
  try {
    const profiles = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('_'))
      .map((e) => e.name);
    profiles.sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
    return profiles.map((p) => path.join(root, p, 'docker.sock'));
  } catch {
    return [];
  }
}

/**
 * Candidates in the docker CLI's own order (https://docs.docker.com/engine/manage-resources/contexts/): DOCKER_HOST;
 * DOCKER_CONTEXT; the current context of the docker CLI's config; then the well-known sockets of Docker Engine, Docker
 * Desktop, Colima, OrbStack, rootless
 * Docker, Rancher Desktop and Podman. An app started at login has no shell environment, hence the files.
 */
export async function candidateEndpoints({
  env,
  home,
  platform,
  systemSocket = '/var/run/docker.sock',
}: DiscoveryEnv): Promise<Candidate[]> {
  if (env.DOCKER_HOST) return [{ endpoint: env.DOCKER_HOST, source: 'DOCKER_HOST', explicit: true }];
  const configDir = env.DOCKER_CONFIG ?? path.join(home, '.docker');
  if (env.DOCKER_CONTEXT) {
    const endpoint =
      env.DOCKER_CONTEXT === 'default'
        ? `unix://${systemSocket}`
        : await contextEndpoint(configDir, env.DOCKER_CONTEXT);
    return [
      {
        endpoint: endpoint ?? `context:${env.DOCKER_CONTEXT}`,
        source: `DOCKER_CONTEXT=${env.DOCKER_CONTEXT}`,
        explicit: true,
      },
    ];
  }
  const candidates: Candidate[] = [];
  const config = (await readJson(path.join(configDir, 'config.json'))) as { currentContext?: string } | undefined;
  if (config?.currentContext) {
    const endpoint = await contextEndpoint(configDir, config.currentContext);
    if (endpoint) candidates.push({ endpoint, source: `docker context "${config.currentContext}"`, explicit: false });
  }
  const sockets: [string, string][] = [[systemSocket, 'default socket']];
  if (platform === 'darwin' || platform === 'linux') {
    sockets.push([path.join(home, '.docker', 'run', 'docker.sock'), 'Docker Desktop']);
    if (platform === 'linux') sockets.push([path.join(home, '.docker', 'desktop', 'docker.sock'), 'Docker Desktop']);
    for (const socket of await colimaSockets(home)) sockets.push([socket, 'Colima']);
    sockets.push([path.join(home, '.orbstack', 'run', 'docker.sock'), 'OrbStack']);
    if (env.XDG_RUNTIME_DIR) sockets.push([path.join(env.XDG_RUNTIME_DIR, 'docker.sock'), 'rootless Docker']);
    sockets.push([path.join(home, '.rd', 'docker.sock'), 'Rancher Desktop']);
    if (env.XDG_RUNTIME_DIR) sockets.push([path.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'), 'Podman']);
    sockets.push([
      path.join(home, '.local', 'share', 'containers', 'podman', 'machine', 'podman.sock'),
      'Podman machine',
    ]);
    sockets.push([
      path.join(home, '.local', 'share', 'containers', 'podman', 'machine', 'podman-machine-default', 'podman.sock'),
      'Podman machine',
    ]);
  }
  for (const [socket, source] of sockets) {
    const endpoint = `unix://${socket}`;
    if (!candidates.some((c) => c.endpoint === endpoint)) candidates.push({ endpoint, source, explicit: false });
  }
  return candidates;
}
