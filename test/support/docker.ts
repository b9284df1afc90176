import { describe, it } from 'vitest';
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';

const SOCKET = '/var/run/docker.sock';

let cached: Promise<boolean> | undefined;

/** Whether a Docker engine answers on the default socket (what CI provisions). */
export function dockerAnswers(): Promise<boolean> {
  cached ??= new Docker({ socketPath: SOCKET, timeout: 2000 })
    .ping()
    .then(() => true)
    .catch(() => false);
  return cached;
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A describe block that needs something this machine may lack (Docker Engine, promtool, docker-compose). When it
 * is missing the block fails with one test that says what is missing and how to get it: a test that needs Docker
 * never passes by not running.
 */
export function describeWhen(available: boolean, missing: string, name: string, body: () => void): void {
  if (available) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    it('has what it needs on this machine', () => {
      throw new Error(`${missing}; .ci/run installs and starts everything the tests need on Debian`);
    });
  });
}

/** What a command prints inside a running container, stdout and stderr together (the test images carry busybox). */
export async function execIn(container: Docker.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  // Docker's multiplexed stream (an 8-byte header before each frame, frames split or joined across reads), parsed by
  // the engine client's own demultiplexer.
  container.modem.demuxStream(stream, out, out);
  await new Promise((resolve) => stream.on('end', resolve));
  return Buffer.concat(chunks).toString('utf8');
}
