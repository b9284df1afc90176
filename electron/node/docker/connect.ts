import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { DialStdioAgent } from '../ssh/dial-stdio-agent.js';
import { parseSshEndpoint } from '../ssh/ssh-destination.js';
import { SshMaster } from '../ssh/ssh-master.js';
import { engineTrouble, type EngineTrouble } from '../../common/contracts/engine-trouble.js';
import { candidateEndpoints, type Candidate, type DiscoveryEnv } from './endpoints.js';

export const PING_TIMEOUT_MS = 1500;

/**
 * dockerode options for unix:// and tcp:// (TLS when DOCKER_TLS_VERIFY is set) endpoints; ssh:// goes through
 * openEngine.
 */
export function dockerOptions(endpoint: string, env: NodeJS.ProcessEnv, home: string): Docker.DockerOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://')) return { socketPath: endpoint.slice('npipe://'.length).replace(/\//g, '\\') };
  const url = new URL(endpoint);
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls =
      url.protocol === 'https:' ||
      (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0');
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

export type PingResult = { ok: true } | { ok: false; trouble: EngineTrouble; present: boolean };

export function describePingFailure(error: unknown, endpoint: string, timeoutMs: number): PingResult {
  const err = error as NodeJS.ErrnoException & { statusCode?: number };
  const code = err.code ?? '';
  if (code === 'EACCES' || code === 'EPERM') {
    return { ok: false, present: true, trouble: engineTrouble('permission', `permission denied on ${endpoint}`) };
  }
  if (code === 'ENOENT') {
    return { ok: false, present: false, trouble: engineTrouble('absent', `not running: no socket at ${endpoint}`) };
  }
  if (code === 'ECONNREFUSED') {
    return {
      ok: false,
      present: true,
      trouble: engineTrouble('refused', `not running: ${endpoint} refuses connections`),
    };
  }
  if (err.name === 'AbortError' || err.name === 'TimeoutError' || code === 'ABORT_ERR' || code === 'ETIMEDOUT') {
    const message = `starting or stuck: ${endpoint} did not answer /_ping within ${timeoutMs} ms`;
    return { ok: false, present: true, trouble: engineTrouble('stuck', message) };
  }
  const message = `${endpoint} did not answer /_ping: ${err.message ?? String(error)}`;
  return { ok: false, present: true, trouble: engineTrouble('refused', message) };
}

/** A client for an endpoint; for ssh:// its SSH connection too, which the caller closes. */
export interface OpenedEngine {
  docker: Docker;
  ssh?: SshMaster;
}

/**
 * ssh:// engines are reached as the docker CLI reaches them: the system's `ssh` (so the user's ssh config, agent,
 * ProxyJump and known_hosts apply) running `docker system dial-stdio`, over one ControlMaster connection.
 * BERTH_SSH_CONFIG names another ssh config file (`ssh -F`).
 */
export function openEngine(endpoint: string, env: NodeJS.ProcessEnv, home: string): OpenedEngine {
  if (!endpoint.startsWith('ssh://')) return { docker: new Docker(dockerOptions(endpoint, env, home)) };
  const ssh = new SshMaster({
    destination: parseSshEndpoint(endpoint),
    ...(env.BERTH_SSH_CONFIG ? { configFile: env.BERTH_SSH_CONFIG } : {}),
  });
  return {
    docker: new Docker({
      protocol: 'http',
      host: 'docker',
      port: 80,
      agent: new DialStdioAgent(ssh),
    } as Docker.DockerOptions),
    ssh,
  };
}

/** GET /_ping under a short timeout; tells "not running" apart from "permission denied". */
export async function pingEndpoint(
  endpoint: string,
  env: NodeJS.ProcessEnv,
  home: string,
  timeoutMs = PING_TIMEOUT_MS,
): Promise<PingResult> {
  const { opened, result } = await tryEndpoint(
    { endpoint, source: endpoint, explicit: true },
    { env, home, platform: process.platform },
    timeoutMs,
  );
  await opened?.ssh?.close();
  return result;
}

/** GET /_ping on a client, under a short timeout. */
export async function pingEngine(docker: Docker, endpoint: string, timeoutMs = PING_TIMEOUT_MS): Promise<PingResult> {
  if (endpoint.startsWith('unix://')) {
    try {
      await stat(endpoint.slice('unix://'.length));
    } catch (error) {
      return describePingFailure(error, endpoint, timeoutMs);
    }
  }
  try {
    // dockerode's ping takes an abort signal; its type definitions do not say so yet.
    const ping = docker.ping.bind(docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    const answer = String(await ping({ abortSignal: AbortSignal.timeout(timeoutMs) })).trim();
    // Docker answers /_ping with "OK"; any other HTTP server that answers 200 is not an engine to talk to.
    if (answer !== 'OK') {
      const said = answer.replace(/\s+/g, ' ').slice(0, 60);
      const message = `${endpoint} answers HTTP but is not a Docker engine (its /_ping said "${said}")`;
      return { ok: false, present: true, trouble: engineTrouble('not-docker', message) };
    }
    return { ok: true };
  } catch (error) {
    return describePingFailure(error, endpoint, timeoutMs);
  }
}

/** A connection, or why there is none (with its own fix where the generic "start Docker" would be wrong: SSH). */
export type EngineConnection =
  { docker: Docker; candidate: Candidate; ssh?: SshMaster } | { docker: null; trouble: EngineTrouble };

/** Opens an endpoint and pings it; an ssh:// one first connects (its errors say what OpenSSH refused). */
async function tryEndpoint(
  candidate: Candidate,
  discovery: DiscoveryEnv,
  timeoutMs: number,
): Promise<{ opened?: OpenedEngine; result: PingResult }> {
  let opened: OpenedEngine;
  try {
    opened = openEngine(candidate.endpoint, discovery.env, discovery.home);
  } catch (error) {
    // An endpoint Berth cannot open (an unsupported scheme, TLS files missing) is not an engine to talk to.
    return { result: { ok: false, present: true, trouble: engineTrouble('not-docker', (error as Error).message) } };
  }
  try {
    await opened.ssh?.ensure();
  } catch (error) {
    await opened.ssh?.close();
    const trouble = engineTrouble('ssh', (error as Error).message, opened.ssh?.fix);
    return { opened, result: { ok: false, present: true, trouble } };
  }
  // An SSH round trip, a remote shell and dial-stdio's start take longer than a local socket.
  const result = await pingEngine(
    opened.docker,
    candidate.endpoint,
    opened.ssh ? Math.max(timeoutMs, 10_000) : timeoutMs,
  );
  if (!result.ok) await opened.ssh?.close();
  return { opened, result };
}

/** The first candidate that answers, as a client without a request timeout (logs and events stream for long). */
export async function connectEngine(
  discovery: DiscoveryEnv,
  timeoutMs = PING_TIMEOUT_MS,
  explicit?: Candidate,
): Promise<EngineConnection> {
  const candidates = explicit ? [explicit] : await candidateEndpoints(discovery);
  let firstPresent: EngineTrouble | undefined;
  for (const candidate of candidates) {
    if (candidate.endpoint.startsWith('context:')) {
      const message = `docker context "${candidate.endpoint.slice(8)}" (${candidate.source}) does not exist`;
      return { docker: null, trouble: engineTrouble('no-context', message) };
    }
    const { opened, result } = await tryEndpoint(candidate, discovery, timeoutMs);
    if (result.ok) {
      if (opened) return { docker: opened.docker, candidate, ...(opened.ssh ? { ssh: opened.ssh } : {}) };
      continue;
    }
    if (candidate.explicit) {
      const { trouble } = result;
      // Through SSH, "start Docker" is the wrong advice: the fix is on the other end of the link.
      const fix = opened?.ssh ? opened.ssh.fix : trouble.fix;
      return { docker: null, trouble: { ...trouble, message: `${trouble.message} (from ${candidate.source})`, fix } };
    }
    if (result.present && !firstPresent) firstPresent = result.trouble;
  }
  return { docker: null, trouble: firstPresent ?? engineTrouble('absent', 'not running: no Docker socket was found') };
}
