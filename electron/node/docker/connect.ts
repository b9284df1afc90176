import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { candidateEndpoints, type Candidate, type DiscoveryEnv } from './endpoints.js';

export const PING_TIMEOUT_MS = 1500;

/** dockerode options for unix://, tcp:// (TLS when DOCKER_TLS_VERIFY is set) and ssh:// endpoints. */
export function dockerOptions(endpoint: string, env: NodeJS.ProcessEnv, home: string): Docker.DockerOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://')) return { socketPath: endpoint.slice('npipe://'.length).replace(/\//g, '\\') };
  const url = new URL(endpoint);
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: url.username || undefined,
      sshOptions: { agent: env.SSH_AUTH_SOCK },
    } as Docker.DockerOptions;
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = url.protocol === 'https:' || (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0');
    const certs = env.DOCKER_CERT_PATH ?? path.join(home, '.docker');
    return {
      protocol: tls ? 'https' : 'http',
      host: url.hostname,
      port: url.port ? Number(url.port) : tls ? 2376 : 2375,
      ...(tls
        ? {
            ca: readFileSync(path.join(certs, 'ca.pem')),
            cert: readFileSync(path.join(certs, 'cert.pem')),
            key: readFileSync(path.join(certs, 'key.pem')),
          }
        : {}),
    };
  }
  throw new Error(`unsupported Docker endpoint "${endpoint}": use unix://, tcp:// or ssh://`);
}

export type PingResult = { ok: true } | { ok: false; problem: string; present: boolean };

export function describePingFailure(error: unknown, endpoint: string, timeoutMs: number): PingResult {
  const err = error as NodeJS.ErrnoException & { statusCode?: number };
  const code = err.code ?? '';
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      ok: false,
      present: true,
      problem: `permission denied on ${endpoint}: add your user to the docker group (sudo usermod -aG docker "$USER", then log in again) or run Docker rootless`,
    };
  }
  if (code === 'ENOENT') return { ok: false, present: false, problem: `not running: no socket at ${endpoint}` };
  if (code === 'ECONNREFUSED') return { ok: false, present: true, problem: `not running: ${endpoint} refuses connections; start Docker` };
  if (err.name === 'AbortError' || err.name === 'TimeoutError' || code === 'ABORT_ERR' || code === 'ETIMEDOUT') {
    return { ok: false, present: true, problem: `starting or stuck: ${endpoint} did not answer /_ping within ${timeoutMs} ms` };
  }
  return { ok: false, present: true, problem: `${endpoint} did not answer /_ping: ${err.message ?? String(error)}` };
}

/** GET /_ping under a short timeout; tells "not running" apart from "permission denied". */
export async function pingEndpoint(endpoint: string, env: NodeJS.ProcessEnv, home: string, timeoutMs = PING_TIMEOUT_MS): Promise<PingResult> {
  if (endpoint.startsWith('unix://')) {
    try {
      await stat(endpoint.slice('unix://'.length));
    } catch (error) {
      return describePingFailure(error, endpoint, timeoutMs);
    }
  }
  try {
    const docker = new Docker(dockerOptions(endpoint, env, home));
    // dockerode's ping takes an abort signal; its type definitions do not say so yet.
    const ping = docker.ping.bind(docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    const answer = String(await ping({ abortSignal: AbortSignal.timeout(timeoutMs) })).trim();
    // Docker answers /_ping with "OK"; any other HTTP server that answers 200 is not an engine to talk to.
    if (answer !== 'OK') {
      const said = answer.replace(/\s+/g, ' ').slice(0, 60);
      return { ok: false, present: true, problem: `${endpoint} answers HTTP but is not a Docker engine (its /_ping said "${said}")` };
    }
    return { ok: true };
  } catch (error) {
    return describePingFailure(error, endpoint, timeoutMs);
  }
}

export type EngineConnection = { docker: Docker; candidate: Candidate } | { docker: null; problem: string };

/** The first candidate that answers, as a client without a request timeout (logs and events stream for long). */
export async function connectEngine(discovery: DiscoveryEnv, timeoutMs = PING_TIMEOUT_MS): Promise<EngineConnection> {
  const candidates = await candidateEndpoints(discovery);
  let firstPresent: string | undefined;
  for (const candidate of candidates) {
    if (candidate.endpoint.startsWith('context:')) {
      return { docker: null, problem: `docker context "${candidate.endpoint.slice(8)}" (${candidate.source}) does not exist: run \`docker context ls\`` };
    }
    const result = await pingEndpoint(candidate.endpoint, discovery.env, discovery.home, timeoutMs);
    if (result.ok) return { docker: new Docker(dockerOptions(candidate.endpoint, discovery.env, discovery.home)), candidate };
    if (candidate.explicit) return { docker: null, problem: `${result.problem} (from ${candidate.source})` };
    if (result.present && !firstPresent) firstPresent = result.problem;
  }
  return { docker: null, problem: firstPresent ?? 'not running: no Docker socket was found; start Docker Desktop, Colima, OrbStack or the Docker service' };
}
