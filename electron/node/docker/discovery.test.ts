import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { candidateEndpoints } from './endpoints.js';
import { connectEngine, describePingFailure, dockerOptions, openEngine, pingEndpoint } from './connect.js';
import { engineKind, readEngineFacts } from './engine-facts.js';
import { startEngineDouble } from '../../../test/support/docker-engine-double.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function tempHome(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'berth-home-'));
}

async function writeContext(home: string, name: string, host: string, current = true): Promise<void> {
  const config = path.join(home, '.docker');
  const meta = path.join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  await mkdir(meta, { recursive: true });
  await writeFile(
    path.join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  if (current) await writeFile(path.join(config, 'config.json'), JSON.stringify({ currentContext: name }));
}

describe('Docker socket discovery', () => {
  it("follows the docker CLI's order: the docker CLI's current context, then the well-known sockets", async () => {
    const home = await tempHome();
    await writeContext(home, 'colima', `unix://${home}/.colima/default/docker.sock`);
    await mkdir(path.join(home, '.colima', 'default'), { recursive: true });
    const candidates = await candidateEndpoints({
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      home,
      platform: 'darwin',
    });
    expect(candidates.map((c) => c.endpoint)).toEqual([
      `unix://${home}/.colima/default/docker.sock`,
      'unix:///var/run/docker.sock',
      `unix://${home}/.docker/run/docker.sock`,
      `unix://${home}/.orbstack/run/docker.sock`,
      'unix:///run/user/1000/docker.sock',
      `unix://${home}/.rd/docker.sock`,
      'unix:///run/user/1000/podman/podman.sock',
      `unix://${home}/.local/share/containers/podman/machine/podman.sock`,
      `unix://${home}/.local/share/containers/podman/machine/podman-machine-default/podman.sock`,
    ]);
    expect(candidates[0]?.source).toBe('docker context "colima"');
  });

  it('takes DOCKER_HOST alone, and DOCKER_CONTEXT through its meta file', async () => {
    const home = await tempHome();
    expect(await candidateEndpoints({ env: { DOCKER_HOST: 'ssh://me@gpu-host' }, home, platform: 'linux' })).toEqual([
      { endpoint: 'ssh://me@gpu-host', source: 'DOCKER_HOST', explicit: true },
    ]);
    await writeContext(home, 'gpu', 'tcp://10.0.0.5:2375', false);
    expect(await candidateEndpoints({ env: { DOCKER_CONTEXT: 'gpu' }, home, platform: 'linux' })).toEqual([
      { endpoint: 'tcp://10.0.0.5:2375', source: 'DOCKER_CONTEXT=gpu', explicit: true },
    ]);
  });

  it('reports a DOCKER_CONTEXT that does not exist', async () => {
    const home = await tempHome();
    const result = await connectEngine({ env: { DOCKER_CONTEXT: 'nope' }, home, platform: 'linux' });
    expect(result).toEqual({
      docker: null,
      trouble: {
        kind: 'no-context',
        message: 'docker context "nope" (DOCKER_CONTEXT=nope) does not exist',
        fix: expect.stringContaining('docker context ls'),
      },
    });
  });

  it('builds dockerode options for unix and tcp endpoints, and reaches ssh ones through the system ssh', async () => {
    expect(dockerOptions('unix:///var/run/docker.sock', {}, '/home/me')).toEqual({
      socketPath: '/var/run/docker.sock',
    });
    expect(dockerOptions('tcp://127.0.0.1:2375', {}, '/home/me')).toEqual({
      protocol: 'http',
      host: '127.0.0.1',
      port: 2375,
    });
    const opened = openEngine('ssh://me@gpu-host:2222', { BERTH_SSH_CONFIG: '/tmp/ssh_config' }, '/home/me');
    expect(opened.ssh?.destination).toBe('ssh://me@gpu-host:2222');
    expect(opened.docker.modem).toMatchObject({ protocol: 'http', host: 'docker' });
    await opened.ssh?.close();
    expect(() => dockerOptions('ftp://x', {}, '/home/me')).toThrow(/use unix:\/\/, tcp:\/\/ or ssh:\/\//);
  });
});

describe('confirming an endpoint with /_ping', () => {
  it('tells a missing socket (not running) apart from one that refuses connections', async () => {
    const home = await tempHome();
    const missing = path.join(home, 'missing.sock');
    expect(await pingEndpoint(`unix://${missing}`, {}, home)).toEqual({
      ok: false,
      present: false,
      trouble: { kind: 'absent', message: `not running: no socket at unix://${missing}`, fix: expect.any(String) },
    });

    // A socket file whose server died: the file stays, connections are refused.
    const stale = path.join(home, 'stale.sock');
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [
        '-e',
        `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
      ]);
      child.on('exit', () => resolve());
    });
    expect(await pingEndpoint(`unix://${stale}`, {}, home)).toEqual({
      ok: false,
      present: true,
      trouble: {
        kind: 'refused',
        message: `not running: unix://${stale} refuses connections`,
        fix: expect.stringContaining('start Docker'),
      },
    });
  });

  it('says how to fix a socket without permission (root cannot provoke EACCES, so the error is built here)', () => {
    const denied = Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' });
    expect(describePingFailure(denied, 'unix:///var/run/docker.sock', 1500)).toEqual({
      ok: false,
      present: true,
      trouble: {
        kind: 'permission',
        message: 'permission denied on unix:///var/run/docker.sock',
        fix: 'add your user to the docker group (sudo usermod -aG docker "$USER", then log in again) or run Docker rootless',
      },
    });
  });

  it('gives up on an engine that does not answer within the timeout', async () => {
    const home = await tempHome();
    const engine = await startEngineDouble({ socketPath: path.join(home, 'hung.sock'), hang: true });
    cleanups.push(engine.close);
    // The double never answers: without the timeout this call would never return.
    const result = await pingEndpoint(engine.endpoint, {}, home, 300);
    expect(result).toMatchObject({
      ok: false,
      trouble: { kind: 'stuck', message: `starting or stuck: ${engine.endpoint} did not answer /_ping within 300 ms` },
    });
  });

  it('skips dead candidates and connects to the first that answers, over a unix socket or tcp', async () => {
    const home = await tempHome();
    await mkdir(path.join(home, '.orbstack', 'run'), { recursive: true });
    const orb = await startEngineDouble({
      socketPath: path.join(home, '.orbstack', 'run', 'docker.sock'),
      info: {
        NCPU: 6,
        MemTotal: 8 * 2 ** 30,
        ServerVersion: '27.4.0',
        Architecture: 'aarch64',
        OperatingSystem: 'OrbStack',
        Name: 'orbstack',
        Runtimes: { runc: {} },
      },
    });
    cleanups.push(orb.close);
    const connection = await connectEngine({
      env: {},
      home,
      platform: 'darwin',
      systemSocket: path.join(home, 'no-system.sock'),
    });
    if (!connection.docker) throw new Error(connection.trouble.message);
    expect(connection.candidate.endpoint).toBe(orb.endpoint);
    const facts = await readEngineFacts(connection.docker, orb.endpoint, {});
    expect(facts).toEqual({
      endpoint: orb.endpoint,
      kind: 'orbstack',
      version: '27.4.0',
      arch: 'aarch64',
      cpus: 6,
      memoryBytes: 8 * 2 ** 30,
      gpuRuntime: false,
    });

    const tcp = await startEngineDouble({
      info: {
        NCPU: 64,
        MemTotal: 2 ** 38,
        ServerVersion: '28.2.2',
        Architecture: 'x86_64',
        OperatingSystem: 'Ubuntu 24.04',
        Runtimes: { nvidia: {}, runc: {} },
      },
    });
    cleanups.push(tcp.close);
    const remote = await connectEngine({ env: { DOCKER_HOST: tcp.endpoint }, home, platform: 'darwin' });
    if (!remote.docker) throw new Error(remote.trouble.message);
    expect(await readEngineFacts(remote.docker, tcp.endpoint, {})).toMatchObject({
      kind: 'docker-engine',
      cpus: 64,
      gpuRuntime: true,
    });
  });

  it('reports an explicit DOCKER_HOST that fails instead of quietly using another engine', async () => {
    const home = await tempHome();
    const result = await connectEngine({ env: { DOCKER_HOST: `unix://${home}/gone.sock` }, home, platform: 'linux' });
    expect(result).toEqual({
      docker: null,
      trouble: {
        kind: 'absent',
        message: `not running: no socket at unix://${home}/gone.sock (from DOCKER_HOST)`,
        fix: expect.any(String),
      },
    });
  });
});

describe('what kind of engine answered', () => {
  it.each([
    ['docker-desktop', 'unix:///Users/me/.docker/run/docker.sock', { OperatingSystem: 'Docker Desktop' }, []],
    [
      'colima',
      'unix:///Users/me/.colima/default/docker.sock',
      { OperatingSystem: 'Ubuntu 24.04.1 LTS', Name: 'colima' },
      [],
    ],
    ['orbstack', 'unix:///Users/me/.orbstack/run/docker.sock', { OperatingSystem: 'OrbStack' }, []],
    ['podman', 'unix:///run/user/1000/podman/podman.sock', { OperatingSystem: 'fedora' }, ['Podman Engine']],
    [
      'rancher-desktop',
      'unix:///Users/me/.rd/docker.sock',
      { OperatingSystem: 'Alpine Linux', Name: 'lima-rancher-desktop' },
      [],
    ],
    ['docker-engine', 'unix:///var/run/docker.sock', { OperatingSystem: 'Debian GNU/Linux 12 (bookworm)' }, []],
  ] as const)('%s answers at %s', (kind, endpoint, info, components) => {
    expect(engineKind(info, endpoint, [...components])).toBe(kind);
  });
});
