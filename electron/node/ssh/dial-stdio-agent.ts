import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { SshMaster } from './ssh-master.js';

/**
 * One Engine API connection: `docker system dial-stdio` on the remote host, in a channel of the SSH connection, as
 * the docker CLI does for ssh:// hosts
 * (https://docs.docker.com/engine/security/protect-access/#use-ssh-to-protect-the-docker-daemon-socket).
 * Node's HTTP client sees a socket; what the remote side prints on failure becomes the error.
 */
class DialStdioSocket extends Duplex {
  private stderr = '';

  constructor(
    private readonly child: ChildProcess,
    explain: (stderr: string) => string,
  ) {
    super();
    const stdout = child.stdout as NodeJS.ReadableStream;
    stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) stdout.pause();
    });
    stdout.on('end', () => this.push(null));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    child.stdin?.on('error', () => undefined);
    child.once('error', (error) => this.destroy(error));
    child.once('exit', (code) => {
      if (code !== 0 && code !== null && !this.destroyed) this.destroy(new Error(explain(this.stderr)));
    });
  }

  override _read(): void {
    (this.child.stdout as NodeJS.ReadableStream | null)?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    (this.child.stdin as NodeJS.WritableStream).write(chunk, callback);
  }

  override _final(callback: () => void): void {
    this.child.stdin?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    callback(error);
  }

  // What Node's HTTP client and Agent call on a socket; a channel has no such knobs.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  /** An idle pooled channel does not keep the process alive, as an idle TCP socket would not. */
  unref(): this {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr])
      (stream as unknown as Socket | null)?.unref?.();
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr])
      (stream as unknown as Socket | null)?.ref?.();
    return this;
  }
}

/** An HTTP agent whose connections are dial-stdio channels of one SSH connection; idle ones are kept for reuse. */
export class DialStdioAgent extends http.Agent {
  constructor(private readonly master: SshMaster) {
    super({ keepAlive: true, maxFreeSockets: 4 });
  }

  override createConnection(_options: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    this.master.ensure().then(
      () => {
        try {
          callback(
            null,
            new DialStdioSocket(this.master.channel(['docker', 'system', 'dial-stdio']), (stderr) =>
              this.master.explain(stderr),
            ),
          );
        } catch (error) {
          callback(error as Error);
        }
      },
      (error: Error) => callback(error),
    );
    return undefined;
  }
}
