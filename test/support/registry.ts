import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLocalPort } from '../../electron/node/ssh/port-forwards.js';
import type Docker from 'dockerode';
import { hasCommand } from './docker.js';

/** Debian's docker-registry (the CNCF distribution registry) is installed. */
export function registryInstalled(): boolean {
  return hasCommand('docker-registry');
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`: a loopback registry, which Docker Engine talks to over plain HTTP without configuration. */
  host: string;
  close: () => Promise<void>;
}

/** A real registry on a loopback port with its own storage, for pull and preflight tests. */
export async function startRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-registry-'));
  const port = await freeLocalPort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${dir}/data`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = Date.now();
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() - started > 15_000) {
      child.kill();
      throw new Error(`docker-registry did not start: ${stderr.trim() || `exit ${child.exitCode}`}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    close: async () => {
      child.kill();
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function follow(docker: Docker, stream: NodeJS.ReadableStream, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) => {
      const failed = error?.message ?? output.find((o) => o.error)?.error;
      if (failed) reject(new Error(`${what}: ${failed}`));
      else resolve();
    }),
  );
}

function splitReference(reference: string): { repo: string; tag: string } {
  const colon = reference.lastIndexOf(':');
  return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

/** Tags a local image into the registry, pushes it, and removes the local tag so only the registry has it. */
export async function pushImage(docker: Docker, source: string, target: string): Promise<void> {
  await docker.getImage(source).tag(splitReference(target));
  await follow(
    docker,
    (await docker
      .getImage(target)
      .push({ authconfig: { serveraddress: target.split('/')[0] } })) as NodeJS.ReadableStream,
    `pushing ${target}`,
  );
  await docker.getImage(target).remove({ noprune: true });
}

/** An image of one small file built for another platform (FROM scratch: nothing runs, so no emulation), pushed. */
export async function pushForeignImage(docker: Docker, target: string, platform: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-foreign-'));
  writeFileSync(path.join(dir, 'hello.txt'), `built for ${platform}\n`);
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  const stream = (await docker.buildImage({ context: dir, src: ['Dockerfile', 'hello.txt'] }, {
    t: target,
    platform,
  } as Docker.ImageBuildOptions)) as NodeJS.ReadableStream;
  await follow(docker, stream, `building ${target}`);
  rmSync(dir, { recursive: true, force: true });
  await follow(
    docker,
    (await docker
      .getImage(target)
      .push({ authconfig: { serveraddress: target.split('/')[0] } })) as NodeJS.ReadableStream,
    `pushing ${target}`,
  );
  await docker.getImage(target).remove({ noprune: true });
}
